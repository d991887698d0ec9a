"""The pooling arithmetic and the payment split with plain numbers: no database.

Worked examples use DOMAIN.md's numbers; test_policy_terms.py checks the same terms come out of the real policy
data, so these plain-number cases are the data's cases.
"""

import dataclasses
from decimal import Decimal

import pytest

from bindings.ledger.errors import LedgerError
from bindings.ledger.pooling import PoolingTerms, PoolingUsage, pooling_compute
from bindings.ledger.settlement import (
    Item,
    ItemKind,
    PlaceLocation,
    Relation,
    SharedAccess,
    Visit,
    check_visit,
    place_in_spend_scope,
    place_relation,
    plan_settlement,
    posting_refusal,
    shared_blocks,
    split_payment,
)
from policies.choices import SpendScope

Y = 100  # fen per yuan


def terms(share, deductible=None, cap=None, *, yearly_max=None, per_day=None, bonus=None):
    return PoolingTerms(
        share_percent=Decimal(share),
        deductible_fen=None if deductible is None else deductible * Y,
        deductible_yearly_max_fen=None if yearly_max is None else yearly_max * Y,
        yearly_cap_fen=None if cap is None else cap * Y,
        per_day_cap_fen=None if per_day is None else per_day * Y,
        retiree_bonus_points=bonus,
    )


def used(deductible=0, fund=0, day=0):
    return PoolingUsage(deductible * Y, fund * Y, day * Y)


def fund(t, in_scope_yuan, usage=None):
    return pooling_compute(t, int(Decimal(str(in_scope_yuan)) * Y), usage).fund_fen


# --- 宜春: deductible 600, level 1/2/3 60/55/50 %, cap 1800; retirees +5 points, cap 2000 ----------------------

YICHUN = {"level1": terms(60, 600, 1800), "level2": terms(55, 600, 1800), "level3": terms(50, 600, 1800)}
YICHUN_RETIRED = {
    "level1": terms(65, 600, 2000, bonus=5),
    "level2": terms(60, 600, 2000, bonus=5),
    "level3": terms(55, 600, 2000, bonus=5),
}


@pytest.mark.parametrize(
    "in_scope, level, usage, expected",
    [
        (500, "level1", used(), 0),  # all of it fills the deductible
        (600, "level1", used(), 0),  # exactly the deductible
        ("600.01", "level1", used(), "0.01"),  # one fen above: 0.6 fen rounds half up to 1
        (1000, "level1", used(), 240),  # (1000 - 600) × 60 %
        (1000, "level2", used(), 220),  # × 55 %
        (1000, "level3", used(), 200),  # × 50 %
        (1000, "level1", used(deductible=300), 420),  # 300 left to fill: (1000 - 300) × 60 %
        (1000, "level1", used(deductible=600), 600),  # deductible already filled this year
        (1000, "level1", used(deductible=600, fund=1700), 100),  # only 100 left under the 1800 cap
        (1000, "level1", used(deductible=600, fund=1800), 0),  # cap reached
        (5000, "level1", used(), 1800),  # (5000 - 600) × 60 % = 2640, capped at 1800
    ],
)
def test_yichun_employed(in_scope, level, usage, expected):
    assert fund(YICHUN[level], in_scope, usage) == int(Decimal(str(expected)) * Y)


@pytest.mark.parametrize(
    "in_scope, level, usage, expected",
    [
        (1000, "level1", used(), 260),  # 65 %
        (1000, "level2", used(), 240),  # 60 %
        (1000, "level3", used(), 220),  # 55 %
        (1000, "level1", used(deductible=600, fund=1800), 200),  # an employed member would get 0 here
        (1000, "level1", used(deductible=600, fund=1900), 100),
        (1000, "level1", used(deductible=600, fund=2000), 0),
    ],
)
def test_yichun_retired(in_scope, level, usage, expected):
    assert fund(YICHUN_RETIRED[level], in_scope, usage) == expected * Y


def test_the_steps_say_what_was_applied():
    result = pooling_compute(YICHUN_RETIRED["level1"], 1000 * Y, used(deductible=200))
    by_key = {step.key: step for step in result.steps}
    assert by_key["deductible"].amount_fen == 400 * Y and "此前已累计200.00元" in by_key["deductible"].detail
    assert "退休人员支付比例提高5个百分点" in by_key["share"].detail
    assert by_key["yearly_cap"].amount_fen == 390 * Y  # (1000 - 400) × 65 %
    assert result.complete and result.deductible_fen == 400 * Y and result.pooled_base_fen == 600 * Y


# --- 攀枝花: employed 200 / 50 % (level 3, pharmacy) / 60 % (level 2 and below) / cap 1000;
#     retired 150 / 55 % / 65 % / cap 1500 ----------------------------------------------------------------------

PZH = {"level3": terms(50, 200, 1000), "pharmacy": terms(50, 200, 1000), "level2": terms(60, 200, 1000)}
PZH_RETIRED = {"level3": terms(55, 150, 1500), "pharmacy": terms(55, 150, 1500), "level2": terms(65, 150, 1500)}


@pytest.mark.parametrize(
    "table, level, in_scope, usage, expected",
    [
        (PZH, "level3", 200, used(), 0),
        (PZH, "level3", 500, used(), 150),  # (500 - 200) × 50 %
        (PZH, "pharmacy", 500, used(), 150),
        (PZH, "level2", 500, used(), 180),  # × 60 %
        (PZH, "level2", 500, used(deductible=200, fund=950), 50),  # the 1000 cap
        (PZH, "level2", 500, used(deductible=200, fund=1000), 0),
        (PZH_RETIRED, "level3", 150, used(), 0),
        (PZH_RETIRED, "level3", 500, used(), "192.50"),  # (500 - 150) × 55 %
        (PZH_RETIRED, "level2", 500, used(), "227.50"),  # × 65 %
        (PZH_RETIRED, "level2", 500, used(deductible=150, fund=1400), 100),  # the 1500 cap
    ],
)
def test_panzhihua(table, level, in_scope, usage, expected):
    assert fund(table[level], in_scope, usage) == int(Decimal(str(expected)) * Y)


# --- 衡阳: level 1 and community no deductible 70 %; level 2 200 / 60 %; level 3 300 / 60 %;
#     at most 300 of deductible a year; no yearly cap stated ---------------------------------------------------

HY = {
    "level1": terms(70, 0, yearly_max=300),
    "community": terms(70, 0, yearly_max=300),
    "level2": terms(60, 200, yearly_max=300),
    "level3": terms(60, 300, yearly_max=300),
}


@pytest.mark.parametrize(
    "level, in_scope, usage, expected",
    [
        ("level1", 100, used(), 70),  # no deductible at level 1
        ("community", 100, used(), 70),
        ("level2", 150, used(), 0),  # 150 of the 200 filled
        ("level2", 500, used(deductible=150), 270),  # 50 left: (500 - 50) × 60 %
        ("level2", 500, used(deductible=200), 300),
        ("level3", 500, used(), 120),  # (500 - 300) × 60 %
        ("level3", 500, used(deductible=200), 240),  # level 2 filled 200, level 3 asks 100 more
        ("level3", 500, used(deductible=300), 300),  # 300 a year at most
        ("level2", 500, used(deductible=300), 300),  # after level 3 nothing more at level 2
        ("level1", 500, used(deductible=300), 350),
    ],
)
def test_hengyang(level, in_scope, usage, expected):
    assert fund(HY[level], in_scope, usage) == expected * Y


def test_hengyang_never_fills_more_than_300_a_year():
    first = pooling_compute(HY["level2"], 200 * Y)
    second = pooling_compute(HY["level3"], 1000 * Y, PoolingUsage(first.deductible_fen))
    assert first.deductible_fen + second.deductible_fen == 300 * Y


def test_hengyang_states_no_yearly_cap_so_it_is_incomplete():
    result = pooling_compute(HY["level2"], 10_000 * Y)
    assert result.fund_fen == (10_000 - 200) * 60 * Y // 100  # no cap applied, and it says so
    assert not result.complete and result.missing == ["年度最高支付限额"]
    assert any("未在来源中说明" in step.detail for step in result.steps if step.key == "yearly_cap")


# --- 泸州: 50 % (level 3, pharmacy) / 60 % (level 2 and below); retirees +10 points; deductible and cap unstated

LZ = {"level3": terms(50), "level2": terms(60)}
LZ_RETIRED = {"level3": terms(60, bonus=10), "level2": terms(70, bonus=10)}


@pytest.mark.parametrize(
    "table, level, expected",
    [(LZ, "level3", 500), (LZ, "level2", 600), (LZ_RETIRED, "level3", 600), (LZ_RETIRED, "level2", 700)],
)
def test_luzhou_shares(table, level, expected):
    result = pooling_compute(table[level], 1000 * Y)
    assert result.fund_fen == expected * Y
    assert not result.complete and result.missing == ["起付线", "年度最高支付限额"]
    assert result.deductible_fen == 0


# --- 贵港 居民医保: per-day limits 150 (level 2+) 65 %, 100 (level 1-) 75 %, 70 (village clinic) 85 % -------------

# 贵港 居民医保: per-day caps only. Seed 003 does not state a deductible; these worked examples fill in 0 to check
# the per-day arithmetic, while the data leaves it out (GG_STATED) and the simulator asks for the slip's amount.
GG = {
    "level3": terms(65, 0, per_day=150),
    "level2": terms(65, 0, per_day=150),
    "level1": terms(75, 0, per_day=100),
    "community": terms(75, 0, per_day=100),
    "village_clinic": terms(85, 0, per_day=70),
}
GG_STATED = {level: dataclasses.replace(level_terms, deductible_fen=None) for level, level_terms in GG.items()}
# The same terms with the deductible unknown: what a region whose source is silent looks like.
INCOMPLETE = terms(65, per_day=150)


@pytest.mark.parametrize(
    "level, in_scope, usage, expected",
    [
        ("level2", 100, used(), "65"),
        ("level2", 150, used(), "97.50"),  # exactly the day's limit
        ("level2", 200, used(), "97.50"),  # above it: 150 counted
        ("level3", 200, used(day=100), "32.50"),  # 50 left today
        ("level3", 200, used(day=150), "0"),  # the day is used up
        ("level1", 100, used(), "75"),
        ("level1", 120, used(), "75"),
        ("community", 99, used(), "74.25"),
        ("village_clinic", 70, used(), "59.50"),
        ("village_clinic", 100, used(), "59.50"),
        ("village_clinic", "0.01", used(), "0.01"),  # 0.85 fen rounds half up to 1
    ],
)
def test_guigang_residents(level, in_scope, usage, expected):
    assert fund(GG[level], in_scope, usage) == int(Decimal(expected) * Y)


def test_an_unknown_deductible_is_said_so():
    result = pooling_compute(INCOMPLETE, 100 * Y)
    assert result.missing == ["起付线"]  # the per-day limit stands in for a yearly cap
    assert "起付线未在来源中说明" in result.steps[1].detail
    assert pooling_compute(GG["level2"], 100 * Y).missing == []


def test_unstated_terms_pay_nothing_and_say_so():
    result = pooling_compute(PoolingTerms(stated=False), 300 * Y)
    assert result.fund_fen == 0 and not result.complete and "未在来源中说明" in result.steps[-1].detail
    no_share = pooling_compute(PoolingTerms(deductible_fen=0, yearly_cap_fen=100 * Y), 300 * Y)
    assert no_share.fund_fen == 0 and no_share.missing == ["该类机构的统筹支付比例"]


# --- the payment order: own account, shared balance, cash ---------------------------------------------------


def shared(balance, *, cap=None, cap_used=0, blocked=()):
    return SharedAccess("王建国", balance * Y, list(blocked), None if cap is None else cap * Y, cap_used * Y)


@pytest.mark.parametrize(
    "personal, own_balance, access, expected",
    [
        (300, 500, shared(1000), (300, 0, 0)),  # own account covers everything: the shared balance is not touched
        (300, 100, shared(1000), (100, 200, 0)),  # own first, then shared
        (300, 0, shared(1000), (0, 300, 0)),
        (300, None, shared(1000), (0, 300, 0)),  # 居民医保: no own account
        (300, None, shared(120), (0, 120, 180)),  # shared balance runs out: cash
        (300, None, shared(1000, cap=100), (0, 100, 200)),  # the monthly cap: cash
        (300, None, shared(1000, cap=100, cap_used=60), (0, 40, 260)),
        (300, 50, shared(1000, blocked=["就医地不在范围内。"]), (50, 0, 250)),
        (300, 50, None, (50, 0, 250)),  # nobody shares with him
    ],
)
def test_payment_order(personal, own_balance, access, expected):
    split = split_payment(
        visit_in_scope_fen=personal * Y,
        out_of_scope_fen=0,
        fund_fen=0,
        own_balance_fen=None if own_balance is None else own_balance * Y,
        shared=access,
    )
    assert (split.own_account_fen, split.shared_fen, split.cash_fen) == tuple(x * Y for x in expected)
    assert split.fund_fen + split.own_account_fen + split.shared_fen + split.cash_fen == personal * Y


def test_out_of_scope_items_go_to_cash_even_with_money_in_both_accounts():
    v = Visit(
        "level1", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.DRUG, 100 * Y), Item(ItemKind.FITNESS, 80 * Y))
    )
    plan = plan_settlement(
        visit=v, terms=terms(60, 0, 1800), usage=PoolingUsage(), own_balance_fen=10_000 * Y, shared=shared(1000)
    )
    assert (plan.split.fund_fen, plan.split.own_account_fen, plan.split.shared_fen, plan.split.cash_fen) == (
        60 * Y,
        40 * Y,
        0,
        80 * Y,
    )
    assert "体育健身" in plan.split.steps[-1].detail


def test_only_out_of_scope_items_cannot_be_posted():
    v = Visit("level1", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.WELLNESS, 300 * Y),))
    plan = plan_settlement(
        visit=v, terms=terms(60, 0, 1800), usage=PoolingUsage(), own_balance_fen=None, shared=shared(500)
    )
    assert plan.split.cash_fen == 300 * Y
    assert posting_refusal(plan, wants_shared=True).code == "out_of_scope_items"


def test_blocked_shared_balance_is_a_refusal_when_it_was_needed():
    v = Visit("level1", PlaceLocation.OTHER_PROVINCE, False, (Item(ItemKind.DRUG, 300 * Y),))
    access = shared(
        500,
        blocked=shared_blocks(
            binding_active=True,
            place_ok=False,
            scope_label="本省（区）内使用",
            balance_fen=1,
            cap_fen=None,
            cap_used_fen=0,
        ),
    )
    plan = plan_settlement(
        visit=v, terms=terms(60, 600, 1800), usage=PoolingUsage(), own_balance_fen=None, shared=access
    )
    refusal = posting_refusal(plan, wants_shared=True)
    assert refusal.code == "shared_blocked" and "就医地不在共济资金使用范围内（本省（区）内使用）" in refusal.message


def test_zero_balance_and_reached_cap_are_reasons():
    reasons = shared_blocks(
        binding_active=True, place_ok=True, scope_label="", balance_fen=0, cap_fen=100, cap_used_fen=100
    )
    assert reasons == ["授权人个人账户余额为零，无法共济。", "已达到授权人设定的每月共济上限1.00元（本月已用1.00元）。"]


def test_incomplete_terms_need_the_slip_amount_to_post():
    v = Visit("level2", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.DRUG, 100 * Y),))
    plan = plan_settlement(visit=v, terms=INCOMPLETE, usage=PoolingUsage(), own_balance_fen=None, shared=shared(500))
    assert plan.split.fund_fen == 65 * Y  # shown as an estimate
    assert posting_refusal(plan, wants_shared=True).code == "pooling_unstated"
    declared = plan_settlement(
        visit=v,
        terms=INCOMPLETE,
        usage=PoolingUsage(),
        own_balance_fen=None,
        shared=shared(500),
        declared_fund_fen=60 * Y,
    )
    assert declared.pooling.declared and declared.split.fund_fen == 60 * Y and declared.split.shared_fen == 40 * Y
    assert posting_refusal(declared, wants_shared=True) is None
    with pytest.raises(LedgerError):
        plan_settlement(
            visit=v,
            terms=INCOMPLETE,
            usage=PoolingUsage(),
            own_balance_fen=None,
            shared=None,
            declared_fund_fen=101 * Y,
        )


def test_complete_terms_ignore_a_slip_amount():
    v = Visit("level1", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.DRUG, 1000 * Y),))
    plan = plan_settlement(
        visit=v, terms=YICHUN["level1"], usage=PoolingUsage(), own_balance_fen=0, shared=None, declared_fund_fen=1
    )
    assert plan.split.fund_fen == 240 * Y and plan.notes


# --- places ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scope, relation, filed, allowed",
    [
        (SpendScope.CITY, Relation.SAME_CITY, False, True),
        (SpendScope.CITY, Relation.SAME_PROVINCE, True, False),
        (SpendScope.PROVINCE, Relation.SAME_PROVINCE, False, True),
        (SpendScope.PROVINCE, Relation.OTHER_PROVINCE, True, False),  # 江西: cross-province not yet opened
        (SpendScope.NATIONWIDE_WITH_FILING, Relation.SAME_CITY, False, True),
        (SpendScope.NATIONWIDE_WITH_FILING, Relation.SAME_PROVINCE, False, False),  # 攀枝花: 异地 needs filing
        (SpendScope.NATIONWIDE_WITH_FILING, Relation.OTHER_PROVINCE, True, True),
        (SpendScope.NATIONWIDE_WITH_FILING, Relation.OTHER_PROVINCE, False, False),
        (SpendScope.NATIONWIDE, Relation.OTHER_PROVINCE, False, True),
    ],
)
def test_spend_scope(scope, relation, filed, allowed):
    assert place_in_spend_scope(scope, relation, filed=filed) is allowed


@pytest.mark.parametrize(
    "location, patient_city, authorizer_city, expected",
    [
        (PlaceLocation.INSURED_CITY, "360900", "360900", Relation.SAME_CITY),
        (PlaceLocation.PROVINCE, "360900", "360900", Relation.SAME_PROVINCE),
        (PlaceLocation.INSURED_CITY, "360100", "360900", Relation.SAME_PROVINCE),
        (PlaceLocation.OTHER_PROVINCE, "360900", "360900", Relation.OTHER_PROVINCE),
        (PlaceLocation.INSURED_CITY, "440100", "450800", Relation.OTHER_PROVINCE),  # son insured in 广东
    ],
)
def test_place_relation(location, patient_city, authorizer_city, expected):
    assert place_relation(location=location, patient_city=patient_city, authorizer_city=authorizer_city) == expected


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, code",
    [
        (-100, "negative_amount"),
        (0, "zero_amount"),
        ("12", "not_a_number"),
        (1.5, "not_a_number"),
        (10**9, "amount_too_large"),
    ],
)
def test_bad_amounts_are_refused(amount, code):
    with pytest.raises(LedgerError) as info:
        check_visit(Visit("level1", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.DRUG, amount),)))
    assert info.value.code == code


def test_a_visit_needs_items_a_level_and_a_place():
    for bad, code in [
        (Visit("level1", PlaceLocation.INSURED_CITY, False, ()), "no_items"),
        (Visit("hospital", PlaceLocation.INSURED_CITY, False, (Item(ItemKind.DRUG, 1),)), "bad_level"),
        (Visit("level1", "moon", False, (Item(ItemKind.DRUG, 1),)), "bad_location"),
        (Visit("level1", PlaceLocation.INSURED_CITY, False, (Item("massage", 1),)), "bad_item"),
    ]:
        with pytest.raises(LedgerError) as info:
            check_visit(bad)
        assert info.value.code == code
