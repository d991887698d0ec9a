"""The transition machinery every binding service stands on.

A transition locks its row, checks the source state, writes the new state and a BindingEvent in one
transaction. Status is never written anywhere else.
"""

from datetime import date
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.acting import acted_for, agent_of, audit_act_for
from accounts.audit import region_of
from accounts.errors import HallError
from policies.eligibility import Reason, Verdict, check_eligibility

from ..codes import BindingCode
from ..models import ActorRole, Binding, BindingEvent, Status
from ..selectors import binding_facts, fact_rows_for, facts_from_rows
from ..transitions import TRANSITIONS, Action, allows


class BindingError(HallError):
    """A refusal the resident or clerk can read: one message, or every reason the engine gave."""

    def __init__(self, message: str = "", *, reasons: list[Reason] | None = None, code: str = ""):
        self.reasons = list(reasons or [])
        super().__init__(
            message or "；".join(r.message for r in self.reasons),
            code=code or (self.reasons[0].code if self.reasons else ""),
        )


def record_event(binding, *, actor, role, from_status, to_status, channel, reason_code="", reason_text=""):
    """One row of the timeline. A guardian's or proxy's act names both: the actor and the party he acted for,
    and is written to the audit log too, in the same transaction."""
    acting = acted_for(actor)
    BindingEvent.objects.create(
        binding=binding,
        actor=agent_of(actor) if getattr(actor, "pk", None) else None,
        actor_role=role,
        from_status=from_status,
        to_status=to_status,
        reason_code=reason_code,
        reason_text=reason_text,
        channel=channel,
        on_behalf_of=acting.person if acting else None,
        acting_kind=acting.kind if acting else "",
    )
    audit_act_for(
        actor,
        target=f"binding:{binding.pk}",
        what=f"{Status(from_status).label if from_status else '-'} → {Status(to_status).label}",
        region_code=region_of(binding),
        case_number=binding.application.case_number,
    )


def lock_binding(binding: Binding) -> Binding:
    # of=("self",): lock the binding row only. Without it PostgreSQL also locks the joined application and both
    # people FOR UPDATE, and a clerk's approval then deadlocks with a status change holding one of those people.
    return (
        Binding.objects.select_for_update(of=("self",))
        .select_related("application", "authorizer", "relative")
        .get(pk=binding.pk)
    )


def wrong_state(binding: Binding, message: str = "") -> "BindingError":
    return BindingError(
        message
        or _("该申请当前状态为“%(now)s”，不能执行此操作，请刷新页面查看最新状态。")
        % {"now": binding.get_status_display()},
        code=BindingCode.WRONG_STATE,
    )


def ensure_allowed(binding: Binding, action: str, message: str = "") -> None:
    """Refuse, in the resident's words, an action the transition table does not allow from this state."""
    if not allows(action, binding.status):
        raise wrong_state(binding, message)


def transition(
    binding: Binding,
    *,
    action: Action,
    actor,
    role: ActorRole,
    channel: str,
    reason_code: str = "",
    reason_text: str = "",
    **changes,
) -> Binding:
    """Take `action` on one locked binding as the transition table says, with its audit row.

    The caller holds a transaction. The table names the allowed source states and the target; `role` must be
    one the table lets take the action (a caller passing another is a programming error, not a refusal).
    """
    rule = TRANSITIONS[action]
    if rule.target is None or role not in rule.by:
        raise ValueError(f"{role} cannot take {action} as a transition")
    locked = lock_binding(binding)
    ensure_allowed(locked, action)
    before = locked.status
    locked.status = rule.target
    fields = ["status"]
    for name, value in changes.items():
        setattr(locked, name, value)
        fields.append(name)
    if reason_code or reason_text:
        locked.reason_code, locked.reason_text = reason_code, reason_text
        fields += ["reason_code", "reason_text"]
    locked.save(update_fields=fields)
    record_event(
        locked,
        actor=actor,
        role=role,
        from_status=before,
        to_status=rule.target,
        channel=channel,
        reason_code=reason_code,
        reason_text=reason_text,
    )
    binding.__dict__.update({k: getattr(locked, k) for k in ["status", *changes, "reason_code", "reason_text"]})
    return locked


def binding_verdict(*, binding: Binding, on: date | None = None) -> Verdict:
    """The engine's answer for an existing binding, recomputed now (clerks see this on every case), with the proof
    its application's channel asks for."""
    on = on or timezone.localdate()
    facts = binding_facts(authorizer=binding.authorizer, relative=binding.relative, on=on)
    return _verdict(binding, facts, on)


def binding_verdicts(
    bindings: list[Binding], *, on: date | None = None, rows: list[Binding] | None = None
) -> list[Verdict]:
    """binding_verdict for each of several bindings (a page's checklist of relatives), with one query for the
    bindings behind all their facts instead of one per binding (`rows`: selectors.fact_rows_for, read already)."""
    on = on or timezone.localdate()
    if rows is None:
        rows = fact_rows_for(bindings)
    return [
        _verdict(b, facts_from_rows(rows, authorizer=b.authorizer, relative=b.relative, on=on), on) for b in bindings
    ]


def _verdict(binding: Binding, facts, on: date) -> Verdict:
    return check_eligibility(
        authorizer=binding.authorizer,
        relative=binding.relative,
        relationship=binding.relationship,
        start=binding.start_date,
        end=binding.end_date,
        on=on,
        facts=facts,
        channel=binding.application.channel,
        relative_phone=binding.relative_phone,
    )


class ProofState(StrEnum):
    """Where one item of the proof checklist stands: the wizard's steps, the checklist, the summary and the
    submit check all ask proof_state, so a page never says 已上传 or 完成 where submitting would say 缺少."""

    SYSTEM = "system"  # checked against registry data or by face verification, nothing to upload
    UPLOADED = "uploaded"
    PLEDGED = "pledged"  # the region's pledge (承诺制) stands in for the document
    MISSING = "missing"


def proof_state(requirement, *, kinds: set[str], pledge: bool) -> ProofState:
    """The state of one required proof, given the kinds of the documents filed and the binding's pledge."""
    if not requirement.upload_required:
        return ProofState.SYSTEM
    if requirement.kind in kinds:
        return ProofState.UPLOADED
    if requirement.pledge_allowed and pledge:
        return ProofState.PLEDGED
    return ProofState.MISSING


def proof_missing(binding: Binding, verdict: Verdict) -> list[str]:
    have = set(binding.documents.values_list("kind", flat=True))
    return [
        str(requirement.label)
        for requirement in verdict.proof
        if proof_state(requirement, kinds=have, pledge=binding.pledge) == ProofState.MISSING
    ]


def activate(binding: Binding, *, actor, role, channel, reason_text: str = "") -> Binding:
    return transition(
        binding,
        action=Action.APPROVE,
        actor=actor,
        role=role,
        channel=channel,
        reason_text=reason_text,
        activated_at=timezone.now(),
    )
