"""Maker-checker (两人审核): which cases need a second clerk, and the first approval a case is waiting on.

One module for the services that enforce it and the admin pages that show it.
"""

from django.utils import timezone

from policies.relationships import Relationship

from .models import Binding, BindingEvent, Status

# Relatives beyond spouse, parents and children, when only a pledge stands for the proof, get a second look.
SENSITIVE_RELATIONSHIPS = {
    Relationship.SIBLING,
    Relationship.GRANDPARENT,
    Relationship.MATERNAL_GRANDPARENT,
    Relationship.GRANDCHILD,
    Relationship.MATERNAL_GRANDCHILD,
}


FIRST_APPROVAL = "first_approval"


def clerk_is_party(binding: Binding, clerk) -> bool:
    person_id = getattr(clerk, "person_id", None)
    return person_id is not None and person_id in (binding.authorizer_id, binding.relative_id)


def is_sensitive(binding: Binding) -> bool:
    """An adult sibling, grandparent or grandchild vouched for by a pledge alone."""
    adult = binding.relative.age_on(timezone.localdate()) >= 18
    pledge_only = binding.pledge and not binding.documents.exists()
    return binding.relationship in SENSITIVE_RELATIONSHIPS and adult and pledge_only


def needs_second_approval(binding: Binding, clerk) -> bool:
    """Maker-checker: a sensitive case, or one where the deciding clerk is himself a party."""
    return is_sensitive(binding) or clerk_is_party(binding, clerk)


def pending_first_approval(binding: Binding) -> BindingEvent | None:
    """The first approval given since the binding was last submitted, if any."""
    last_submit = binding.events.filter(to_status=Status.SUBMITTED).exclude(reason_code=FIRST_APPROVAL).last()
    events = binding.events.filter(reason_code=FIRST_APPROVAL)
    if last_submit is not None:
        events = events.filter(pk__gt=last_submit.pk)
    return events.last()
