"""A binding's timeline when a guardian or proxy acted for a party: "张伟（代办人）代 张老汉".

record_event stores both names (BindingEvent.actor is the signed-in agent, on_behalf_of the party he acted for,
acting_kind as what). These helpers put them in words for the resident's page and the clerk's case page; the
events must be loaded with select_related("actor__person", "on_behalf_of").
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.acting import agent_of
from accounts.masking import mask_name
from accounts.models import ActingKind

from .models import ShownStatus, Status
from .selectors import working_days_between

EVENT_RELATED = ("actor__person", "on_behalf_of")


def delegated(event) -> bool:
    return bool(event.acting_kind) and event.on_behalf_of_id is not None


def acted_for_text(event, *, agent_name: str, person_name: str) -> str:
    """'张伟（代办人）代 张老汉' for a step a guardian or proxy took, '' for anyone acting for himself."""
    if not delegated(event):
        return ""
    return _("%(agent)s（%(kind)s）代 %(person)s") % {
        "agent": agent_name,
        "kind": ActingKind(event.acting_kind).label,
        "person": person_name,
    }


def _agent_person_name(event) -> str:
    actor = event.actor
    if actor is None:
        return ""
    return actor.person.name if actor.person_id else actor.get_full_name() or actor.username


def for_clerk(events) -> list:
    """The case page: both names masked, as every name is in admin until a clerk reveals (and is logged)."""
    events = list(events)
    for event in events:
        event.acted_by = acted_for_text(
            event,
            agent_name=mask_name(_agent_person_name(event)),
            person_name=mask_name(event.on_behalf_of.name) if delegated(event) else "",
        )
    return events


def for_party(events, user) -> list:
    """The resident's page: a name in full to its owner and to whoever acts for him (the principal knows his
    proxy and the guardian his ward); the other party sees both masked, as he sees the other side elsewhere."""
    viewer_person = getattr(user, "person_id", None)
    viewer_account = agent_of(user).pk
    events = list(events)
    for event in events:
        if not delegated(event):
            event.acted_by = ""
            continue
        own_side = event.on_behalf_of_id == viewer_person
        agent_name = _agent_person_name(event)
        event.acted_by = acted_for_text(
            event,
            agent_name=agent_name if own_side or event.actor_id == viewer_account else mask_name(agent_name),
            person_name=event.on_behalf_of.name if own_side else mask_name(event.on_behalf_of.name),
        )
    return events


def party_timeline(binding, user) -> list:
    """for_party over a binding's events in one plain query: the names behind a step taken for someone (the
    agent's person, the party) are read only when there is such a step, in a fixed three more queries."""
    events = list(binding.events.all())
    acted = [event for event in events if delegated(event)]
    if acted:
        prefetch_related_objects(acted, *EVENT_RELATED)
    return for_party(events, user)


# --- where a case stands: the resident's tracker and the done page's headline -----------------------------------


@dataclass(frozen=True)
class TrackerStep:
    label: str
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class CaseTracker:
    """受理 → 审核 → 办结 for one binding, with the day the region's processing time says it should be done."""

    binding: object
    steps: tuple
    expected_on: date | None
    waiting_for_resident: bool = False  # returned for more proof: the clock waits for him


def expected_done_on(submitted_on: date, working_days: int) -> date:
    """The day `working_days` working days after `submitted_on`, counted as the clerk queue counts them
    (bindings.selectors.working_days_between: Monday to Friday, public holidays not known)."""
    day = submitted_on
    while working_days_between(submitted_on, day) < working_days:
        day += timedelta(days=1)
    return day


def case_tracker(binding, policy) -> CaseTracker:
    """The tracker of a binding still in progress (submitted or returned for more proof)."""
    waiting_for_resident = binding.status == Status.RETURNED
    steps = (
        TrackerStep(str(_("已受理")), "done"),
        TrackerStep(str(_("待补充材料")) if waiting_for_resident else str(_("审核中")), "current"),
        TrackerStep(str(_("办结")), "todo"),
    )
    expected = None
    if binding.submitted_at and not waiting_for_resident:
        submitted_on = timezone.localdate(binding.submitted_at)
        expected = expected_done_on(submitted_on, policy.effective_review_working_days)
    return CaseTracker(binding=binding, steps=steps, expected_on=expected, waiting_for_resident=waiting_for_resident)


def outcome_headline(bindings, on: date | None = None) -> str:
    """The done page's headline, true to what the statuses say (never 申请已受理 above 已生效)."""
    shown = {b.shown_status(on) for b in bindings}
    if shown and shown <= {ShownStatus.ACTIVE}:
        return str(_("共济已生效"))
    if shown and shown <= {ShownStatus.ACTIVE, ShownStatus.NOT_YET}:
        return str(_("共济已登记，到开始日期生效"))
    if shown & {ShownStatus.SUBMITTED, ShownStatus.RETURNED}:
        return str(_("申请已受理，等待审核")) if ShownStatus.ACTIVE not in shown else str(_("申请已受理，部分已生效"))
    return str(_("申请已办结"))
