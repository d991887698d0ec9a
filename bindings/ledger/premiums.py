"""代缴: may an authorizer pay a relative's 居民医保 premium from his personal account, and how much.

Bound relatives are paid for through their binding; a relative the source names for 代缴 without a binding (where
the source does not ask for one, e.g. 贵港's 配偶父母, who cannot be bound) is named by ID number, name and
relationship (`binding_needed` says when that is allowed). The
amount is the year's standard from the data (PremiumAmount), plus its late extra after the due date.

The premium page and `premium_pay` both ask `premium_quote`, so the page never offers what the service refuses.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import InsuranceStatus, InsuredPerson
from bindings.counter.permissions import counter_covers
from bindings.models import Binding, PremiumPayment
from policies.choices import PairScope
from policies.models import PremiumAmount
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
class PremiumRecords:
    """What the 代缴 page lists, read in one query: the person's payments, those made for him, and whatever was
    paid for the relatives it quotes (`for_year`: (beneficiary id, year) -> payment, for premium_quote)."""

    paid: list
    received: list
    for_year: dict


def premium_records(person: InsuredPerson, *, relative_ids=(), years=()) -> PremiumRecords:
    where = Q(payer=person) | Q(beneficiary=person)
    if relative_ids and years:
        where |= Q(beneficiary_id__in=relative_ids, year__in=years)
    rows = sorted(
        PremiumPayment.objects.filter(where)
        .select_related("payer", "beneficiary")
        .only(
            "serial", "year", "amount_fen", "paid_at", "payer_id", "beneficiary_id", "payer__name", "beneficiary__name"
        )
        .order_by(),
        key=lambda p: (p.paid_at, p.pk),
        reverse=True,
    )
    for_year = {}
    for payment in reversed(rows):  # at most one per person and year (the database sees to it)
        for_year.setdefault((payment.beneficiary_id, payment.year), payment)
    return PremiumRecords(
        paid=[p for p in rows if p.payer_id == person.pk],
        received=[p for p in rows if p.beneficiary_id == person.pk],
        for_year=for_year,
    )


DEMO_LABEL = _lazy("演示标准（非政策）")


@dataclass
class PremiumQuote:
    """Whether the payer may pay this relative's premium for this year, and how much: the page and the service
    both use it, so the page never offers what the service would refuse. `binding` is None for 代缴 without a
    sharing binding (the relative named by ID number, name and relationship)."""

    relative: InsuredPerson
    relationship: str
    year: int
    binding: Binding | None = None
    amount_fen: int | None = None
    late_fen: int = 0
    due_on: datetime.date | None = None
    demo: bool = False
    authority: str = ""
    problem: str = ""
    code: str = ""
    paid: PremiumPayment | None = None

    @property
    def payable(self) -> bool:
        return not self.problem

    @property
    def relationship_label(self) -> str:
        return relationship_label(self.relationship)


def payable_years(on: datetime.date) -> list[int]:
    """This year's premium (late) or next year's (the collection period runs in the autumn before)."""
    return [on.year, on.year + 1]


@dataclass(frozen=True)
class AmountDue:
    amount_fen: int | None  # None: not payable, `problem` says why
    late_fen: int = 0
    problem: str = ""
    code: str = ""


def premium_due(standard: PremiumAmount, on: datetime.date) -> AmountDue:
    """The standard's amount, plus its late extra when paid after its due date (seed 002, 湖南: 400 元 within the
    collection period; after 12月31日 400 + 670 元). A due date without a stated late amount: refused, unstated."""
    amount = yuan_to_fen(standard.amount_yuan)
    if standard.due_on is None or on <= standard.due_on:
        return AmountDue(amount)
    if standard.late_extra_yuan is None:
        return AmountDue(
            None,
            problem=_("集中缴费期已于%(due)s结束，逾期缴费金额未在来源中说明，暂不能代缴。")
            % {"due": f"{standard.due_on:%Y年%-m月%-d日}"},
            code="late_unstated",
        )
    late = yuan_to_fen(standard.late_extra_yuan)
    return AmountDue(amount + late, late)


def binding_needed(policy, relationship: str, on: datetime.date) -> str:
    """Why 代缴 for this relationship needs a sharing binding, or "" when it may be paid without one.

    The relationship must be among those whose premium the source lets the account pay (premium_relationships).
    A binding is then needed only where the source says so (premium_needs_binding; 江西, seed 001: “登记完成后,
    可以为近亲属代缴居民医保费用”); where the sources do not say so, 代缴 needs no binding (issue 15), which also
    reaches relatives who cannot be bound (贵港, seed 003: 配偶父母).
    """
    allowed = policy.premium_relationships.value
    if allowed is None or relationship not in allowed:
        return _("为未绑定家庭共济的家人代缴未在来源中说明，须先绑定家庭共济后再代缴。")
    if policy.premium_needs_binding.value:
        return _("按当地规定，须先为%(rel)s办理家庭共济绑定，绑定后才能代缴居民医保费。") % {
            "rel": relationship_label(relationship)
        }
    return ""


def unbound_relationships(policy, on: datetime.date) -> list[str]:
    """The relationships the payer's region lets him pay for without a binding (the form's choices)."""
    return [r for r in policy.premium_relationships.value or [] if not binding_needed(policy, r, on)]


def premium_quote(
    *,
    payer: InsuredPerson,
    year: int,
    on: datetime.date,
    binding: Binding | None = None,
    relative: InsuredPerson | None = None,
    relationship: str = "",
    policies: dict | None = None,
    payments: dict | None = None,
) -> PremiumQuote:
    """For a bound relative pass `binding`; for 代缴 without a binding pass `relative` and `relationship`.
    `policies`: a dict the caller may pass to share resolved policies between quotes on one page; `payments`:
    PremiumRecords.for_year, read beforehand for every quote on the page (else each quote asks)."""
    policies = {} if policies is None else policies

    def policy_of(city_code):
        if city_code not in policies:
            policies[city_code] = resolved_policy(city_code, on)
        return policies[city_code]

    if binding is not None:
        relative, relationship = binding.relative, binding.relationship
    quote = PremiumQuote(relative=relative, relationship=relationship, year=year, binding=binding)

    def refuse(message, code):
        quote.problem, quote.code = message, code
        return quote

    if year not in payable_years(on):
        return refuse(_("只能代缴当年度或下一年度的居民医保费。"), "bad_year")
    if binding is not None:
        if binding.authorizer_id != payer.pk:
            return refuse(_("该家人未与您绑定家庭共济，不能代缴。"), "not_bound")
        if binding.starts_after(on):
            return refuse(
                _("与该家人的共济关系自%(start)s起生效，此前不能代缴。") % {"start": binding.start_date},
                "not_yet_active",
            )
        if not binding.in_force_on(on):
            return refuse(_("与该家人的共济关系未生效或已结束，不能代缴。"), "binding_ended")
    elif relative.pk == payer.pk:
        return refuse(_("不能为本人代缴。"), "self")
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
    if allowed is not None and relationship not in allowed:
        return refuse(
            _("%(who)s规定只能为%(list)s代缴居民医保费。")
            % {
                "who": policy.premium_relationships.authority,
                "list": "、".join(relationship_label(r) for r in allowed),
            },
            "relationship_not_allowed",
        )
    if binding is None:
        needed = binding_needed(policy, relationship, on)
        if needed:
            return refuse(needed, "binding_required")
    scheme = policy.premium_scheme.value or "resident"
    if relative.scheme != scheme:
        return refuse(_("该家人参加的是职工医保，不需要代缴居民医保费。"), "not_resident_scheme")
    if relative.status != InsuranceStatus.NORMAL and binding is None:
        return refuse(_("该家人的参保状态异常（暂停或终止），请先到参保地经办机构办理。"), "relative_not_normal")
    scope = policy.premium_scope.value or policy.effective_pair_scope
    if scope == PairScope.SAME_CITY and relative.city_code != payer.city_code:
        return refuse(_("只能为在本统筹区（市）参加居民医保的家人代缴。"), "outside_premium_scope")
    if scope == PairScope.SAME_PROVINCE and relative.province_code[:2] != payer.province_code[:2]:
        return refuse(_("只能为在本省（区）参加居民医保的家人代缴。"), "outside_premium_scope")
    standard = policy_of(relative.city_code).premium_for(year)
    if standard is None:
        return refuse(
            _("该家人参保地%(year)s年度居民医保个人缴费标准未在来源中说明，暂不能代缴。") % {"year": year},
            "amount_unstated",
        )
    quote.demo = standard.is_demo
    quote.due_on = standard.due_on
    quote.authority = str(DEMO_LABEL) if standard.is_demo else standard.version.region.name
    due = premium_due(standard, on)
    if due.amount_fen is None:
        return refuse(due.problem, due.code)
    quote.amount_fen, quote.late_fen = due.amount_fen, due.late_fen
    if payments is None:
        paid = PremiumPayment.objects.filter(beneficiary=relative, year=year).first()
    else:
        paid = payments.get((relative.pk, year))
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


def standard_for_payment(payment: PremiumPayment) -> PremiumAmount | None:
    """The standard a payment was made under (for the receipt's 演示标准 label): the beneficiary's region's, that
    year, as the policy stood on the day of payment."""
    return resolved_policy(payment.city_code, payment.paid_at.date()).premium_for(payment.year)
