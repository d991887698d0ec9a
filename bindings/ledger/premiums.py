"""代缴: may an authorizer pay a bound relative's 居民医保 premium from his personal account, and how much.

The premium page and `premium_pay` both ask `premium_quote`, so the page never offers what the service refuses.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import InsuranceStatus, InsuredPerson
from bindings.counter.permissions import counter_covers
from bindings.models import Binding, PremiumPayment
from policies.choices import PairScope
from policies.selectors import relationship_label, resolved_policy

from .money import fen_text, yuan_to_fen


def premium_for_viewer(*, user, pk: int) -> PremiumPayment:
    payment = PremiumPayment.objects.select_related("payer", "beneficiary", "binding").filter(pk=pk).first()
    if payment is None:
        raise Http404
    person_id = getattr(user, "person_id", None)
    if person_id is not None and person_id in (payment.payer_id, payment.beneficiary_id):
        return payment
    if counter_covers(user, payment.payer.city_code):
        return payment
    raise Http404


def premiums_paid_by(person: InsuredPerson):
    return PremiumPayment.objects.filter(payer=person).select_related("beneficiary").order_by("-paid_at", "-id")


def premiums_received_by(person: InsuredPerson):
    return PremiumPayment.objects.filter(beneficiary=person).select_related("payer").order_by("-paid_at", "-id")


@dataclass
class PremiumQuote:
    """Whether the payer may pay this relative's premium for this year, and how much: the page and the service
    both use it, so the page never offers what the service would refuse."""

    binding: Binding
    year: int
    amount_fen: int | None = None
    authority: str = ""
    problem: str = ""
    code: str = ""
    paid: PremiumPayment | None = None

    @property
    def payable(self) -> bool:
        return not self.problem


def payable_years(on: datetime.date) -> list[int]:
    """This year's premium (late) or next year's (the collection period runs in the autumn before)."""
    return [on.year, on.year + 1]


def premium_quote(
    *, payer: InsuredPerson, binding: Binding, year: int, on: datetime.date, policies: dict | None = None
) -> PremiumQuote:
    """`policies`: a dict the caller may pass to share resolved policies between quotes on one page."""
    policies = {} if policies is None else policies

    def policy_of(city_code):
        if city_code not in policies:
            policies[city_code] = resolved_policy(city_code, on)
        return policies[city_code]

    quote = PremiumQuote(binding=binding, year=year)
    relative = binding.relative

    def refuse(message, code):
        quote.problem, quote.code = message, code
        return quote

    if year not in payable_years(on):
        return refuse(_("只能代缴当年度或下一年度的居民医保费。"), "bad_year")
    if binding.authorizer_id != payer.pk:
        return refuse(_("该家人未与您绑定家庭共济，不能代缴。"), "not_bound")
    if binding.starts_after(on):
        return refuse(
            _("与该家人的共济关系自%(start)s起生效，此前不能代缴。") % {"start": binding.start_date}, "not_yet_active"
        )
    if not binding.in_force_on(on):
        return refuse(_("与该家人的共济关系未生效或已结束，不能代缴。"), "binding_ended")
    if not payer.has_personal_account or payer.status != InsuranceStatus.NORMAL:
        return refuse(_("只有参保状态正常的职工医保参保人才能用个人账户代缴。"), "payer_not_eligible")
    policy = policy_of(payer.city_code)
    if policy.premium_allowed.value is None:
        return refuse(_("用个人账户代缴居民医保是否可行未在来源中说明，暂不能代缴。"), "premium_unstated")
    if not policy.premium_allowed.value:
        return refuse(
            _("%(who)s未开通用个人账户代缴居民医保。") % {"who": policy.premium_allowed.authority},
            "premium_not_allowed",
        )
    allowed = policy.premium_relationships.value
    if allowed is not None and binding.relationship not in allowed:
        return refuse(
            _("%(who)s规定只能为%(list)s代缴居民医保费。")
            % {
                "who": policy.premium_relationships.authority,
                "list": "、".join(relationship_label(r) for r in allowed),
            },
            "relationship_not_allowed",
        )
    scheme = policy.premium_scheme.value or "resident"
    if relative.scheme != scheme:
        return refuse(_("该家人参加的是职工医保，不需要代缴居民医保费。"), "not_resident_scheme")
    scope = policy.premium_scope.value or policy.effective_pair_scope
    if scope == PairScope.SAME_CITY and relative.city_code != payer.city_code:
        return refuse(_("只能为在本统筹区（市）参加居民医保的家人代缴。"), "outside_premium_scope")
    if scope == PairScope.SAME_PROVINCE and relative.province_code[:2] != payer.province_code[:2]:
        return refuse(_("只能为在本省（区）参加居民医保的家人代缴。"), "outside_premium_scope")
    amount = policy_of(relative.city_code).premium_for(year)
    if amount is None:
        return refuse(
            _("该家人参保地%(year)s年度居民医保个人缴费标准未在来源中说明，暂不能代缴。") % {"year": year},
            "amount_unstated",
        )
    quote.amount_fen = yuan_to_fen(amount.amount_yuan)
    quote.authority = amount.version.region.name
    paid = PremiumPayment.objects.filter(beneficiary=relative, year=year).first()
    if paid is not None:
        quote.paid = paid
        return refuse(
            _("%(name)s的%(year)s年度居民医保费已缴纳（回执编号%(serial)s），不能重复缴纳。")
            % {"name": relative.name, "year": year, "serial": paid.serial},
            "already_paid",
        )
    if payer.balance_fen < quote.amount_fen:
        return refuse(
            _("个人账户余额不足：需%(need)s元，当前余额%(have)s元。")
            % {"need": fen_text(quote.amount_fen), "have": fen_text(payer.balance_fen)},
            "insufficient_balance",
        )
    return quote
