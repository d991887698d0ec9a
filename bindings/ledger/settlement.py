"""Settlement arithmetic: who pays the personal share, after the pooling share (pooling.py). Plain numbers only.

No database here. The services in bindings/ledger/services.py gather the facts (the policy terms, balances, what was
already used this year) and this module does the sums, so every worked example can be tested with integers.
Money is integer fen; percentages are Decimal; nothing is ever a float.

"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Category
from policies.choices import InstitutionLevel, SpendScope

from .errors import LedgerError
from .money import MAX_ITEM_FEN, MAX_LEDGER_FEN, fen_text, percent_of
from .pooling import PoolingResult, PoolingTerms, PoolingUsage, Step, pooling_compute, pooling_declared

MAX_ITEMS = 8
# An inpatient stay's slip may be larger than one outpatient item; beyond this (1 000 000 元) it is a typing slip.
MAX_SLIP_FEN = MAX_LEDGER_FEN


class CareKind(models.TextChoices):
    """门诊 or 住院: what the settlement is for (Settlement.care)."""

    OUTPATIENT = "outpatient", gettext_lazy("门诊")
    INPATIENT = "inpatient", gettext_lazy("住院")


class ItemKind(models.TextChoices):
    TREATMENT = "treatment", gettext_lazy("诊疗费（政策范围内）")
    DRUG = "drug", gettext_lazy("药品")
    DEVICE = "device", gettext_lazy("医疗器械")
    CONSUMABLE = "consumable", gettext_lazy("医用耗材")
    FITNESS = "fitness", gettext_lazy("体育健身")
    WELLNESS = "wellness", gettext_lazy("养生保健")
    PUBLIC_HEALTH = "public_health", gettext_lazy("公共卫生费用（如疫苗接种、体检）")


# What the personal account (one's own or the shared balance) may pay for: all seeds, 国办发〔2021〕14号.
IN_SCOPE_KINDS = frozenset({ItemKind.TREATMENT, ItemKind.DRUG, ItemKind.DEVICE, ItemKind.CONSUMABLE})


class PlaceLocation(models.TextChoices):
    """Where the visit is, as the patient knows it: relative to his own insured city."""

    INSURED_CITY = "insured_city", gettext_lazy("参保地（本市）")
    PROVINCE = "province", gettext_lazy("参保省内其他城市")
    OTHER_PROVINCE = "other_province", gettext_lazy("外省")


class Relation(enum.Enum):
    """Where the visit is relative to the authorizer's insured region (what the spend scope is about)."""

    SAME_CITY = "same_city"
    SAME_PROVINCE = "same_province"
    OTHER_PROVINCE = "other_province"


def place_relation(*, location: str, patient_city: str, authorizer_city: str) -> Relation:
    """Translate the patient's answer into the authorizer's terms.

    When the two are insured in different provinces, a place outside the patient's province cannot be shown
    to be inside the authorizer's, so it counts as another province (the cautious reading).
    """
    if location == PlaceLocation.OTHER_PROVINCE:
        return Relation.OTHER_PROVINCE
    if patient_city[:2] != authorizer_city[:2]:
        return Relation.OTHER_PROVINCE
    if location == PlaceLocation.INSURED_CITY and patient_city == authorizer_city:
        return Relation.SAME_CITY
    return Relation.SAME_PROVINCE


def place_in_spend_scope(scope: str, relation: Relation, *, filed: bool) -> bool:
    """May the shared balance pay at this place? `scope` is a SpendScope value."""
    if relation == Relation.SAME_CITY:
        return True
    if scope == SpendScope.NATIONWIDE:
        return True
    if scope == SpendScope.NATIONWIDE_WITH_FILING:
        return filed
    if scope == SpendScope.PROVINCE:
        return relation == Relation.SAME_PROVINCE
    return False  # SpendScope.CITY, or anything unknown


# --- the visit ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    kind: str
    amount_fen: int

    @property
    def in_scope(self) -> bool:
        return self.kind in IN_SCOPE_KINDS

    @property
    def label(self) -> str:
        return str(ItemKind(self.kind).label)


@dataclass(frozen=True)
class Visit:
    """An outpatient visit or a pharmacy purchase, item by item."""

    level: str  # InstitutionLevel
    location: str  # PlaceLocation
    filed: bool  # 异地就医备案
    items: tuple[Item, ...]
    care: ClassVar[str] = CareKind.OUTPATIENT

    @property
    def care_label(self) -> str:
        return str(CareKind(self.care).label)

    @property
    def in_scope_fen(self) -> int:
        return sum(item.amount_fen for item in self.items if item.in_scope)

    @property
    def out_of_scope_fen(self) -> int:
        return sum(item.amount_fen for item in self.items if not item.in_scope)

    @property
    def total_fen(self) -> int:
        return self.in_scope_fen + self.out_of_scope_fen


def check_visit(visit: Visit) -> None:
    """The shape of the input, checked again in the service whatever the form did."""
    if visit.level not in InstitutionLevel.values:
        raise LedgerError(_("请选择就医机构类别。"), code="bad_level")
    if visit.location not in PlaceLocation.values:
        raise LedgerError(_("请选择就医地。"), code="bad_location")
    if not visit.items:
        raise LedgerError(_("请至少填写一项费用。"), code="no_items")
    if len(visit.items) > MAX_ITEMS:
        raise LedgerError(_("一次最多填写%(n)s项费用。") % {"n": MAX_ITEMS}, code="too_many_items")
    for item in visit.items:
        if item.kind not in ItemKind.values:
            raise LedgerError(_("未知的费用类别。"), code="bad_item")
        check_amount(item.amount_fen)


def check_amount(fen, *, limit: int = MAX_ITEM_FEN) -> None:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise LedgerError(_("金额须为数字。"), code="not_a_number")
    if fen < 0:
        raise LedgerError(_("金额不能为负数。"), code="negative_amount")
    if fen == 0:
        raise LedgerError(_("金额须大于0元。"), code="zero_amount")
    if fen > limit:
        raise LedgerError(
            _("金额不能超过%(max)s元，请核对是否多输了数字。") % {"max": fen_text(limit)}, code="amount_too_large"
        )


@dataclass(frozen=True)
class InpatientSlip:
    """住院: the amounts printed on the hospital's settlement slip (结算单). The fund's share of an inpatient stay
    follows rules the sources do not give, so it is always the slip's figure (FundSource.DECLARED)."""

    level: str  # InstitutionLevel
    location: str  # PlaceLocation
    filed: bool  # 异地就医备案
    total_fen: int  # 总费用
    in_scope_fen: int  # 政策范围内费用
    fund_fen: int  # 统筹基金支付
    care: ClassVar[str] = CareKind.INPATIENT
    items: ClassVar[tuple] = ()

    @property
    def care_label(self) -> str:
        return str(CareKind(self.care).label)

    @property
    def out_of_scope_fen(self) -> int:
        return self.total_fen - self.in_scope_fen


def check_slip(slip: InpatientSlip) -> None:
    """The slip's shape, checked again in the service whatever the form did: fund ≤ in-scope ≤ total, none negative."""
    if slip.level not in InstitutionLevel.values or slip.level == InstitutionLevel.PHARMACY:
        raise LedgerError(_("请选择住院的定点医疗机构类别。"), code="bad_level")
    if slip.location not in PlaceLocation.values:
        raise LedgerError(_("请选择就医地。"), code="bad_location")
    check_amount(slip.total_fen, limit=MAX_SLIP_FEN)
    for fen in (slip.in_scope_fen, slip.fund_fen):
        if fen != 0:
            check_amount(fen, limit=MAX_SLIP_FEN)
    if slip.in_scope_fen > slip.total_fen:
        raise LedgerError(_("政策范围内费用不能大于总费用，请按结算单核对。"), code="in_scope_above_total")
    if slip.fund_fen > slip.in_scope_fen:
        raise LedgerError(_("统筹基金支付不能大于政策范围内费用，请按结算单核对。"), code="fund_above_in_scope")


def inpatient_blocks(
    *,
    allowed: bool | None,
    authority: str,
    cross_province: bool,
    cross_filed_rule: bool | None,
    filed: bool,
    province: str,
) -> list[str]:
    """Why the shared balance may not pay for this inpatient stay (PolicyVersion.inpatient_allowed and
    inpatient_cross_province_filed of the authorizer's region). Silent sources: it may not, and the reason says so."""
    if allowed is None:
        return [_("共济余额能否支付住院费用未在来源中说明，本厅暂不能用共济余额支付住院费用。")]
    if not allowed:
        return [_("%(who)s规定共济余额不能支付住院费用。") % {"who": authority}]
    if not cross_province:
        return []
    if cross_filed_rule is None:
        return [_("在外省参保的家人住院能否使用共济余额未在来源中说明，本厅暂不能用共济余额支付。")]
    if not cross_filed_rule:
        return [_("%(who)s规定在外省参保的家人住院不能使用共济余额。") % {"who": authority}]
    if not filed:
        return [
            _("患者在外省参保，住院使用共济余额须已办理异地就医备案到%(province)s（%(who)s）。")
            % {"province": province, "who": authority}
        ]
    return []


# --- who pays the personal share ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedAccess:
    """Everything that decides whether the authorizer's balance may pay. `blocked` holds the reasons."""

    authorizer_name: str
    balance_fen: int
    blocked: list[str] = field(default_factory=list)
    cap_fen: int | None = None
    cap_used_fen: int = 0

    @property
    def cap_room_fen(self) -> int | None:
        if self.cap_fen is None:
            return None
        return max(0, self.cap_fen - self.cap_used_fen)


def shared_blocks(*, binding_active: bool, place_ok: bool, scope_label: str, balance_fen: int, cap_fen, cap_used_fen):
    """Why the shared balance cannot pay, in the order a resident would want to hear it."""
    reasons = []
    if not binding_active:
        reasons.append(_("共济关系未生效或已解除。"))
    if not place_ok:
        reasons.append(_("就医地不在共济资金使用范围内（%(scope)s）。") % {"scope": scope_label})
    if balance_fen <= 0:
        reasons.append(_("授权人个人账户余额为零，无法共济。"))
    if cap_fen is not None and cap_used_fen >= cap_fen:
        reasons.append(
            _("已达到授权人设定的每月共济上限%(cap)s元（本月已用%(used)s元）。")
            % {"cap": fen_text(cap_fen), "used": fen_text(cap_used_fen)}
        )
    return reasons


@dataclass(frozen=True)
class PaymentSplit:
    fund_fen: int
    own_account_fen: int
    shared_fen: int
    cash_fen: int
    steps: list[Step]
    shared_wanted_fen: int  # the personal share left after one's own account, which the shared balance could pay
    shared_blocked: list[str]


def split_payment(
    *,
    visit_in_scope_fen: int,
    out_of_scope_fen: int,
    fund_fen: int,
    own_balance_fen: int | None,
    shared: SharedAccess | None,
    out_of_scope_labels: tuple[str, ...] = (),
) -> PaymentSplit:
    """Payment order (seed 000, 002, 004): one's own account, then the shared balance, then cash.

    `own_balance_fen` None: the patient has no personal account (居民医保). `shared` None: nobody shares.
    Out-of-scope items go to cash whatever the balances.
    """
    personal = visit_in_scope_fen - fund_fen
    steps = [Step(_("个人负担（政策范围内）"), _("政策范围内费用减去统筹基金支付。"), personal, "personal")]
    if own_balance_fen is None:
        own = 0
        steps.append(Step(_("本人个人账户"), _("居民医保参保人没有个人账户。"), 0, "own"))
    else:
        own = min(max(own_balance_fen, 0), personal)
        detail = _("先用患者本人的个人账户。")
        if own < personal:
            detail += _("本人个人账户余额不足，不足部分继续往下支付。")
        steps.append(Step(_("本人个人账户支付"), detail, own, "own"))
    rest = personal - own
    shared_paid = 0
    blocked: list[str] = []
    if shared is not None:
        blocked = list(shared.blocked)
        if rest > 0 and not blocked:
            shared_paid = min(rest, shared.balance_fen)
            room = shared.cap_room_fen
            if room is not None:
                shared_paid = min(shared_paid, room)
        if rest == 0:
            detail = _("本人个人账户已足够，不使用%(name)s的共济余额。") % {"name": shared.authorizer_name}
        elif blocked:
            detail = _("不能使用%(name)s的共济余额：") % {"name": shared.authorizer_name} + "".join(blocked)
        else:
            detail = _("由%(name)s的个人账户共济余额支付。") % {"name": shared.authorizer_name}
            if shared_paid < rest:
                if shared.cap_room_fen is not None and shared_paid == shared.cap_room_fen:
                    detail += _("已用到每月共济上限%(cap)s元，其余现金支付。") % {"cap": fen_text(shared.cap_fen)}
                else:
                    detail += _("共济余额不足，其余现金支付。")
        steps.append(Step(_("共济余额支付"), detail, shared_paid, "shared"))
    cash = rest - shared_paid + out_of_scope_fen
    detail = _("剩余的个人负担由现金支付。")
    if out_of_scope_fen:
        detail += _("其中%(labels)s%(amount)s元不属于基本医疗保险保障范围，不能使用个人账户或共济余额。") % {
            "labels": "、".join(out_of_scope_labels),
            "amount": fen_text(out_of_scope_fen),
        }
    steps.append(Step(_("现金支付"), detail, cash, "cash"))
    return PaymentSplit(fund_fen, own, shared_paid, cash, steps, rest, blocked)


@dataclass(frozen=True)
class SettlementPlan:
    visit: Visit
    pooling: PoolingResult
    split: PaymentSplit
    notes: list[str] = field(default_factory=list)

    @property
    def steps(self) -> list[Step]:
        return self.pooling.steps + self.split.steps

    @property
    def total_fen(self) -> int:
        return self.visit.total_fen


def plan_settlement(
    *,
    visit: Visit,
    terms: PoolingTerms,
    usage: PoolingUsage,
    own_balance_fen: int | None,
    shared: SharedAccess | None,
    declared_fund_fen: int | None = None,
) -> SettlementPlan:
    """The whole settlement: pooling (or the slip's fund amount where the terms are incomplete), then the split."""
    in_scope = visit.in_scope_fen
    notes = []
    if terms.complete or declared_fund_fen is None:
        pooling = pooling_compute(terms, in_scope, usage)
        if terms.complete and declared_fund_fen is not None:
            notes.append(_("统筹支付已按政策标准计算，未使用填写的结算单金额。"))
    else:
        pooling = pooling_declared(terms, in_scope, declared_fund_fen)
    labels = tuple(sorted({item.label for item in visit.items if not item.in_scope}))
    split = split_payment(
        visit_in_scope_fen=in_scope,
        out_of_scope_fen=visit.out_of_scope_fen,
        fund_fen=pooling.fund_fen,
        own_balance_fen=own_balance_fen,
        shared=shared,
        out_of_scope_labels=labels,
    )
    return SettlementPlan(visit, pooling, split, notes)


def plan_inpatient(*, slip: InpatientSlip, own_balance_fen: int | None, shared: SharedAccess | None) -> SettlementPlan:
    """住院: the slip's fund amount, then the same payment order as a visit (split_payment)."""
    steps = [
        Step(_("住院总费用"), _("按医院结算单填写。"), slip.total_fen, "total"),
        Step(
            _("政策范围内费用"),
            _("按医院结算单填写；其余%(out)s元为政策范围外费用。") % {"out": fen_text(slip.out_of_scope_fen)},
            slip.in_scope_fen,
            "in_scope",
        ),
        Step(
            _("统筹基金支付（按结算单）"),
            _("住院统筹支付按医院结算单金额计，本厅不另行计算。"),
            slip.fund_fen,
            "fund",
        ),
    ]
    pooling = PoolingResult(0, 0, slip.fund_fen, steps, True, [], declared=True)
    split = split_payment(
        visit_in_scope_fen=slip.in_scope_fen,
        out_of_scope_fen=slip.out_of_scope_fen,
        fund_fen=slip.fund_fen,
        own_balance_fen=own_balance_fen,
        shared=shared,
        out_of_scope_labels=(_("政策范围外费用"),),
    )
    return SettlementPlan(slip, pooling, split)


def posting_refusal(plan: SettlementPlan, *, wants_shared: bool) -> LedgerError | None:
    """Why this plan may be shown but not written to the ledger, or None."""
    if plan.visit.care == CareKind.INPATIENT and plan.visit.in_scope_fen == 0:
        return LedgerError(
            _("结算单上的政策范围内费用为0元：政策范围外费用不能使用个人账户或共济余额支付。"),
            code="out_of_scope_items",
        )
    if plan.visit.in_scope_fen == 0:
        return LedgerError(
            _(
                "所列项目均不属于基本医疗保险保障范围（体育健身、养生保健、公共卫生等），不能使用个人账户或共济余额支付。"
            ),
            code="out_of_scope_items",
        )
    if not plan.pooling.complete:
        return LedgerError(
            _(
                "%(missing)s未在来源中说明，统筹基金支付无法计算。本次只能试算；请按定点机构结算单填写统筹基金支付金额后再记账。"
            )
            % {"missing": "、".join(plan.pooling.missing)},
            code="pooling_unstated",
        )
    split = plan.split
    if wants_shared and split.shared_wanted_fen > 0 and split.shared_fen == 0 and split.shared_blocked:
        return LedgerError(_("不能使用共济余额：") + "".join(split.shared_blocked), code="shared_blocked")
    if split.own_account_fen + split.shared_fen == 0:
        return LedgerError(_("本次个人负担全部由现金支付，没有需要记入个人账户的金额。"), code="nothing_to_post")
    return None


# --- monthly credits ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditTerms:
    """How a region credits personal accounts each month. None: the sources do not state it as data."""

    flexible_percent: Decimal | None = None
    retiree_monthly_fen: int | None = None


def monthly_credit_fen(
    *,
    category: str,
    terms: CreditTerms,
    own_contribution_fen: int | None = None,
    contribution_base_fen: int | None = None,
) -> int:
    """Employed: the member's own contribution. Flexibly employed: a percentage of the contribution base.
    Retired: the region's fixed monthly amount. (seed 000, 002)"""
    if category == Category.EMPLOYED:
        if own_contribution_fen is None:
            raise LedgerError(_("请填写本月个人缴纳的医保费。"), code="contribution_missing")
        check_amount(own_contribution_fen)
        return own_contribution_fen
    if category == Category.FLEXIBLE:
        if terms.flexible_percent is None:
            raise LedgerError(
                _("灵活就业人员个人账户计入比例未在来源中说明（政策数据中没有），暂不能计入。"), code="credit_unstated"
            )
        if contribution_base_fen is None:
            raise LedgerError(_("请填写本人缴费基数。"), code="contribution_missing")
        check_amount(contribution_base_fen)
        return percent_of(contribution_base_fen, terms.flexible_percent)
    if category == Category.RETIRED:
        if terms.retiree_monthly_fen is None:
            raise LedgerError(
                _("退休人员个人账户定额划入标准未在来源中说明（政策数据中没有），暂不能计入。"), code="credit_unstated"
            )
        return terms.retiree_monthly_fen
    raise LedgerError(_("居民医保参保人没有个人账户。"), code="no_account")
