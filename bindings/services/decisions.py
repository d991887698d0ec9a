"""A clerk's decisions on a submitted case: approve (with maker-checker), reject, ask for more proof."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit, region_of
from accounts.models import AuditAction
from policies.choices import ChannelKind

from ..codes import BindingCode
from ..makerchecker import FIRST_APPROVAL, ApprovalStep, approval_step, clerk_is_party
from ..models import ActorRole, Binding, RejectReason, Status
from ..notices import NoticeEvent, notify_parties
from ..transitions import Action
from .core import BindingError, activate, binding_verdict, ensure_allowed, lock_binding, record_event, transition


def _audit_clerk(clerk, action, binding, *, detail="", ip=None):
    if getattr(clerk, "is_staff", False):
        audit(
            actor=clerk,
            action=action,
            target=f"binding:{binding.pk}",
            case_number=binding.application.case_number,
            detail=detail,
            ip=ip,
            region_code=region_of(binding),
        )


def _party_clerk_refused() -> BindingError:
    return BindingError(_("您是该申请的当事人，须回避，由其他经办人员审核。"), code=BindingCode.CLERK_IS_PARTY)


def _refuse_party_clerk(binding: Binding, clerk) -> None:
    if clerk_is_party(binding, clerk):
        raise _party_clerk_refused()


@transaction.atomic
def binding_approve(
    *, binding: Binding, clerk, note: str = "", channel: str = ChannelKind.ONLINE_HALL, ip: str | None = None
) -> Binding:
    """A clerk approves: only when the engine, asked again now, still says eligible.

    A case that needs two clerks is only marked as first-approved by the first one; a second, different clerk
    who is not a party then makes it active.
    """
    locked = lock_binding(binding)
    ensure_allowed(
        locked,
        Action.APPROVE,
        _("该申请当前状态为“%(now)s”，不能审核通过。") % {"now": locked.get_status_display()},
    )
    verdict = binding_verdict(binding=locked)
    if not verdict.eligible:
        raise BindingError(reasons=verdict.reasons)
    step = approval_step(locked, clerk)
    if step == ApprovalStep.SAME_CLERK:
        raise BindingError(_("该申请须由另一名经办人员复核，初审人不能再次审核。"), code=BindingCode.SAME_CLERK)
    if step == ApprovalStep.PARTY:
        raise _party_clerk_refused()
    if step == ApprovalStep.FIRST:
        record_event(
            locked,
            actor=clerk,
            role=ActorRole.CLERK,
            from_status=Status.SUBMITTED,
            to_status=Status.SUBMITTED,
            channel=channel,
            reason_code=FIRST_APPROVAL,
            reason_text=note or _("初审通过，待另一名经办人员复核"),
        )
        _audit_clerk(clerk, AuditAction.FIRST_APPROVE, locked, detail=note, ip=ip)
        return locked
    binding = activate(locked, actor=clerk, role=ActorRole.CLERK, channel=channel, reason_text=note)
    _audit_clerk(clerk, AuditAction.APPROVE, binding, detail=note, ip=ip)
    notify_parties(binding, event=NoticeEvent.ACTIVATED)
    return binding


# The explanation the resident reads on a rejection or a return: what is wrong and what to do next. Shorter
# than this cannot say both. The admin forms read the same number.
MIN_EXPLANATION = 10


def explanation_problem(text: str) -> str:
    """Why an explanation for the resident is not enough, or "" when it is."""
    text = (text or "").strip()
    if not text:
        return _("请填写给申请人的说明：哪里有问题、下一步怎么办。")
    if len(text) < MIN_EXPLANATION:
        return _("说明太短（至少%(n)s个字）：请写明哪里有问题、下一步怎么办。") % {"n": MIN_EXPLANATION}
    return ""


@transaction.atomic
def binding_reject(
    *, binding: Binding, clerk, reason_code: str, reason_text: str, channel=ChannelKind.ONLINE_HALL, ip=None
):
    """A clerk rejects: a reason from the list and an explanation the resident reads, both required."""
    _refuse_party_clerk(binding, clerk)
    if reason_code not in RejectReason.values:
        raise BindingError(_("请选择驳回原因。"), code=BindingCode.REASON_MISSING)
    if problem := explanation_problem(reason_text):
        raise BindingError(problem, code=BindingCode.REASON_MISSING)
    binding = transition(
        binding,
        action=Action.REJECT,
        actor=clerk,
        role=ActorRole.CLERK,
        channel=channel,
        reason_code=reason_code,
        reason_text=reason_text.strip(),
        ended_at=timezone.now(),
    )
    _audit_clerk(clerk, AuditAction.REJECT, binding, detail=f"{reason_code} {reason_text}".strip(), ip=ip)
    notify_parties(binding, event=NoticeEvent.REJECTED)
    return binding


@transaction.atomic
def binding_request_more(
    *, binding: Binding, clerk, missing_note: str, channel=ChannelKind.ONLINE_HALL, ip=None
) -> Binding:
    _refuse_party_clerk(binding, clerk)
    if not missing_note.strip():
        raise BindingError(_("请写明需要补充的材料。"), code=BindingCode.REASON_MISSING)
    binding = transition(
        binding,
        action=Action.REQUEST_MORE,
        actor=clerk,
        role=ActorRole.CLERK,
        channel=channel,
        reason_text=missing_note.strip(),
        missing_note=missing_note.strip(),
    )
    _audit_clerk(clerk, AuditAction.REQUEST_MORE, binding, detail=missing_note.strip(), ip=ip)
    notify_parties(binding, event=NoticeEvent.RETURNED)
    return binding
