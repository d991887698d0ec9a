"""住院 settlements (issue 15): the slip's amounts, the same payment order as a visit, and the authorizer's region's
rules on whether the shared balance may pay (宜春: yes, seed 000; 广西: a relative insured in another province only
after 异地就医备案 to 广西, seed 003; silent sources: no, 未在来源中说明). Policy rows are built by hand."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bindings.ledger import services as ledger
from bindings.ledger.errors import LedgerError
from bindings.ledger.selectors import pooling_usage, settlement_plan
from bindings.ledger.settlement import CareKind, InpatientSlip, PlaceLocation
from bindings.models import EntryKind, FundSource, LedgerEntry, Settlement
from policies.choices import InstitutionLevel, PairScope, SpendScope
from policies.relationships import Relationship

from . import issue15_world as world
from .conftest import assert_books_balance, balance

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 10)
Y = 100


def slip(total, in_scope, fund, *, location=PlaceLocation.INSURED_CITY, filed=False, level=InstitutionLevel.LEVEL2):
    return InpatientSlip(
        level=level, location=location, filed=filed, total_fen=total * Y, in_scope_fen=in_scope * Y, fund_fen=fund * Y
    )


@pytest.fixture
def yichun():
    version = world.version(
        "719900", "宜春市", "江西省", spend_scope=SpendScope.PROVINCE, inpatient_allowed=True, relationships=["parent"]
    )
    son = world.person("719902", balance_yuan=3000)
    father = world.person("719902", resident=True, birth=datetime.date(1950, 1, 1))
    binding = world.bound(son, father, Relationship.PARENT)
    return version, son, father, binding


def test_inpatient_paid_by_the_shared_balance_then_cash(yichun):
    _v, son, father, binding = yichun
    # 总费用 10000, 政策范围内 8000, 统筹 5000: the personal share of 3000 is shared up to the 3000 balance; the
    # 2000 out of scope goes to cash.
    settlement = ledger.settlement_post(
        patient=father, authorizer=son, visit=slip(10000, 8000, 5000), actor=None, on=ON
    )
    assert settlement.care == CareKind.INPATIENT and settlement.fund_source == FundSource.DECLARED
    assert (settlement.fund_fen, settlement.own_account_fen, settlement.shared_fen, settlement.cash_fen) == (
        5000 * Y,
        0,
        3000 * Y,
        2000 * Y,
    )
    assert settlement.total_fen == 10000 * Y and not settlement.items.exists()
    entry = LedgerEntry.objects.get(kind=EntryKind.SHARED_OUT)
    assert entry.settlement == settlement and entry.binding == binding and "住院" in entry.description
    assert balance(son) == 0
    assert_books_balance(son)
    # An inpatient stay uses none of the outpatient pooling's deductible or yearly cap.
    assert pooling_usage(father, ON).fund_paid_fen == 0


def test_the_patients_own_account_pays_first(yichun):
    _v, son, _father, _b = yichun
    wife = world.person("719902", balance_yuan=500)
    world.bound(son, wife, Relationship.SPOUSE)
    settlement = ledger.settlement_post(patient=wife, authorizer=son, visit=slip(2000, 2000, 1200), actor=None, on=ON)
    assert (settlement.own_account_fen, settlement.shared_fen, settlement.cash_fen) == (500 * Y, 300 * Y, 0)
    assert_books_balance(son, wife)


@pytest.mark.parametrize(
    "allowed, code_text",
    [
        (None, "未在来源中说明"),
        (False, "不能支付住院费用"),
    ],
)
def test_refused_where_the_source_is_silent_or_says_no(yichun, allowed, code_text):
    version, son, father, _b = yichun
    version.inpatient_allowed = allowed
    version.save()
    world.policies_changed()
    with pytest.raises(LedgerError) as info:
        ledger.settlement_post(patient=father, authorizer=son, visit=slip(1000, 800, 500), actor=None, on=ON)
    assert info.value.code == "shared_blocked" and code_text in info.value.message
    assert not Settlement.objects.exists() and balance(son) == 3000 * Y
    assert not LedgerEntry.objects.exclude(kind=EntryKind.OPENING).exists()


@pytest.mark.parametrize(
    "total, in_scope, fund, code",
    [
        (1000, 1200, 500, "in_scope_above_total"),
        (1000, 800, 900, "fund_above_in_scope"),
        (0, 0, 0, "zero_amount"),
        (-5, 0, 0, "negative_amount"),
    ],
)
def test_slip_amounts_are_checked_and_nothing_is_written(yichun, total, in_scope, fund, code):
    _v, son, father, _b = yichun
    with pytest.raises(LedgerError) as info:
        ledger.settlement_post(patient=father, authorizer=son, visit=slip(total, in_scope, fund), actor=None, on=ON)
    assert info.value.code == code
    assert not Settlement.objects.exists() and balance(son) == 3000 * Y


@pytest.fixture
def guigang():
    """广西: a son insured in 贵港 binds his mother insured in 湖南 (pairs anywhere, spend inside Guangxi)."""
    version = world.version(
        "729900",
        "贵港市",
        "广西壮族自治区",
        pair_scope=PairScope.ANYWHERE,
        spend_scope=SpendScope.PROVINCE,
        inpatient_allowed=True,
        inpatient_cross_province_filed=True,
    )
    son = world.person("729902", balance_yuan=2000)
    mother = world.person("739902", resident=True, birth=datetime.date(1952, 3, 3))
    world.bound(son, mother, Relationship.PARENT)
    return version, son, mother


def test_a_relative_insured_in_another_province_needs_the_filing(guigang):
    _v, son, mother = guigang
    stay = slip(3000, 3000, 2000, location=PlaceLocation.OTHER_PROVINCE, filed=False)
    with pytest.raises(LedgerError) as info:
        ledger.settlement_post(patient=mother, authorizer=son, visit=stay, actor=None, on=ON)
    assert info.value.code == "shared_blocked" and "异地就医备案到广西" in info.value.message
    assert not Settlement.objects.exists()
    filed = slip(3000, 3000, 2000, location=PlaceLocation.OTHER_PROVINCE, filed=True)
    settlement = ledger.settlement_post(patient=mother, authorizer=son, visit=filed, actor=None, on=ON)
    assert settlement.shared_fen == 1000 * Y and settlement.filed
    assert_books_balance(son)


def test_cross_province_silence_refuses(guigang):
    version, son, mother = guigang
    version.inpatient_cross_province_filed = None
    version.save()
    world.policies_changed()
    stay = slip(3000, 3000, 2000, location=PlaceLocation.OTHER_PROVINCE, filed=True)
    plan = settlement_plan(patient=mother, authorizer=son, binding=mother.bindings_as_relative.get(), visit=stay, on=ON)
    assert plan.split.shared_fen == 0 and "未在来源中说明" in "".join(plan.split.shared_blocked)


def test_the_monthly_cap_limits_inpatient_use_too(yichun):
    _v, son, father, binding = yichun
    ledger.spending_cap_set(binding=binding, monthly_limit_fen=1000 * Y, actor=world.UserFactory(person=son))
    settlement = ledger.settlement_post(patient=father, authorizer=son, visit=slip(5000, 5000, 2000), actor=None, on=ON)
    assert (settlement.shared_fen, settlement.cash_fen) == (1000 * Y, 2000 * Y)


# --- the simulator page --------------------------------------------------------------------------------------


def _inpatient_form(binding, total, in_scope, fund, action="simulate", **extra):
    return {
        "patient": str(binding.pk),
        "care": "inpatient",
        "level": "level2",
        "location": "insured_city",
        "inpatient_total": total,
        "inpatient_in_scope": in_scope,
        "inpatient_fund": fund,
        "items-TOTAL_FORMS": "4",
        "items-INITIAL_FORMS": "0",
        "action": action,
        **extra,
    }


def test_the_simulator_settles_a_stay_from_the_slip(yichun, client):
    _v, son, father, binding = yichun
    client.force_login(world.UserFactory(person=son))
    url = reverse("ledger:simulator")
    page = client.get(url).content.decode()
    assert 'value="inpatient"' in page and "住院：按医院结算单填写" in page
    bad = client.post(url, _inpatient_form(binding, "1000", "1200", "500")).content.decode()
    assert "政策范围内费用不能大于总费用" in bad and not Settlement.objects.exists()
    preview = client.post(url, _inpatient_form(binding, "1000", "800", "500")).content.decode()
    assert 'id="sim-result"' in preview and "住院总费用" in preview and not Settlement.objects.exists()
    response = client.post(url, _inpatient_form(binding, "1000", "800", "500", action="post"))
    settlement = Settlement.objects.get()
    assert response.status_code == 302 and settlement.care == CareKind.INPATIENT
    assert (settlement.shared_fen, settlement.cash_fen) == (300 * Y, 200 * Y)
    slip_page = client.get(reverse("ledger:settlement", args=[settlement.pk])).content.decode()
    assert "住院结算单" in slip_page
    usage = client.get(reverse("ledger:usage"), {"year": timezone.localdate().year}).content.decode()
    assert "住院" in usage and settlement.serial in usage
    csv_text = client.get(reverse("ledger:usage_csv"), {"role": "paid", "year": timezone.localdate().year})
    assert "住院" in csv_text.content.decode()


def test_the_simulator_shows_the_refusal_where_the_source_is_silent(yichun, client):
    version, son, _father, binding = yichun
    version.inpatient_allowed = None
    version.save()
    world.policies_changed()
    client.force_login(world.UserFactory(person=son))
    page = client.post(reverse("ledger:simulator"), _inpatient_form(binding, "1000", "800", "500")).content.decode()
    assert 'id="post-refusal"' in page and "未在来源中说明" in page
