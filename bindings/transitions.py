"""The state machine of a binding: what each action does to which states, who takes it, and what a viewer may do.

The services enforce `TRANSITIONS` (`services.core.transition` looks the action up, so no service names its own
source states); pages ask `binding_actions` which buttons to show, so a button never offers what the service
would refuse, and no template, view, admin page or counter screen compares status strings.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.acting import user_may
from accounts.models import ProxyScope

from .makerchecker import ApprovalStep, approval_step, clerk_is_party, may_decide
from .models import PENDING_STATUSES, ActorRole, Binding, Status


class Action(models.TextChoices):
    SUBMIT = "submit", _("提交申请")
    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("驳回")
    REQUEST_MORE = "request_more", _("退回补充材料")
    RESUBMIT = "resubmit", _("补充完成，重新提交")
    WITHDRAW = "withdraw", _("撤回申请")
    DISSOLVE = "dissolve", _("解除共济关系")
    TERMINATE = "terminate", _("参保状态变化，终止申请")
    EDIT_PROOF = "edit_proof", _("上传或删除证明材料")
    REMOVE_DRAFT = "remove_draft", _("删除未提交的家庭成员")


@dataclass(frozen=True)
class Rule:
    sources: frozenset  # the states the action is allowed from
    target: str | None  # the state it leads to; None: the state stays (proof edited) or the draft row goes
    by: frozenset  # the ActorRoles that may take it


def _rule(sources, target, by) -> Rule:
    return Rule(frozenset(sources), target, frozenset(by))


_PARTIES = (ActorRole.AUTHORIZER, ActorRole.RELATIVE)
TRANSITIONS: dict[str, Rule] = {
    # At the counter a clerk fills in and submits the draft for the resident.
    Action.SUBMIT: _rule({Status.DRAFT}, Status.SUBMITTED, {ActorRole.AUTHORIZER, ActorRole.CLERK}),
    # The system approves at once where the region needs no review.
    Action.APPROVE: _rule({Status.SUBMITTED}, Status.ACTIVE, {ActorRole.CLERK, ActorRole.SYSTEM}),
    Action.REJECT: _rule({Status.SUBMITTED}, Status.REJECTED, {ActorRole.CLERK}),
    Action.REQUEST_MORE: _rule({Status.SUBMITTED}, Status.RETURNED, {ActorRole.CLERK}),
    Action.RESUBMIT: _rule({Status.RETURNED}, Status.SUBMITTED, {ActorRole.AUTHORIZER}),
    Action.WITHDRAW: _rule(PENDING_STATUSES, Status.WITHDRAWN, {ActorRole.AUTHORIZER}),
    # The system dissolves on an insurance status change or when the end date has passed.
    Action.DISSOLVE: _rule({Status.ACTIVE}, Status.DISSOLVED, {*_PARTIES, ActorRole.CLERK, ActorRole.SYSTEM}),
    Action.TERMINATE: _rule(PENDING_STATUSES, Status.TERMINATED, {ActorRole.SYSTEM}),
    Action.EDIT_PROOF: _rule({Status.DRAFT, Status.RETURNED}, None, {ActorRole.AUTHORIZER, ActorRole.CLERK}),
    Action.REMOVE_DRAFT: _rule({Status.DRAFT}, None, {ActorRole.AUTHORIZER, ActorRole.CLERK}),
}

# What a resident may ask for on his binding's page (the other actions belong to clerks, the counter desk or
# the system, or to the application pages).
PARTY_ACTIONS = (Action.WITHDRAW, Action.RESUBMIT, Action.DISSOLVE)
CLERK_DECISIONS = (Action.APPROVE, Action.REJECT, Action.REQUEST_MORE)


def allows(action: str, status: str) -> bool:
    """The table's answer: may `action` be taken from `status`."""
    return status in TRANSITIONS[action].sources


def party_roles(binding: Binding, user) -> set:
    """The ActorRoles a signed-in resident holds on this binding (none for anyone else)."""
    person_id = getattr(user, "person_id", None)
    roles = set()
    if person_id is not None and person_id == binding.authorizer_id:
        roles.add(ActorRole.AUTHORIZER)
    # The relative knows of the binding once it is filed; the draft is the authorizer's alone.
    if person_id is not None and person_id == binding.relative_id and binding.status != Status.DRAFT:
        roles.add(ActorRole.RELATIVE)
    return roles


def may_change(user) -> bool:
    """A resident may change his bindings; a guardian or proxy acting for him only within his scope, and a
    resident without full capacity only through his guardian (accounts.acting)."""
    return user_may(user, ProxyScope.APPLY)


def party_may(binding: Binding, user, action: str) -> bool:
    """A party role of `user` may take `action` on some state (whether the current state allows it is the
    service's answer, in the words the resident reads)."""
    return may_change(user) and bool(party_roles(binding, user) & TRANSITIONS[action].by)


def binding_actions(binding: Binding, user, *, on: date | None = None) -> frozenset:
    """What `user` may do with this binding now: the table, who he is, and maker-checker, in one answer."""
    on = on or timezone.localdate()
    # An active binding past its end date is over for the viewer even before the daily run dissolves it.
    status = binding.effective_status(on)
    roles = party_roles(binding, user) if may_change(user) else set()
    actions = {a for a in PARTY_ACTIONS if roles & TRANSITIONS[a].by and allows(a, status)}
    if ActorRole.AUTHORIZER in roles and allows(Action.EDIT_PROOF, status):
        actions.add(Action.EDIT_PROOF)
    if getattr(user, "is_staff", False) and may_decide(user, binding):
        if allows(Action.APPROVE, status) and approval_step(binding, user) in (ApprovalStep.FIRST, ApprovalStep.FINAL):
            actions.add(Action.APPROVE)
        if not clerk_is_party(binding, user):
            actions |= {a for a in (Action.REJECT, Action.REQUEST_MORE) if allows(a, status)}
    return frozenset(actions)


def action_flags(actions) -> dict:
    """`{"approve": True, …}` for templates: `{% if can.approve %}` reads better than a membership test."""
    return {str(action): True for action in actions}
