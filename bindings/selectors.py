"""Reads about bindings. Anything that depends on who asks returns 404 for other people's data."""

from datetime import date, timedelta

from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit, region_of
from accounts.clerks import clerk_covers
from accounts.models import AuditAction, InsuranceStatus, InsuredPerson
from policies.eligibility import BindingFacts, Quota
from policies.selectors import resolved_policy

from .models import LIVE_STATUSES, Application, Binding, Document, Status
from .transitions import party_roles


def binding_facts(
    *, authorizer: InsuredPerson, relative: InsuredPerson | None, on: date, application: Application | None = None
) -> BindingFacts:
    """What the eligibility engine needs to know about history, for one authorizer and one candidate relative."""
    mine = Binding.objects.filter(authorizer=authorizer)
    others = mine.live(on)
    if relative is not None:
        others = others.exclude(relative=relative)
    active_count = others.count()
    counted = set(
        mine.filter(Q(status__in=LIVE_STATUSES) | Q(activated_at__isnull=False)).values_list("relative_id", flat=True)
    )
    draft_relatives = []
    if application is not None:
        # Relatives already added to this draft application take places when it is submitted; the engine
        # counts them against the limits, the pages show them apart from the bound ones.
        drafts = application.bindings.filter(status=Status.DRAFT)
        if relative is not None:
            drafts = drafts.exclude(relative=relative)
        draft_relatives = list(drafts.values_list("relative_id", flat=True))
    places = {
        "active_count": active_count,
        "total_count": len(counted),
        "draft_count": len(draft_relatives),
        "draft_new_count": len(set(draft_relatives) - counted),
    }
    if relative is None:
        return BindingFacts(**places)
    elsewhere = Binding.objects.filter(relative=relative).exclude(authorizer=authorizer)
    last_end = elsewhere.filter(status=Status.DISSOLVED).aggregate(last=Max("ended_at"))["last"]
    return BindingFacts(
        **places,
        relative_counted_before=relative.pk in counted,
        bound_to_other_authorizer=elsewhere.live(on).exists(),
        # ended_at is stored in UTC: the day that counts is the day in the hall's time zone (Beijing time).
        last_unbound_on=timezone.localdate(last_end) if last_end else None,
    )


def binding_quota(*, authorizer: InsuredPerson, on: date, application: Application | None = None) -> Quota:
    """The authorizer's quota line, as the engine counts it (the relatives of `application` shown apart)."""
    facts = binding_facts(authorizer=authorizer, relative=None, on=on, application=application)
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
    application = Application.objects.select_related("authorizer").filter(case_number=case_number).first()
    if application is None:
        raise Http404
    if person is None or application.authorizer_id != person.pk:
        raise _refuse(user, f"application:{application.pk}", application)
    return application


def draft_application_for(*, person: InsuredPerson) -> Application | None:
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


def document_for_viewer(*, user, pk) -> Document:
    """The applicant, the relative, and clerks of the region may open a document; everyone else gets 404."""
    document = Document.objects.select_related("binding__application", "binding__relative").filter(pk=pk).first()
    if document is None:
        raise Http404
    binding = document.binding
    # A party sees the proof as he sees the binding itself (the relative once the application is filed).
    if party_roles(binding, user):
        return document
    if clerk_covers(user, binding.application.city_code):
        return document
    raise _refuse(user, f"document:{document.pk}", binding.application)


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
