"""Outpatient pooling (普通门诊统筹) arithmetic: the share the fund pays before any personal account is touched.

Plain numbers only, like settlement.py: the policy terms come in as PoolingTerms, what the year already used as
PoolingUsage, and each step of the sum is returned so the resident can check it.

Reading of the sources where they are terse (each is shown to the resident as a step, so it can be checked):
- 起付线 is one yearly running total. At a level with its own threshold (衡阳: 0 / 200 / 300) the visit must
  fill that level's threshold, less what the year has already filled; a yearly maximum (衡阳: 300) caps it.
- 单日门诊限额 (贵港, 居民医保) limits the in-scope cost the fund counts for one day (费用限额), the fund pays its
  share of that; the per-day limit plays the part of a yearly cap.
- A fund amount is rounded half up to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import Category

from .errors import LedgerError
from .money import fen_text, percent_of, yuan_to_fen


@dataclass(frozen=True)
class PoolingTerms:
    """One member's 普通门诊统筹 terms at one kind of institution. None: the sources do not state it."""

    stated: bool = True
    share_percent: Decimal | None = None
    deductible_fen: int | None = None
    deductible_yearly_max_fen: int | None = None
    yearly_cap_fen: int | None = None
    per_day_cap_fen: int | None = None
    retiree_bonus_points: int | None = None  # shown when the share was raised for a retiree
    retiree_rule: bool = False  # a rule written for retirees themselves (攀枝花)
    authority: str = ""  # who states it, for the resident to check

    @property
    def missing(self) -> list[str]:
        """What the sources leave out that the fund share depends on."""
        if not self.stated:
            return [_("普通门诊统筹标准")]
        missing = []
        if self.share_percent is None:
            missing.append(_("该类机构的统筹支付比例"))
        if self.deductible_fen is None and self.deductible_yearly_max_fen is None:
            missing.append(_("起付线"))
        if self.yearly_cap_fen is None and self.per_day_cap_fen is None:
            missing.append(_("年度最高支付限额"))
        return missing

    @property
    def complete(self) -> bool:
        return not self.missing


UNSTATED = PoolingTerms(stated=False)


def terms_for(params, level: str, *, authority: str = "") -> PoolingTerms:
    """PoolingTerms from policies.selectors.PoolingParams (already adjusted for retirees) at one level."""
    if params is None:
        return PoolingTerms(stated=False, authority=authority)
    at_level = params.levels.get(level)
    share = None
    deductible = params.deductible_yuan
    per_day = None
    if at_level is not None:
        if at_level.fund_share_percent is not None:
            share = Decimal(at_level.fund_share_percent)
        if at_level.deductible_yuan is not None:
            deductible = at_level.deductible_yuan
        per_day = at_level.per_day_cap_yuan
    bonus = None
    if params.category == Category.RETIRED and params.retiree_adjusted:
        bonus = params.rule.retiree_share_bonus_points or None
    return PoolingTerms(
        stated=True,
        share_percent=share,
        deductible_fen=yuan_to_fen(deductible),
        deductible_yearly_max_fen=yuan_to_fen(params.deductible_yearly_max_yuan),
        yearly_cap_fen=yuan_to_fen(params.yearly_cap_yuan),
        per_day_cap_fen=yuan_to_fen(per_day),
        retiree_bonus_points=bonus,
        retiree_rule=params.rule.category == Category.RETIRED,
        authority=authority,
    )


@dataclass(frozen=True)
class PoolingUsage:
    """What the patient's earlier settlements this year (and today) have already used."""

    deductible_used_fen: int = 0
    fund_paid_fen: int = 0
    day_counted_fen: int = 0


@dataclass(frozen=True)
class Step:
    title: str
    detail: str
    amount_fen: int | None = None
    key: str = ""


@dataclass(frozen=True)
class PoolingResult:
    deductible_fen: int  # deductible filled by this visit
    pooled_base_fen: int  # in-scope cost the fund pays its share of
    fund_fen: int
    steps: list[Step]
    complete: bool
    missing: list[str]
    declared: bool = False  # the fund amount was typed from the settlement slip


def pooling_compute(terms: PoolingTerms, in_scope_fen: int, usage: PoolingUsage | None = None) -> PoolingResult:
    """The fund's share of one visit's in-scope cost, step by step. Unstated terms are not applied and say so."""
    usage = usage or PoolingUsage()
    steps = [Step(_("政策范围内费用"), _("可由统筹基金按比例支付的费用合计。"), in_scope_fen, "in_scope")]
    if not terms.stated:
        steps.append(
            Step(
                _("普通门诊统筹"),
                _("患者参保地该险种的普通门诊统筹标准未在来源中说明，无法计算统筹基金支付。"),
                None,
                "unstated",
            )
        )
        return PoolingResult(0, 0, 0, steps, False, terms.missing)

    # 1. The deductible: one yearly running total, this level's threshold, capped by a yearly maximum.
    if terms.deductible_fen is None and terms.deductible_yearly_max_fen is None:
        deductible = 0
        steps.append(Step(_("起付线"), _("起付线未在来源中说明，本次未扣除。"), 0, "deductible"))
    else:
        threshold = terms.deductible_fen if terms.deductible_fen is not None else terms.deductible_yearly_max_fen
        if terms.deductible_yearly_max_fen is not None:
            threshold = min(threshold, terms.deductible_yearly_max_fen)
        remaining = max(0, threshold - usage.deductible_used_fen)
        deductible = min(remaining, in_scope_fen)
        detail = _("本级起付线%(t)s元，本年度此前已累计%(u)s元，本次计入起付线%(d)s元。") % {
            "t": fen_text(terms.deductible_fen if terms.deductible_fen is not None else threshold),
            "u": fen_text(usage.deductible_used_fen),
            "d": fen_text(deductible),
        }
        if terms.deductible_yearly_max_fen is not None:
            detail += _("一个自然年度内起付线累计不超过%(m)s元。") % {"m": fen_text(terms.deductible_yearly_max_fen)}
        steps.append(Step(_("起付线"), detail, deductible, "deductible"))
    above = in_scope_fen - deductible

    # 2. A per-day limit on the cost the fund counts.
    pooled_base = above
    if terms.per_day_cap_fen is not None:
        room = max(0, terms.per_day_cap_fen - usage.day_counted_fen)
        pooled_base = min(above, room)
        steps.append(
            Step(
                _("单日门诊限额"),
                _("单日门诊费用限额%(c)s元，当日此前已计入%(u)s元，本次计入统筹的费用%(b)s元。")
                % {
                    "c": fen_text(terms.per_day_cap_fen),
                    "u": fen_text(usage.day_counted_fen),
                    "b": fen_text(pooled_base),
                },
                pooled_base,
                "per_day",
            )
        )

    # 3. The share by level (already raised for retirees where the rule says so).
    if terms.share_percent is None:
        steps.append(
            Step(_("统筹支付比例"), _("该类机构的统筹支付比例未在来源中说明，无法计算统筹基金支付。"), None, "share")
        )
        return PoolingResult(deductible, 0, 0, steps, False, terms.missing)
    fund = percent_of(pooled_base, terms.share_percent)
    detail = _("超过起付线的政策范围内费用%(b)s元 × %(p)s%%。") % {
        "b": fen_text(pooled_base),
        "p": f"{terms.share_percent.normalize():f}",
    }
    if terms.retiree_bonus_points:
        detail += _("退休人员支付比例提高%(n)s个百分点。") % {"n": terms.retiree_bonus_points}
    elif terms.retiree_rule:
        detail += _("按退休人员标准。")
    steps.append(Step(_("统筹支付比例"), detail, fund, "share"))

    # 4. The yearly cap.
    if terms.yearly_cap_fen is not None:
        room = max(0, terms.yearly_cap_fen - usage.fund_paid_fen)
        capped = min(fund, room)
        steps.append(
            Step(
                _("年度最高支付限额"),
                _("年度最高支付限额%(c)s元，本年度此前统筹已支付%(u)s元，本次最多支付%(r)s元。")
                % {"c": fen_text(terms.yearly_cap_fen), "u": fen_text(usage.fund_paid_fen), "r": fen_text(room)},
                capped,
                "yearly_cap",
            )
        )
        fund = capped
    elif terms.per_day_cap_fen is None:
        steps.append(
            Step(_("年度最高支付限额"), _("年度最高支付限额未在来源中说明，本次未设上限。"), None, "yearly_cap")
        )
    steps.append(Step(_("统筹基金支付"), _("由患者本人参保的统筹基金支付。"), fund, "fund"))
    return PoolingResult(deductible, pooled_base, fund, steps, terms.complete, terms.missing)


def pooling_declared(terms: PoolingTerms, in_scope_fen: int, declared_fen: int) -> PoolingResult:
    """Where the sources leave the terms incomplete, the fund amount printed on the settlement slip."""
    if declared_fen < 0 or declared_fen > in_scope_fen:
        raise LedgerError(_("统筹基金支付金额不能超过政策范围内费用。"), code="declared_fund_too_large")
    computed = pooling_compute(terms, in_scope_fen)
    missing = "、".join(terms.missing)
    steps = [
        computed.steps[0],
        Step(
            _("统筹基金支付（按结算单）"),
            _("%(missing)s未在来源中说明，统筹基金支付按您填写的结算单金额计。") % {"missing": missing},
            declared_fen,
            "fund",
        ),
    ]
    return PoolingResult(0, 0, declared_fen, steps, True, terms.missing, declared=True)
