"""Reads about the ledger: the facts a settlement needs, usage records, statements. Other people's data is 404.

The list pages run a fixed number of queries however many entries there are (tests assert it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.masking import mask_name
from accounts.models import InsuranceStatus, InsuredPerson
from bindings.counter.permissions import counter_covers
from bindings.ledger.errors import LedgerError
from bindings.ledger.pooling import PoolingTerms, PoolingUsage, terms_for
from bindings.ledger.settlement import (
    CareKind,
    CreditTerms,
    InpatientSlip,
    PlaceLocation,
    Relation,
    SettlementPlan,
    SharedAccess,
    Visit,
    inpatient_blocks,
    place_in_spend_scope,
    place_relation,
    plan_inpatient,
    plan_settlement,
    shared_blocks,
)
from bindings.models import PENDING_STATUSES, Binding, EntryKind, LedgerEntry, Settlement, SpendingCap, Status
from policies.choices import RegionLevel, SpendScope
from policies.selectors import ResolvedPolicy, resolved_policy

# --- months -------------------------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    first = month_start(day)
    return first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)


def previous_month(day: datetime.date) -> datetime.date:
    first = month_start(day)
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)


# --- policy facts -------------------------------------------------------------------------------------------


def credit_terms(policy: ResolvedPolicy) -> CreditTerms:
    """How the region credits accounts each month.

    The policy data has no structured field for the flexibly employed percentage or the retirees' fixed amount
    (the 2% and 2.5% appear only in note text), so both are unstated until policies/ carries them as data.
    """
    return CreditTerms()


def pooling_terms(patient: InsuredPerson, level: str, on: datetime.date) -> PoolingTerms:
    """The patient's own 普通门诊统筹 terms: his region, his scheme, his category (sharing never moves benefits)."""
    policy = resolved_policy(patient.city_code, on)
    params = policy.pooling_for(patient.scheme, patient.category)
    authority = policy.pooling_rules.region.name if policy.pooling_rules.is_stated else ""
    return terms_for(params, level, authority=authority)


@dataclass(frozen=True)
class Scope:
    value: str
    label: str
    stated: bool
    authority: str


def spend_scope(authorizer: InsuredPerson, on: datetime.date) -> Scope:
    """Where the authorizer's shared balance may be spent. Unstated: only in his own city, the cautious choice."""
    stated = resolved_policy(authorizer.city_code, on).spend_scope
    if stated.is_stated:
        return Scope(stated.value, str(SpendScope(stated.value).label), True, stated.authority)
    return Scope(
        SpendScope.CITY,
        _("共济资金使用范围未在来源中说明，本厅按最严格的口径：仅限授权人参保地（本市）使用"),
        False,
        "",
    )


def pooling_usage(patient: InsuredPerson, on: datetime.date) -> PoolingUsage:
    """What the patient's posted outpatient settlements have used this calendar year, and today (an inpatient
    stay's fund amount is the slip's and counts against no outpatient deductible or cap)."""
    year = Settlement.objects.filter(patient=patient, service_date__year=on.year, care=CareKind.OUTPATIENT)
    totals = year.aggregate(
        deductible=Coalesce(Sum("deductible_fen"), 0),
        fund=Coalesce(Sum("fund_fen"), 0),
        day=Coalesce(Sum("pooled_base_fen", filter=Q(service_date=on)), 0),
    )
    return PoolingUsage(totals["deductible"], totals["fund"], totals["day"])


def current_cap_fen(binding: Binding) -> int | None:
    latest = SpendingCap.objects.filter(binding=binding).order_by("-set_at", "-id").first()
    return latest.monthly_limit_fen if latest else None


def shared_used_in_month(binding: Binding, on: datetime.date) -> int:
    total = LedgerEntry.objects.filter(
        binding=binding,
        kind=EntryKind.SHARED_OUT,
        occurred_on__gte=month_start(on),
        occurred_on__lt=next_month(on),
    ).aggregate(total=Coalesce(Sum("amount_fen"), 0))["total"]
    return -total


# --- who may pay for whom -----------------------------------------------------------------------------------


def binding_for_payment(*, authorizer: InsuredPerson, patient: InsuredPerson, on: datetime.date) -> Binding:
    """The binding that lets `authorizer` pay for `patient` on `on`, or a refusal that says why not."""
    if authorizer.pk == patient.pk:
        raise LedgerError(_("授权人本人就医使用自己的个人账户，不需要共济。"), code="self")
    bindings = list(
        Binding.objects.filter(authorizer=authorizer, relative=patient)
        .exclude(status=Status.DRAFT)
        .order_by("-created_at", "-id")
    )
    for binding in bindings:
        if binding.in_force_on(on):
            if authorizer.status != InsuranceStatus.NORMAL:
                raise LedgerError(_("授权人参保状态异常（暂停或终止），不能共济。"), code="authorizer_not_normal")
            return binding
    if not bindings:
        raise LedgerError(_("该患者与授权人之间没有家庭共济关系，不能使用授权人的个人账户。"), code="not_bound")
    latest = bindings[0]
    if latest.starts_after(on):
        raise LedgerError(
            _("共济关系自%(start)s起生效，此前不能使用共济余额。") % {"start": latest.start_date}, code="not_yet_active"
        )
    status = latest.effective_status(on)
    if status in PENDING_STATUSES:
        raise LedgerError(
            _("共济申请尚未生效（%(status)s），暂不能使用共济余额。") % {"status": Status(status).label},
            code="binding_pending",
        )
    raise LedgerError(
        _("与该患者的共济关系已结束（%(status)s），不能再使用共济余额。") % {"status": Status(status).label},
        code="binding_ended",
    )


def active_binding_as_relative(person: InsuredPerson, on: datetime.date) -> Binding | None:
    """The authorizer who pays for `person` today, if any (at most one: the database sees to it)."""
    return Binding.objects.in_force(on).filter(relative=person).select_related("authorizer").order_by("-id").first()


def active_bindings_as_authorizer(person: InsuredPerson, on: datetime.date) -> list[Binding]:
    """The relatives `person` pays for on `on`: a binding approved but not yet started is not among them."""
    return list(Binding.objects.in_force(on).filter(authorizer=person).select_related("relative").order_by("id"))


def inpatient_refusals(
    *, patient: InsuredPerson, authorizer: InsuredPerson, slip: InpatientSlip, on: datetime.date
) -> tuple[list[str], Relation | None]:
    """Whether the authorizer's region lets the shared balance pay for this stay (seed 000: 宜春 pays 住院; seed 003:
    a relative insured outside 广西 only after 异地就医备案 to 广西), and where the stay counts as being.

    A relative insured in another province who has filed to the authorizer's province is treated in the hospital
    he filed to, inside that province (the filing names it), rather than in "another province" of his own.
    """
    policy = resolved_policy(authorizer.city_code, on)
    cross = patient.city_code[:2] != authorizer.city_code[:2]
    allowed, cross_rule = policy.inpatient_allowed, policy.inpatient_cross_province_filed
    province = next((r.short_name or r.name for r in policy.chain if r.level == RegionLevel.PROVINCE), "")
    blocks = inpatient_blocks(
        allowed=allowed.value,
        authority=allowed.authority,
        cross_province=cross,
        cross_filed_rule=cross_rule.value,
        filed=slip.filed,
        province=province or _("授权人参保省份"),
    )
    relation = None
    if cross and not blocks and slip.location == PlaceLocation.OTHER_PROVINCE:
        relation = Relation.SAME_PROVINCE
    return blocks, relation


def settlement_plan(
    *,
    patient: InsuredPerson,
    authorizer: InsuredPerson | None,
    binding: Binding | None,
    visit: Visit | InpatientSlip,
    on: datetime.date,
    declared_fund_fen: int | None = None,
) -> SettlementPlan:
    """Gather the facts and run the arithmetic. The service calls this again under its row locks."""
    if patient.status != InsuranceStatus.NORMAL:
        raise LedgerError(
            _("患者参保状态为“%(status)s”，不能按医保结算。") % {"status": patient.get_status_display()},
            code="patient_not_normal",
        )
    inpatient = visit.care == CareKind.INPATIENT
    shared = None
    notes = []
    if authorizer is not None:
        scope = spend_scope(authorizer, on)
        relation = place_relation(
            location=visit.location, patient_city=patient.city_code, authorizer_city=authorizer.city_code
        )
        care_blocks = []
        if inpatient:
            care_blocks, filed_relation = inpatient_refusals(patient=patient, authorizer=authorizer, slip=visit, on=on)
            relation = filed_relation or relation
        place_ok = place_in_spend_scope(scope.value, relation, filed=visit.filed)
        cap = current_cap_fen(binding) if binding else None
        used = shared_used_in_month(binding, on) if binding else 0
        shared = SharedAccess(
            authorizer_name=mask_name(authorizer.name),  # the steps are shown to the relative too
            balance_fen=authorizer.balance_fen,
            blocked=care_blocks
            + shared_blocks(
                binding_active=binding is not None,
                place_ok=place_ok,
                scope_label=scope.label,
                balance_fen=authorizer.balance_fen,
                cap_fen=cap,
                cap_used_fen=used,
            ),
            cap_fen=cap,
            cap_used_fen=used,
        )
        if not scope.stated:
            notes.append(scope.label)
    own = patient.balance_fen if patient.has_personal_account else None
    if inpatient:
        plan = plan_inpatient(slip=visit, own_balance_fen=own, shared=shared)
        plan.notes.extend(notes)
        return plan
    terms = pooling_terms(patient, visit.level, on)
    usage = pooling_usage(patient, on)
    plan = plan_settlement(
        visit=visit,
        terms=terms,
        usage=usage,
        own_balance_fen=own,
        shared=shared,
        declared_fund_fen=declared_fund_fen,
    )
    plan.notes.extend(notes)
    return plan


# --- pages --------------------------------------------------------------------------------------------------


def person_or_404(user) -> InsuredPerson:
    person = getattr(user, "person", None)
    if person is None:
        raise Http404
    return person


def bindings_in_force_both_ways(person: InsuredPerson, on: datetime.date) -> tuple[list[Binding], Binding | None]:
    """active_bindings_as_authorizer and active_binding_as_relative in one query, for the simulator: the relatives
    `person` pays for (none without a personal account) and the authorizer who pays for him. Only the columns the
    page shows (names, relationship) and sorted here: compiling the query is most of its cost."""
    where = Q(relative=person)
    if person.has_personal_account:
        where |= Q(authorizer=person)
    rows = sorted(
        Binding.objects.in_force(on)
        .filter(where)
        .select_related("relative", "authorizer")
        .only("relationship", "authorizer_id", "relative_id", "relative__name", "authorizer__name")
        .order_by(),
        key=lambda b: b.pk,
    )
    as_relative = [b for b in rows if b.relative_id == person.pk]
    return [b for b in rows if b.authorizer_id == person.pk], (as_relative[-1] if as_relative else None)


def simulator_patients(
    person: InsuredPerson, on: datetime.date, relatives: list[Binding] | None = None
) -> list[tuple[str, str, Binding | None]]:
    """(value, label, binding) for the patient choice: oneself, then each relative one authorizes today
    (`relatives`: active_bindings_as_authorizer, when the caller has read them already)."""
    choices = [("self", _("本人（%(name)s）") % {"name": person.name}, None)]
    if person.has_personal_account:
        if relatives is None:
            relatives = active_bindings_as_authorizer(person, on)
        for binding in relatives:
            label = _("%(name)s（%(rel)s）") % {
                "name": binding.relative.name,
                "rel": binding.get_relationship_display(),
            }
            choices.append((str(binding.pk), label, binding))
    return choices


def shared_debits_paid(person: InsuredPerson, *, year: int, relative_id: int | None = None):
    """The authorizer's shared debits: for whom, where, for what."""
    qs = LedgerEntry.objects.filter(person=person, kind=EntryKind.SHARED_OUT, occurred_on__year=year)
    if relative_id:
        qs = qs.filter(beneficiary_id=relative_id)
    return (
        qs.select_related("beneficiary", "binding", "settlement")
        .annotate(spent_fen=F("amount_fen") * -1)
        .order_by("-occurred_on", "-id")
    )


def shared_debits_received(person: InsuredPerson, *, year: int):
    """What the relative spent from other people's balances, and from whom."""
    return (
        LedgerEntry.objects.filter(beneficiary=person, kind=EntryKind.SHARED_OUT, occurred_on__year=year)
        .select_related("person", "binding", "settlement")
        .annotate(spent_fen=F("amount_fen") * -1)
        .order_by("-occurred_on", "-id")
    )


def usage_by_relative_and_month(person: InsuredPerson, *, year: int) -> list[dict]:
    """One row per relative and month with the total and the number of debits, newest month first."""
    rows = (
        LedgerEntry.objects.filter(person=person, kind=EntryKind.SHARED_OUT, occurred_on__year=year)
        .annotate(month=TruncMonth("occurred_on"))
        .values("month", "beneficiary_id", "beneficiary__name")
        .annotate(total=Sum("amount_fen"), count=Count("id"))
        .order_by("-month", "beneficiary__name")
    )
    return [{**row, "total": -row["total"]} for row in rows]


def _with_caps(bindings, on: datetime.date):
    """Each binding's current cap (None: none set) and what its relative used of it in `on`'s month, as
    current_cap_fen and shared_used_in_month answer, in the same query."""
    latest_cap = SpendingCap.objects.filter(binding=OuterRef("pk")).order_by("-set_at", "-id")
    used = (
        LedgerEntry.objects.filter(
            binding=OuterRef("pk"),
            kind=EntryKind.SHARED_OUT,
            occurred_on__gte=month_start(on),
            occurred_on__lt=next_month(on),
        )
        .values("binding")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    return bindings.annotate(
        cap_fen=Subquery(latest_cap.values("monthly_limit_fen")[:1]),
        used_fen=Coalesce(Subquery(used), 0) * -1,
    )


def bindings_with_caps(person: InsuredPerson, on: datetime.date):
    """The authorizer's active bindings with the current cap and what was used this month, in one query."""
    # Approved and not over (a cap may be set before the start date), as the cap service asks.
    return (
        _with_caps(Binding.objects.current(on).filter(authorizer=person), on).select_related("relative").order_by("id")
    )


def cap_for_relative(person: InsuredPerson, on: datetime.date) -> dict | None:
    """For the relative: who pays for him, the cap, and what is left this month."""
    binding = active_binding_as_relative(person, on)
    if binding is None:
        return None
    cap = current_cap_fen(binding)
    used = shared_used_in_month(binding, on)
    return {
        "binding": binding,
        "cap_fen": cap,
        "used_fen": used,
        "room_fen": None if cap is None else max(0, cap - used),
    }


def usage_caps(person: InsuredPerson, on: datetime.date) -> tuple[list[Binding], dict | None]:
    """bindings_with_caps (none without a personal account) and cap_for_relative, in one query, with only what the
    usage page shows (names, relationship, cap, used)."""
    as_relative = Binding.objects.in_force(on).filter(relative=person)
    both = (
        (Binding.objects.current(on).filter(authorizer=person) | as_relative)
        if person.has_personal_account
        else as_relative
    )
    rows = sorted(
        _with_caps(both, on)
        .select_related("relative", "authorizer")
        .only("relationship", "authorizer_id", "relative_id", "relative__name", "authorizer__name")
        .order_by(),
        key=lambda b: b.pk,
    )
    mine = [b for b in rows if b.relative_id == person.pk]
    my_cap = None
    if mine:  # the newest, as active_binding_as_relative takes it
        binding = mine[-1]
        my_cap = {
            "binding": binding,
            "cap_fen": binding.cap_fen,
            "used_fen": binding.used_fen,
            "room_fen": None if binding.cap_fen is None else max(0, binding.cap_fen - binding.used_fen),
        }
    return [b for b in rows if b.authorizer_id == person.pk], my_cap


USAGE_ENTRY_FIELDS = (
    "occurred_on",
    "amount_fen",
    "settlement_id",
    "settlement__serial",
    "settlement__care",
    "settlement__level",
    "settlement__location",
    "binding__relationship",
)


def usage_entries(entries, *, party: str):
    """shared_debits_paid or shared_debits_received narrowed to what the usage page shows of each entry (the
    other party's name, the relationship, the settlement's serial and kind)."""
    return entries.only(*USAGE_ENTRY_FIELDS, f"{party}_id", f"{party}__name")


@dataclass
class Window:
    """One page of a list, as the usage page shows it (previous/next, no page count): read as one query of
    per_page + 1 rows instead of a count and a slice."""

    object_list: list
    number: int
    has_next: bool

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def window(queryset, number, per_page: int):
    """Paginator(queryset, per_page).get_page(number) without the count: the same page for any number (not a
    number: the first; past the end or below 1: the last, which then takes the Paginator's count)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    if number < 1:
        return Paginator(queryset, per_page).get_page(number)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        return Paginator(queryset, per_page).get_page(number)
    return Window(rows[:per_page], number, len(rows) > per_page)


@dataclass
class StatementLine:
    entry: LedgerEntry
    balance_fen: int


@dataclass
class Statement:
    person: InsuredPerson
    month: datetime.date
    opening_fen: int
    closing_fen: int
    credits_fen: int
    debits_fen: int
    lines: list[StatementLine]


# What the statement shows of an entry (the page, and the lines' running balance).
STATEMENT_ENTRY_FIELDS = (
    "kind",
    "amount_fen",
    "occurred_on",
    "description",
    "settlement_id",
    "settlement__serial",
    "premium__serial",
)


def statement(person: InsuredPerson, month: datetime.date) -> Statement:
    """A month of the person's account: opening balance, each entry with the running balance, closing balance."""
    start, end = month_start(month), next_month(month)
    opening = LedgerEntry.objects.filter(person=person, occurred_on__lt=start).aggregate(
        total=Coalesce(Sum("amount_fen"), 0)
    )["total"]
    entries = (
        LedgerEntry.objects.filter(person=person, occurred_on__gte=start, occurred_on__lt=end)
        .select_related("settlement", "premium")
        .only(*STATEMENT_ENTRY_FIELDS)
        .order_by("occurred_on", "id")
    )
    lines, balance, credits, debits = [], opening, 0, 0
    for entry in entries:
        balance += entry.amount_fen
        if entry.amount_fen > 0:
            credits += entry.amount_fen
        else:
            debits -= entry.amount_fen
        lines.append(StatementLine(entry, balance))
    return Statement(person, start, opening, balance, credits, debits, lines)


def ledger_sum_fen(person: InsuredPerson) -> int:
    return LedgerEntry.objects.filter(person=person).aggregate(total=Coalesce(Sum("amount_fen"), 0))["total"]


def settlement_for_viewer(*, user, pk: int) -> Settlement:
    """The patient, the authorizer who paid, or a counter clerk of the patient's region; everyone else 404."""
    settlement = (
        Settlement.objects.select_related("patient", "authorizer", "binding").prefetch_related("items").filter(pk=pk)
    ).first()
    if settlement is None:
        raise Http404
    person_id = getattr(user, "person_id", None)
    if person_id is not None and person_id in (settlement.patient_id, settlement.authorizer_id):
        return settlement
    if counter_covers(user, settlement.patient.city_code):
        return settlement
    raise Http404
