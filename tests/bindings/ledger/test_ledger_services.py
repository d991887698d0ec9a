"""The ledger services against the real policy data: payment order, every refusal, caps, 代缴, notices."""

import datetime

import pytest

from accounts.models import SmsMessage
from bindings import services
from bindings.ledger import services as ledger
from bindings.ledger.errors import LedgerError
from bindings.ledger.settlement import Item, ItemKind, PlaceLocation, Visit
from bindings.models import DissolveReason, EntryKind, LedgerEntry, Notice, PremiumPayment, Settlement, SpendingCap
from policies.choices import InstitutionLevel
from policies.relationships import Relationship

from .conftest import assert_books_balance, balance, visit

ON = datetime.date(2025, 6, 10)
Y = 100


def nothing_written():
    return (LedgerEntry.objects.exclude(kind=EntryKind.OPENING).count(), Settlement.objects.count())


# --- the ledger itself ------------------------------------------------------------------------------------


def test_opening_balance_is_recorded_once_and_reconciled(family):
    person = family.person(balance_fen=356_000)  # Family opens it
    assert LedgerEntry.objects.get(person=person).kind == EntryKind.OPENING
    assert ledger.ledger_open_balance(person=person) is None  # nothing to do the second time
    type(person).objects.filter(pk=person.pk).update(balance_fen=400_000)  # seed_demo resets it behind our back
    adjustment = ledger.ledger_open_balance(person=person)
    assert adjustment.kind == EntryKind.ADJUSTMENT and adjustment.amount_fen == 44_000
    assert_books_balance(person)


def test_post_moves_the_balance_with_its_entry_and_never_below_zero(family):
    person = family.authorizer(balance_yuan=100)
    entry = ledger.ledger_post(person=person, kind=EntryKind.ADJUSTMENT, amount_fen=-40 * Y, occurred_on=ON)
    assert entry.balance_after_fen == 60 * Y == balance(person)
    before = LedgerEntry.objects.count()
    with pytest.raises(LedgerError) as info:
        ledger.ledger_post(person=person, kind=EntryKind.ADJUSTMENT, amount_fen=-61 * Y, occurred_on=ON)
    assert info.value.code == "insufficient_balance" and "余额不足" in info.value.message
    with pytest.raises(LedgerError):
        ledger.ledger_post(person=person, kind=EntryKind.CREDIT, amount_fen=-1, occurred_on=ON)
    with pytest.raises(LedgerError):
        ledger.ledger_post(person=person, kind=EntryKind.ADJUSTMENT, amount_fen=0, occurred_on=ON)
    assert LedgerEntry.objects.count() == before and balance(person) == 60 * Y
    assert_books_balance(person)


def test_the_database_refuses_a_negative_balance_even_around_the_service(family):
    from django.db import IntegrityError, transaction

    person = family.authorizer(balance_yuan=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(person).objects.filter(pk=person.pk).update(balance_fen=-1)


def test_monthly_credit_for_the_employed_once_a_month(family):
    person = family.authorizer(balance_yuan=0)
    entry = ledger.ledger_credit_month(person=person, month=datetime.date(2025, 5, 17), own_contribution_fen=15_600)
    assert entry.credit_month == datetime.date(2025, 5, 1) and balance(person) == 15_600
    with pytest.raises(LedgerError) as info:
        ledger.ledger_credit_month(person=person, month=datetime.date(2025, 5, 1), own_contribution_fen=15_600)
    assert info.value.code == "duplicate" and balance(person) == 15_600
    assert_books_balance(person)


@pytest.mark.parametrize("trait", ["flexible", "retired"])
def test_credits_the_data_does_not_state_are_refused(family, trait):
    person = family.authorizer(**{trait: True})
    with pytest.raises(LedgerError) as info:
        ledger.ledger_credit_month(person=person, month=ON, own_contribution_fen=1, contribution_base_fen=500_000)
    assert info.value.code == "credit_unstated" and "未在来源中说明" in info.value.message
    assert not LedgerEntry.objects.filter(kind=EntryKind.CREDIT).exists()


# --- settlements: payment order -----------------------------------------------------------------------------


def test_own_account_first_then_the_shared_balance_then_cash(family):
    """宜春: a retired father with 50 元 of his own; his son shares 1000 元."""
    son = family.authorizer(balance_yuan=1000)
    father = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=50 * Y)
    ledger.ledger_open_balance(person=father)
    family.bind(son, father, Relationship.PARENT)
    s = ledger.settlement_post(patient=father, authorizer=son, visit=visit(1000), actor=None, on=ON)
    # (1000 - 600) × 65 % = 260 from the fund; 740 personal: 50 own, 690 shared.
    assert (s.fund_fen, s.own_account_fen, s.shared_fen, s.cash_fen) == (260 * Y, 50 * Y, 690 * Y, 0)
    assert balance(father) == 0 and balance(son) == 310 * Y
    shared = LedgerEntry.objects.get(kind=EntryKind.SHARED_OUT)
    assert (shared.person, shared.beneficiary, shared.settlement) == (son, father, s)
    assert_books_balance(son, father)


def test_this_years_deductible_and_cap_come_from_earlier_settlements(family):
    son = family.authorizer(balance_yuan=5000)
    father = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    family.bind(son, father, Relationship.PARENT)
    first = ledger.settlement_post(patient=father, authorizer=son, visit=visit(400), actor=None, on=ON)
    assert first.deductible_fen == 400 * Y and first.fund_fen == 0
    second = ledger.settlement_post(patient=father, authorizer=son, visit=visit(3500), actor=None, on=ON)
    # 200 of the deductible left, then (3500 - 200) × 65 % = 2145, capped at the retirees' 2000.
    assert second.deductible_fen == 200 * Y and second.fund_fen == 2000 * Y
    third = ledger.settlement_post(patient=father, authorizer=son, visit=visit(100), actor=None, on=ON)
    assert third.fund_fen == 0 and third.shared_fen == 100 * Y
    next_year = ledger.settlement_post(
        patient=father, authorizer=son, visit=visit(1000), actor=None, on=datetime.date(2026, 1, 5)
    )
    assert next_year.deductible_fen == 600 * Y and next_year.fund_fen == 260 * Y


def test_resident_relative_needs_the_slip_amount_where_the_terms_are_unstated(family):
    father = family.authorizer(balance_yuan=1000)
    child = family.relative()
    family.bind(father, child)
    before = nothing_written()
    with pytest.raises(LedgerError) as info:
        ledger.settlement_post(patient=child, authorizer=father, visit=visit(200), actor=None, on=ON)
    assert info.value.code == "pooling_unstated" and "未在来源中说明" in info.value.message
    assert nothing_written() == before
    s = ledger.settlement_post(
        patient=child, authorizer=father, visit=visit(200), actor=None, on=ON, declared_fund_fen=50 * Y
    )
    assert (s.fund_fen, s.fund_source, s.shared_fen) == (50 * Y, "declared", 150 * Y)
    assert_books_balance(father)


def test_guigang_resident_per_day_limit_through_the_ledger(family):
    """贵港's data leaves the deductible out, so the slip amount is needed; the per-day limit still counts."""
    sister = family.relative("guigang")
    brother = family.authorizer("guigang", balance_yuan=500)
    family.bind(brother, sister, Relationship.SIBLING)
    s = ledger.settlement_post(
        patient=sister,
        authorizer=brother,
        visit=visit(200, level=InstitutionLevel.LEVEL2),
        actor=None,
        on=ON,
        declared_fund_fen=9750,
    )
    assert s.shared_fen == 200 * Y - 9750 and s.cash_fen == 0


# --- settlements: every refusal ---------------------------------------------------------------------------


@pytest.fixture
def pair(family):
    """宜春 authorizer (1000 元) and his retired father (own account empty), bound."""
    son = family.authorizer(balance_yuan=1000)
    father = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    binding = family.bind(son, father, Relationship.PARENT)
    return son, father, binding


def refused(code, **kwargs):
    before = (nothing_written(), Notice.objects.count(), SmsMessage.objects.count())
    with pytest.raises(LedgerError) as info:
        ledger.settlement_post(actor=None, on=kwargs.pop("on", ON), **kwargs)
    assert info.value.code == code, info.value.message
    assert (nothing_written(), Notice.objects.count(), SmsMessage.objects.count()) == before
    return info.value.message


def test_a_patient_not_bound_to_the_payer(pair, family):
    son, _father, _binding = pair
    stranger = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    message = refused("not_bound", patient=stranger, authorizer=son, visit=visit(1000))
    assert "没有家庭共济关系" in message


def test_an_ended_binding(pair, family):
    son, father, binding = pair
    services.binding_dissolve_by_party(binding=binding, user=family.account(son))
    assert "已结束" in refused("binding_ended", patient=father, authorizer=son, visit=visit(1000))


def test_a_binding_past_its_end_date_even_before_cron(family):
    """湘潭 bindings carry an end date; a day after it the binding no longer pays, whatever cron has done."""
    from django.utils import timezone

    today = timezone.localdate()
    tan = family.authorizer("xiangtan", balance_yuan=1000)
    wife = family.relative("xiangtan")
    application = family.start(tan)
    result = family.add(
        application, wife, Relationship.SPOUSE, start_date=today, end_date=today + datetime.timedelta(days=30)
    )
    family.prove(result.binding)
    family.submit(application)
    family.approve(result.binding)
    later = today + datetime.timedelta(days=31)
    refused("binding_ended", patient=wife, authorizer=tan, visit=visit(100), on=later, declared_fund_fen=0)
    ok = ledger.settlement_post(
        patient=wife,
        authorizer=tan,
        visit=visit(100),
        actor=None,
        on=today + datetime.timedelta(days=30),
        declared_fund_fen=0,
    )
    assert ok.shared_fen == 100 * Y


def test_a_place_outside_the_scope(pair):
    son, father, _b = pair  # 江西: inside the province only
    message = refused(
        "shared_blocked",
        patient=father,
        authorizer=son,
        visit=visit(1000, location=PlaceLocation.OTHER_PROVINCE, filed=True),
    )
    assert "就医地不在共济资金使用范围内" in message
    ok = ledger.settlement_post(
        patient=father, authorizer=son, visit=visit(1000, location=PlaceLocation.PROVINCE), actor=None, on=ON
    )
    assert ok.shared_fen == 740 * Y


def test_panzhihua_needs_the_filing_away_from_home(family):
    chen = family.authorizer("panzhihua", balance_yuan=1000)
    father = family.relative("panzhihua", resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    family.bind(chen, father, Relationship.PARENT)
    away = visit(500, level=InstitutionLevel.LEVEL3, location=PlaceLocation.OTHER_PROVINCE)
    refused("shared_blocked", patient=father, authorizer=chen, visit=away)
    refused("shared_blocked", patient=father, authorizer=chen, visit=visit(500, location=PlaceLocation.PROVINCE))
    filed = visit(500, level=InstitutionLevel.LEVEL3, location=PlaceLocation.OTHER_PROVINCE, filed=True)
    s = ledger.settlement_post(patient=father, authorizer=chen, visit=filed, actor=None, on=ON)
    assert (s.fund_fen, s.shared_fen) == (19250, 500 * Y - 19250)  # (500 - 150) × 55 % = 192.50


def test_out_of_scope_items(pair):
    son, father, _b = pair
    fitness = Visit("level1", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.FITNESS, 300 * Y),))
    assert "体育健身" in refused("out_of_scope_items", patient=father, authorizer=son, visit=fitness)
    mixed = Visit(
        "level1", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.DRUG, 100 * Y), Item(ItemKind.WELLNESS, 50 * Y))
    )
    s = ledger.settlement_post(patient=father, authorizer=son, visit=mixed, actor=None, on=ON)
    assert (s.shared_fen, s.cash_fen) == (100 * Y, 50 * Y)  # below the deductible: all personal


@pytest.mark.parametrize(
    "amount, code",
    [(-100, "negative_amount"), (0, "zero_amount"), ("abc", "not_a_number"), (10**10, "amount_too_large")],
)
def test_bad_amounts(pair, amount, code):
    son, father, _b = pair
    bad = Visit("level1", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.DRUG, amount),))
    refused(code, patient=father, authorizer=son, visit=bad)


def test_an_authorizer_with_a_zero_balance_cannot_pay(pair):
    son, father, _b = pair
    ledger.ledger_post(person=son, kind=EntryKind.ADJUSTMENT, amount_fen=-1000 * Y, occurred_on=ON)
    assert "余额为零" in refused("shared_blocked", patient=father, authorizer=son, visit=visit(100))


def test_the_balance_runs_out_part_way(pair):
    son, father, _b = pair
    s = ledger.settlement_post(patient=father, authorizer=son, visit=visit(1500), actor=None, on=ON)
    # fund (1500 - 600) × 65 % = 585; personal 915: 1000 available, so all shared
    assert s.shared_fen == 915 * Y
    s2 = ledger.settlement_post(patient=father, authorizer=son, visit=visit(500), actor=None, on=ON)
    # fund 500 × 65 % = 325; personal 175: the 85 left is shared, 90 cash
    assert (s2.fund_fen, s2.shared_fen, s2.cash_fen) == (325 * Y, 85 * Y, 90 * Y)
    assert balance(son) == 0
    assert_books_balance(son, father)


def test_suspension_ends_the_binding_and_the_sharing(pair, family):
    son, father, _b = pair
    services.registry_status_change(person=father, status="suspended", actor=None)
    refused("binding_ended", patient=father, authorizer=son, visit=visit(100))
    refused("patient_not_normal", patient=father, visit=visit(100))


# --- caps and notices ------------------------------------------------------------------------------------


def test_a_monthly_cap_is_enforced_shown_and_told(pair, family):
    son, father, binding = pair
    cap = ledger.spending_cap_set(binding=binding, monthly_limit_fen=100 * Y, actor=family.account(son))
    assert cap.monthly_limit_fen == 100 * Y
    assert Notice.objects.filter(person=father, title="共济上限已调整").exists()
    s1 = ledger.settlement_post(patient=father, authorizer=son, visit=visit(80), actor=None, on=ON)
    assert s1.shared_fen == 80 * Y
    s2 = ledger.settlement_post(patient=father, authorizer=son, visit=visit(50), actor=None, on=ON)
    assert (s2.shared_fen, s2.cash_fen) == (20 * Y, 30 * Y)
    assert "每月共济上限" in refused("shared_blocked", patient=father, authorizer=son, visit=visit(10))
    # A new month starts afresh.
    s3 = ledger.settlement_post(
        patient=father, authorizer=son, visit=visit(10), actor=None, on=datetime.date(2025, 7, 1)
    )
    assert s3.shared_fen == 10 * Y
    ledger.spending_cap_set(binding=binding, monthly_limit_fen=None, actor=family.account(son))
    assert SpendingCap.objects.filter(binding=binding).count() == 2  # the history stays


def test_only_the_authorizer_sets_a_cap_and_only_sensible_amounts(pair, family):
    son, father, binding = pair
    with pytest.raises(LedgerError):
        ledger.spending_cap_set(binding=binding, monthly_limit_fen=100, actor=family.account(father))
    for bad in (0, -5, 10**12):
        with pytest.raises(LedgerError):
            ledger.spending_cap_set(binding=binding, monthly_limit_fen=bad, actor=family.account(son))
    assert not SpendingCap.objects.exists()


def test_each_shared_debit_tells_the_authorizer_in_site_and_by_sms(pair):
    son, father, binding = pair
    s = ledger.settlement_post(patient=father, authorizer=son, visit=visit(100), actor=None, on=ON)
    notice = Notice.objects.get(person=son, title="家庭共济支出提醒")
    assert "100.00元" in notice.body and s.serial in notice.body and notice.binding == binding
    sms = SmsMessage.objects.filter(phone=son.phone).latest("id")
    assert "共济余额支付100.00元" in sms.body and father.name not in sms.body  # masked in a text message


def test_own_account_only_writes_no_shared_entry_and_no_notice(family):
    person = family.authorizer(balance_yuan=1000)
    s = ledger.settlement_post(patient=person, visit=visit(100), actor=None, on=ON)
    assert (s.own_account_fen, s.shared_fen) == (100 * Y, 0)
    assert not Notice.objects.exists() and balance(person) == 900 * Y


# --- 代缴 --------------------------------------------------------------------------------------------------

BEFORE_2025 = datetime.date(2024, 11, 1)


@pytest.fixture
def hunan(family):
    liu = family.authorizer("hengyang", balance_yuan=6600)
    mother = family.relative("hengyang", birth=datetime.date(1950, 2, 14))
    binding = family.bind(liu, mother, Relationship.PARENT)
    return liu, mother, binding


def test_premium_paid_once_for_the_amount_in_the_data(hunan, family):
    liu, mother, binding = hunan
    payment = ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=family.account(liu), on=BEFORE_2025)
    assert payment.amount_fen == 400 * Y and payment.serial.startswith("DJ")
    assert balance(liu) == 6200 * Y
    entry = LedgerEntry.objects.get(kind=EntryKind.PREMIUM)
    assert (entry.beneficiary, entry.premium, entry.amount_fen) == (mother, payment, -400 * Y)
    assert Notice.objects.filter(person=mother, title="居民医保已代缴").exists()
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=None, on=BEFORE_2025)
    assert info.value.code == "already_paid" and "不能重复缴纳" in info.value.message
    assert PremiumPayment.objects.count() == 1 and balance(liu) == 6200 * Y
    assert_books_balance(liu)


@pytest.mark.parametrize(
    "year, on, code",
    [
        (2026, datetime.date(2025, 11, 1), "amount_unstated"),  # no 2026 amount in the data
        (2023, BEFORE_2025, "bad_year"),
    ],
)
def test_premium_years(hunan, year, on, code):
    liu, mother, _b = hunan
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=liu, beneficiary=mother, year=year, actor=None, on=on)
    assert info.value.code == code
    assert not PremiumPayment.objects.exists() and balance(liu) == 6600 * Y


def test_premium_refusals(hunan, family):
    liu, mother, binding = hunan
    stranger = family.relative("hengyang")
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=liu, beneficiary=stranger, year=2025, actor=None, on=BEFORE_2025)
    assert info.value.code == "not_bound"
    ledger.ledger_post(person=liu, kind=EntryKind.ADJUSTMENT, amount_fen=-6300 * Y, occurred_on=BEFORE_2025)
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=None, on=BEFORE_2025)
    assert info.value.code == "insufficient_balance"
    services.binding_dissolve(binding=binding, actor=None, role="system", reason_code=DissolveReason.BY_AUTHORIZER)
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=None, on=BEFORE_2025)
    assert info.value.code == "binding_ended"
    assert not PremiumPayment.objects.exists()


def test_premium_only_for_resident_scheme_relatives(family):
    liu = family.authorizer("hengyang", balance_yuan=6600)
    wife = family.person("hengyang", birth=datetime.date(1980, 1, 1))  # 职工医保 herself
    family.bind(liu, wife, Relationship.SPOUSE)
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=liu, beneficiary=wife, year=2025, actor=None, on=BEFORE_2025)
    assert info.value.code == "not_resident_scheme"


def test_premium_scope_in_guangxi(family):
    """广西: premiums only for relatives insured in Guangxi; a son insured in 广东 is bound but not payable."""
    huang = family.authorizer("guigang", balance_yuan=4300)
    son = family.relative("440106", birth=datetime.date(2005, 9, 1))
    family.bind(huang, son, Relationship.CHILD)
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=huang, beneficiary=son, year=2025, actor=None, on=BEFORE_2025)
    assert info.value.code == "outside_premium_scope"
