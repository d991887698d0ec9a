"""A binding's timeline when a guardian or proxy acted for a party: "张伟（代办人）代 张老汉".

record_event stores both names (BindingEvent.actor is the signed-in agent, on_behalf_of the party he acted for,
acting_kind as what). These helpers put them in words for the resident's page and the clerk's case page; the
events must be loaded with select_related("actor__person", "on_behalf_of").
"""

from django.utils.translation import gettext as _

from accounts.acting import agent_of
from accounts.masking import mask_name
from accounts.models import ActingKind

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
