"""The counter desk's reads. A clerk sees only his region: anything else answers 404, as if it did not exist."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from accounts.clerks import clerk_covers
from accounts.models import InsuranceStatus, InsuredPerson
from bindings.models import Application, CounterTicket
from bindings.selectors import bindings_ended_by_status_change
from bindings.transitions import TRANSITIONS, Action
from policies.choices import ChannelKind


def ticket_of(*, clerk, pk: int | None) -> CounterTicket | None:
    """The ticket this clerk is serving (kept in his session), if it is his."""
    return CounterTicket.objects.filter(pk=pk, clerk=clerk).first() if pk else None


def person_for_clerk(*, clerk, pk) -> InsuredPerson:
    person = InsuredPerson.objects.filter(pk=pk).first()
    if person is None or not clerk_covers(clerk, person.city_code):
        raise Http404
    return person


def application_for_clerk(*, clerk, case_number: str) -> Application:
    """A counter application of the clerk's region."""
    application = (
        Application.objects.select_related("authorizer", "created_by")
        .filter(case_number=case_number, channel=ChannelKind.COUNTER)
        .first()
    )
    if application is None or not clerk_covers(clerk, application.city_code):
        raise Http404
    return application


def recent_applications(*, clerk, limit: int = 10):
    """The clerk's own latest counter applications, newest first."""
    return Application.objects.filter(channel=ChannelKind.COUNTER, created_by=clerk).order_by("-created_at")[:limit]


@dataclass(frozen=True)
class StatusChangePreview:
    """What the clerk confirms before a registry status change: who, from what to what, and what it ends."""

    person: InsuredPerson
    before: str
    after: str
    bindings: int  # approved: dissolved
    cases: int  # waiting for review or for more proof: terminated

    @property
    def before_label(self) -> str:
        return InsuranceStatus(self.before).label

    @property
    def after_label(self) -> str:
        return InsuranceStatus(self.after).label


def status_change_preview(*, person: InsuredPerson, status: str) -> StatusChangePreview:
    """Counted with the service's own query (bindings_ended_by_status_change), in one statement; what the
    transition table lets the service dissolve is dissolved, the rest (pending cases) is terminated."""
    dissolvable = Q(status__in=TRANSITIONS[Action.DISSOLVE].sources)
    counts = bindings_ended_by_status_change(person, status).aggregate(
        bindings=Count("pk", filter=dissolvable), cases=Count("pk", filter=~dissolvable)
    )
    return StatusChangePreview(
        person=person, before=person.status, after=status, bindings=counts["bindings"], cases=counts["cases"]
    )
