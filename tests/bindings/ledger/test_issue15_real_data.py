"""Issue 15 against the real policy data (policies/data/*.yaml): 湖南's 2025 standard and late rule (seed 002),
宜春's 住院 (seed 000), 广西's filing rule for a relative insured in another province and its 配偶父母 代缴
(seed 003). The hand-built tests (test_inpatient, test_premium_standards) cover the rules; these check the data."""

import datetime

import pytest

from bindings.ledger import premiums
from bindings.ledger import services as ledger
from bindings.ledger.errors import LedgerError
from bindings.ledger.settlement import InpatientSlip, PlaceLocation
from policies.choices import InstitutionLevel
from policies.relationships import Relationship
from policies.selectors import resolved_policy

from .conftest import assert_books_balance, balance

Y = 100
ON = datetime.date(2025, 6, 10)


def stay(total, in_scope, fund, location=PlaceLocation.INSURED_CITY, filed=False):
    return InpatientSlip(InstitutionLevel.LEVEL2, location, filed, total * Y, in_scope * Y, fund * Y)


def test_hunan_2025_in_the_period_and_late(family):
    liu = family.authorizer("hengyang", balance_yuan=6600)
    mother = family.relative("hengyang", birth=datetime.date(1950, 2, 14))
    family.bind(liu, mother, Relationship.PARENT)
    payment = ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=None, on=datetime.date(2025, 2, 1))
    assert (payment.amount_fen, payment.late_fen) == (1070 * Y, 670 * Y)
    assert balance(liu) == (6600 - 1070) * Y
    assert_books_balance(liu)


def test_yichun_pays_a_stay_from_the_shared_balance(family):
    son = family.authorizer("yichun", balance_yuan=1000)
    father = family.relative("yichun", birth=datetime.date(1950, 1, 15))
    family.bind(son, father, Relationship.PARENT)
    settlement = ledger.settlement_post(patient=father, authorizer=son, visit=stay(5000, 4000, 2500), actor=None, on=ON)
    assert (settlement.shared_fen, settlement.cash_fen) == (1000 * Y, 1500 * Y)


def test_guangxi_asks_a_relative_insured_elsewhere_for_the_filing(family):
    huang = family.authorizer("guigang", balance_yuan=4300)
    son = family.relative("440106", birth=datetime.date(2005, 9, 1))
    family.bind(huang, son, Relationship.CHILD)
    with pytest.raises(LedgerError) as info:
        ledger.settlement_post(
            patient=son, authorizer=huang, visit=stay(3000, 3000, 2000, PlaceLocation.OTHER_PROVINCE), actor=None, on=ON
        )
    assert "异地就医备案到广西" in info.value.message
    filed = stay(3000, 3000, 2000, PlaceLocation.OTHER_PROVINCE, filed=True)
    assert ledger.settlement_post(patient=son, authorizer=huang, visit=filed, actor=None, on=ON).shared_fen == 1000 * Y


def test_guigang_lets_a_parent_in_law_be_paid_for_without_a_binding(family):
    policy = resolved_policy("450800", ON)
    assert premiums.binding_needed(policy, Relationship.PARENT_IN_LAW, ON) == ""
    # Seed 003 names 配偶、子女、父母、配偶父母 for 代缴 and asks for no binding first.
    assert premiums.binding_needed(policy, Relationship.PARENT, ON) == ""
    assert Relationship.PARENT_IN_LAW in premiums.unbound_relationships(policy, ON)
    assert "未在来源中说明" in premiums.binding_needed(policy, "aunt", ON)
    huang = family.authorizer("guigang", balance_yuan=4300)
    in_law = family.relative("guigang", birth=datetime.date(1953, 5, 5))
    quote = premiums.premium_quote(payer=huang, relative=in_law, relationship="parent_in_law", year=2025, on=ON)
    # The data has no 广西 standard for 2025: refused for that, not for the missing binding.
    assert quote.code == "amount_unstated" and "未在来源中说明" in quote.problem


@pytest.mark.django_db
def test_jiangxi_asks_for_the_binding_before_代缴_as_seed_001_says():
    policy = resolved_policy("360900", ON)
    assert policy.premium_needs_binding.value is True
    assert "办理家庭共济绑定" in premiums.binding_needed(policy, Relationship.PARENT, ON)
    assert premiums.unbound_relationships(policy, ON) == []
    # 攀枝花 (seed 002: “可以用于为本人近亲属缴纳居民医保参保费用”) does not ask for one.
    assert premiums.binding_needed(resolved_policy("510400", ON), Relationship.SIBLING, ON) == ""
