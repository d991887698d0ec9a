"""Reads about bindings. Anything that depends on who asks returns 404 for other people's data."""

import uuid
from datetime import date, timedelta

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit, region_of
from accounts.clerks import clerk_covers
from accounts.models import AuditAction, InsuranceStatus, InsuredPerson
from config.compiled import CompiledRead
from policies.eligibility import BindingFacts, Quota
from policies.selectors import resolved_policy

from .models import LIVE_STATUSES, Application, Binding, Document, Status
from .transitions import party_roles


def binding_facts(
    *, authorizer: InsuredPerson, relative: InsuredPerson | None, on: date, application: Application | None = None
) -> BindingFacts:
    """What the eligibility engine needs to know about history, for one authorizer and one candidate relative."""
    return binding_facts_and_rows(
        authorizer=authorizer, relative=relative, on=on, application=application, fields=FACT_FIELDS
    )[0]


# The fields facts_from_rows reads: enough for the counts, nothing a page shows.
FACT_FIELDS = ("id", "authorizer_id", "relative_id", "application_id", "status", "end_date", "activated_at", "ended_at")


def binding_facts_and_rows(
    *,
    authorizer: InsuredPerson,
    relative: InsuredPerson | None,
    on: date,
    application: Application | None = None,
    fields: tuple[str, ...] | None = None,
) -> tuple[BindingFacts, list[Binding]]:
    """binding_facts, read in one query: every binding of the authorizer, of the draft application and of the
    candidate relative, counted here with the object-side twins of the queryset rules (Binding.is_live_on).
    The rows come back too, so the pre-check finds the relative's draft row and a live binding with this
    authorizer without asking again."""
    if application is not None and relative is not None and not fields:  # the pre-check's read: compiled once
        rows = [binding for (binding,) in FACT_ROWS(authorizer.pk, application.pk, relative.pk)]
    else:
        where = Q(authorizer=authorizer)
        if application is not None:
            where |= Q(application=application)
        if relative is not None:
            where |= Q(relative=relative)
        rows = Binding.objects.filter(where).order_by()
        rows = list(rows.only(*fields) if fields else rows)
    return facts_from_rows(rows, authorizer=authorizer, relative=relative, on=on, application=application), rows


def application_rows(application: Application) -> list[Binding]:
    """The authorizer's bindings and the application's, with the relative's name: what binding_quota counts for
    the draft and the relatives the wizard lists on it, in one query."""
    return list(
        Binding.objects.filter(Q(authorizer_id=application.authorizer_id) | Q(application=application))
        .select_related("relative")
        .only(*FACT_FIELDS, "relationship", "created_at", "relative__name")
        .order_by()
    )


def fact_rows_for(bindings: list[Binding]) -> list[Binding]:
    """The rows facts_from_rows needs for each of `bindings` (their authorizers' bindings, drafts included, and
    their relatives'), in one query: what binding_verdicts and a quota line of the same authorizer count."""
    authorizers = {b.authorizer_id for b in bindings}
    relatives = {b.relative_id for b in bindings}
    if not bindings:
        return []
    return list(
        Binding.objects.filter(Q(authorizer_id__in=authorizers) | Q(relative_id__in=relatives))
        .only(*FACT_FIELDS)
        .order_by()
    )


def facts_from_rows(
    rows: list[Binding],
    *,
    authorizer: InsuredPerson,
    relative: InsuredPerson | None,
    on: date,
    application: Application | None = None,
) -> BindingFacts:
    """binding_facts counted over rows already read: they must hold every binding of the authorizer, and of
    `application` and `relative` when given (more rows do no harm)."""
    relative_id = relative.pk if relative is not None else None
    mine = [b for b in rows if b.authorizer_id == authorizer.pk]
    active_count = sum(1 for b in mine if b.relative_id != relative_id and b.is_live_on(on))
    counted = {b.relative_id for b in mine if b.status in LIVE_STATUSES or b.activated_at is not None}
    draft_relatives = []
    if application is not None:
        # Relatives already added to this draft application take places when it is submitted; the engine
        # counts them against the limits, the pages show them apart from the bound ones.
        draft_relatives = [
            b.relative_id
            for b in rows
            if b.application_id == application.pk and b.status == Status.DRAFT and b.relative_id != relative_id
        ]
    places = {
        "active_count": active_count,
        "total_count": len(counted),
        "draft_count": len(draft_relatives),
        "draft_new_count": len(set(draft_relatives) - counted),
    }
    if relative is None:
        return BindingFacts(**places)
    elsewhere = [b for b in rows if b.relative_id == relative_id and b.authorizer_id != authorizer.pk]
    last_end = max((b.ended_at for b in elsewhere if b.status == Status.DISSOLVED and b.ended_at), default=None)
    return BindingFacts(
        **places,
        relative_counted_before=relative.pk in counted,
        bound_to_other_authorizer=any(b.is_live_on(on) for b in elsewhere),
        # ended_at is stored in UTC: the day that counts is the day in the hall's time zone (Beijing time).
        last_unbound_on=timezone.localdate(last_end) if last_end else None,
    )


def binding_quota(
    *, authorizer: InsuredPerson, on: date, application: Application | None = None, rows: list[Binding] | None = None
) -> Quota:
    """The authorizer's quota line, as the engine counts it (the relatives of `application` shown apart).
    `rows`: the authorizer's bindings (and the application's), when the caller has read them already."""
    if rows is None:
        facts = binding_facts(authorizer=authorizer, relative=None, on=on, application=application)
    else:
        facts = facts_from_rows(rows, authorizer=authorizer, relative=None, on=on, application=application)
    return Quota.of(resolved_policy(authorizer.city_code, on), facts)


def live_binding_with(*, authorizer: InsuredPerson, relative: InsuredPerson, on: date) -> Binding | None:
    return Binding.objects.filter(authorizer=authorizer, relative=relative).live(on).first()


def _refuse(user, target: str, application: Application):
    """Someone asked for another resident's data by URL: log it, then answer 404 as if it did not exist."""
    audit(
        actor=user,
        action=AuditAction.REFUSED,
        target=target,
        case_number=application.case_number,
        detail=_("访问他人的申请或材料"),
        region_code=region_of(application),
    )
    return Http404()


def application_for_user(*, user, case_number: str) -> Application:
    """The resident's own application (as its authorizer), or 404."""
    person = getattr(user, "person", None)
    found = APPLICATION_BY_CASE(case_number)
    if not found:
        raise Http404
    ((application,),) = found
    if person is None or application.authorizer_id != person.pk:
        raise _refuse(user, f"application:{application.pk}", application)
    # Its authorizer is the person the request already loaded with the account (or whom he acts for): not
    # joined and built a second time.
    application.authorizer = person
    return application


def draft_application_for(*, person: InsuredPerson, rows: list[Binding] | None = None) -> Application | None:
    """The draft the resident is filling in: the newest unsubmitted application with a draft relative, else the
    newest with no relative yet. `rows`: every binding of the person as authorizer, with its application, when
    the caller has read them already (a draft with a relative is then found without a query)."""
    if rows is not None:
        drafts = [b.application for b in rows if b.status == Status.DRAFT and b.application.submitted_at is None]
        if drafts:
            return max(drafts, key=lambda a: a.created_at)
        return (
            Application.objects.filter(authorizer=person, submitted_at__isnull=True, bindings__isnull=True)
            .only("id", "case_number", "created_at")
            .order_by("-created_at")
            .first()
        )
    return (
        Application.objects.filter(authorizer=person, submitted_at__isnull=True)
        .filter(bindings__status=Status.DRAFT)
        .order_by("-created_at")
        .first()
        or Application.objects.filter(authorizer=person, submitted_at__isnull=True, bindings__isnull=True)
        .order_by("-created_at")
        .first()
    )


def binding_for_party(*, user, pk: int) -> Binding:
    """A binding the user is a party of (authorizer or relative), or 404."""
    binding = Binding.objects.select_related("application", "authorizer", "relative").filter(pk=pk).first()
    if binding is None:
        raise Http404
    if not party_roles(binding, user):
        raise _refuse(user, f"binding:{binding.pk}", binding.application)
    return binding


def bindings_as_authorizer(*, person: InsuredPerson):
    return (
        Binding.objects.filter(authorizer=person)
        .exclude(status=Status.DRAFT)
        .select_related("relative", "application")
        .order_by("-created_at", "-id")
    )


def bindings_as_relative(*, person: InsuredPerson):
    return (
        Binding.objects.filter(relative=person)
        .exclude(status=Status.DRAFT)
        .select_related("authorizer", "application")
        .order_by("-created_at", "-id")
    )


# What the lists of bindings show (the status word, the term, the names, the case number) and what the quota and
# the draft read: the page never loads a deferred field, the query-count tests would say so.
PARTY_LIST_FIELDS = (
    "id",
    "authorizer_id",
    "relative_id",
    "application_id",
    "relationship",
    "status",
    "start_date",
    "end_date",
    "reason_code",
    "activated_at",
    "created_at",
    "relative__name",
    "authorizer__name",
    "application__case_number",
    "application__submitted_at",
    "application__created_at",
)


def authorizer_bindings(*, person: InsuredPerson) -> list[Binding]:
    """Every binding of the person as authorizer, drafts included, with its application's case number and dates:
    what binding_quota and draft_application_for read (`rows`), in one query."""
    fields = (*FACT_FIELDS, "application__case_number", "application__submitted_at", "application__created_at")
    return list(Binding.objects.filter(authorizer=person).select_related("application").only(*fields).order_by())


def bindings_of_party(*, person: InsuredPerson) -> tuple[list[Binding], list[Binding], list[Binding]]:
    """我的共济关系 in one query: (as authorizer, as relative) without drafts, newest first, as
    bindings_as_authorizer and bindings_as_relative list them; and every binding of his as authorizer, drafts
    included (for binding_quota and draft_application_for)."""
    rows = list(
        Binding.objects.filter(Q(authorizer=person) | Q(relative=person))
        .select_related("relative", "authorizer", "application")
        .only(*PARTY_LIST_FIELDS)
        .order_by()  # sorted here: ordering a three-table join costs more to compile than to sort a few rows
    )
    rows.sort(key=lambda b: (b.created_at, b.id), reverse=True)
    mine = [b for b in rows if b.authorizer_id == person.pk]
    as_authorizer = [b for b in mine if b.status != Status.DRAFT]
    as_relative = [b for b in rows if b.relative_id == person.pk and b.status != Status.DRAFT]
    return as_authorizer, as_relative, mine


def document_for_viewer(*, user, pk) -> Document:
    """The applicant, the relative, and clerks of the region may open a document; everyone else gets 404."""
    document = _document_with_case(pk)
    if document is None:
        raise Http404
    binding = document.binding
    # A party sees the proof as he sees the binding itself (the relative once the application is filed).
    if party_roles(binding, user):
        return document
    if clerk_covers(user, binding.application.city_code):
        return document
    raise _refuse(user, f"document:{document.pk}", binding.application)


# What the document view's checks, its audit row and its response read: the parties, the state, the case, its region.
DOCUMENT_WITH_CASE = CompiledRead(
    lambda pk: Document.objects.filter(pk=pk).order_by(),
    fields=[Document._meta.pk],
    stand_ins=[uuid.UUID(int=0)],
    parts=[
        (Document, "", {"id", "binding_id", "kind", "storage_name", "content_type"}),
        (Binding, "binding__", {"id", "authorizer_id", "relative_id", "status", "application_id"}),
        (Application, "binding__application__", {"id", "case_number", "city_code"}),
    ],
    limit=1,
)


# application_for_user's read: the whole application row (the wizard's steps show and check most of it).
APPLICATION_BY_CASE = CompiledRead(
    lambda case_number: Application.objects.filter(case_number=case_number).order_by("pk"),
    fields=[Application._meta.get_field("case_number")],
    stand_ins=["GJ00000000000000"],
    parts=[(Application, "", None)],
    limit=1,
)


# binding_facts_and_rows for a draft and a candidate relative (the pre-check): whole rows, the service may update one.
FACT_ROWS = CompiledRead(
    lambda authorizer_id, application_id, relative_id: Binding.objects.filter(
        Q(authorizer_id=authorizer_id) | Q(application_id=application_id) | Q(relative_id=relative_id)
    ).order_by(),
    fields=[Binding._meta.get_field(name) for name in ("authorizer", "application", "relative")],
    stand_ins=[0, 0, 0],
    parts=[(Binding, "", None)],
)


def _document_with_case(pk) -> Document | None:
    """The document with its binding and the binding's application (the fields DOCUMENT_WITH_CASE names)."""
    found = DOCUMENT_WITH_CASE(pk)
    if not found:
        return None
    ((document, binding, application),) = found
    binding.application = application
    document.binding = binding
    return document


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday) after `start` up to and including `end`. Public holidays are not known here."""
    if end <= start:
        return 0
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def bindings_ended_by_status_change(person: InsuredPerson, status: str):
    """What changing the person's insurance status to `status` ends: every live binding he is a party to, as
    authorizer or relative, when he is suspended or terminated; nothing when he becomes normal again.

    registry_status_change ends exactly these rows and the confirmation pages count them, so the number a clerk
    confirms is the number ended.
    """
    if status == InsuranceStatus.NORMAL:
        return Binding.objects.none()
    return Binding.objects.filter(Q(authorizer=person) | Q(relative=person), status__in=LIVE_STATUSES)
