"""Maker-checker (两人审核): which clerk may decide a case, which cases need a second clerk, and what one more
approval would do now.

One module for the services that enforce it, the admin case page and queue that show it, and `binding_actions`.
"""

from enum import StrEnum

from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.clerks import clerk_covers
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


# The reason code of the event a first approval leaves (from SUBMITTED to SUBMITTED).
FIRST_APPROVAL = "first_approval"


class ApprovalStep(StrEnum):
    """What an approval by one clerk would do to a submitted case now."""

    FIRST = "first"  # recorded; the case waits for a second clerk
    FINAL = "final"  # the case becomes active
    SAME_CLERK = "same_clerk"  # refused: the first approver cannot be the checker
    PARTY = "clerk_is_party"  # refused: a party cannot be the checker


def may_decide(user, binding: Binding) -> bool:
    """A clerk with the deciding permission who serves the case's region."""
    return user.has_perm("bindings.decide_binding") and clerk_covers(user, binding.application.city_code)


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


def second_approval_reason(binding: Binding, clerk) -> str:
    """Why this case needs two clerks when `clerk` looks at it, in words; "" when one clerk decides.

    The same conditions as `needs_second_approval`, so the page says it before anyone approves.
    """
    reasons = []
    if is_sensitive(binding):
        reasons.append(
            _("成年%(relationship)s仅凭承诺书，未上传关系证明材料")
            % {"relationship": binding.get_relationship_display()}
        )
    if clerk_is_party(binding, clerk):
        reasons.append(_("您是该申请的当事人"))
    return "；".join(reasons)


def _last_submit(events):
    # A first approval is itself an event into SUBMITTED: it is not a (re)submission.
    return events.filter(to_status=Status.SUBMITTED).exclude(reason_code=FIRST_APPROVAL)


def pending_first_approval(binding: Binding) -> BindingEvent | None:
    """The first approval given since the binding was last submitted, if any.

    A case returned for more proof and resubmitted starts over: an approval of the earlier proof is void.
    """
    last_submit = _last_submit(binding.events.all()).last()
    events = binding.events.filter(reason_code=FIRST_APPROVAL).select_related("actor")
    if last_submit is not None:
        events = events.filter(pk__gt=last_submit.pk)
    return events.last()


def with_pending_first_approval(queryset: QuerySet) -> QuerySet:
    """Annotate `awaiting_second_approval` on a queryset of bindings: the same rule as `pending_first_approval`,
    in one query for a whole queue page."""
    last_submit = _last_submit(BindingEvent.objects.filter(binding=OuterRef(OuterRef("pk")))).order_by("-pk")
    first = BindingEvent.objects.filter(
        binding=OuterRef("pk"),
        reason_code=FIRST_APPROVAL,
        pk__gt=Coalesce(Subquery(last_submit.values("pk")[:1]), Value(0)),
    )
    return queryset.annotate(awaiting_second_approval=Exists(first))


def approval_step(binding: Binding, clerk) -> ApprovalStep:
    """What `clerk` approving this submitted case would do now (the service acts on it, pages offer it)."""
    if not needs_second_approval(binding, clerk):
        return ApprovalStep.FINAL
    first = pending_first_approval(binding)
    if first is None:
        return ApprovalStep.FIRST
    if first.actor_id == getattr(clerk, "pk", None):
        return ApprovalStep.SAME_CLERK
    if clerk_is_party(binding, clerk):
        return ApprovalStep.PARTY
    return ApprovalStep.FINAL
