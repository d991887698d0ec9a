"""How a binding ends: a party dissolves it, an insurance status changes, or its end date passes."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit, region_of
from accounts.models import AuditAction, InsuranceStatus, InsuredPerson
from policies.choices import ChannelKind

from ..codes import BindingCode
from ..models import ActorRole, Binding, DissolveReason
from ..notices import NoticeEvent, notify_parties
from ..numbers import lock_people
from ..selectors import bindings_ended_by_status_change
from ..transitions import Action, allows
from .core import BindingError, transition


@transaction.atomic
def binding_dissolve(
    *,
    binding: Binding,
    actor,
    role: ActorRole,
    reason_code: str,
    reason_text: str = "",
    channel: str = ChannelKind.ONLINE_HALL,
) -> Binding:
    binding = transition(
        binding,
        action=Action.DISSOLVE,
        actor=actor,
        role=role,
        channel=channel,
        reason_code=reason_code,
        reason_text=reason_text,
        ended_at=timezone.now(),
    )
    notify_parties(binding, event=NoticeEvent.DISSOLVED)
    return binding


def binding_dissolve_by_party(*, binding: Binding, user) -> Binding:
    """The authorizer or the relative ends a binding himself."""
    if user.person_id == binding.authorizer_id:
        role, reason = ActorRole.AUTHORIZER, DissolveReason.BY_AUTHORIZER
    elif user.person_id == binding.relative_id:
        role, reason = ActorRole.RELATIVE, DissolveReason.BY_RELATIVE
    else:
        raise BindingError(_("您不是该共济关系的当事人。"), code=BindingCode.NOT_A_PARTY)
    return binding_dissolve(binding=binding, actor=user, role=role, reason_code=reason)


@transaction.atomic
def registry_status_change(
    *,
    person: InsuredPerson,
    status: str,
    actor,
    reason: str = "",
    expected_status: str | None = None,
    channel: str = ChannelKind.COUNTER,
    ip: str | None = None,
) -> int:
    """Change a registry person's insurance status; suspension or termination ends all his bindings at once.

    A clerk (staff actor) must say why: the reason goes into the audit row and into the reason text the parties
    of each ended binding read. `expected_status` is the status the clerk saw when he confirmed; if someone
    changed it since, nothing is written, so a stale confirmation cannot undo another clerk's change.
    Returns how many bindings were ended.
    """
    reason = (reason or "").strip()
    if status not in InsuranceStatus.values:
        raise BindingError(_("未知的参保状态。"), code=BindingCode.BAD_STATUS)
    is_clerk = getattr(actor, "is_staff", False)
    if is_clerk and not reason:
        raise BindingError(
            _("请填写变更参保状态的原因（例如：单位停止缴费、参保关系转出），参保状态未作变更。"),
            code=BindingCode.REASON_MISSING,
        )
    lock_people([person.pk])
    person = InsuredPerson.objects.get(pk=person.pk)
    if expected_status is not None and person.status != expected_status:
        raise BindingError(
            _("该居民的参保状态刚刚已被变更为“%(now)s”，本次变更未执行，请核对后重新办理。")
            % {"now": person.get_status_display()},
            code=BindingCode.WRONG_STATE,
        )
    before = person.get_status_display()
    person.status = status
    person.save(update_fields=["status", "updated_at"])
    after = person.get_status_display()
    if is_clerk:
        audit(
            actor=actor,
            action=AuditAction.STATUS_CHANGE,
            target=f"person:{person.pk}",
            detail=_("%(before)s → %(after)s；原因：%(reason)s") % {"before": before, "after": after, "reason": reason},
            ip=ip,
            region_code=region_of(person),
        )
    code = (
        DissolveReason.INSURANCE_SUSPENDED
        if status == InsuranceStatus.SUSPENDED
        else DissolveReason.INSURANCE_TERMINATED
    )
    ended = 0
    # Lock his live bindings in one order and act on what the lock shows: one approved, dissolved or ended
    # by a concurrent transaction is seen as it now is, not as an earlier read had it. The confirmation page
    # counted the same query, so the clerk confirmed what happens here.
    affected = bindings_ended_by_status_change(person, status).select_for_update().order_by("pk")
    for binding in list(affected):
        words = {
            "who": _("授权人") if binding.authorizer_id == person.pk else _("使用人"),
            "status": after,
            "reason": reason,
        }
        if allows(Action.DISSOLVE, binding.status):
            # The code already says "suspended, dissolved"; the clerk's reason is what the parties cannot guess.
            text = _("%(who)s参保状态变更原因：%(reason)s") % words if reason else ""
            binding_dissolve(
                binding=binding,
                actor=actor,
                role=ActorRole.SYSTEM,
                reason_code=code,
                reason_text=text,
                channel=channel,
            )
        else:
            text = (
                _("%(who)s参保状态变为“%(status)s”（原因：%(reason)s），申请自动终止。")
                if reason
                else _("%(who)s参保状态变为“%(status)s”，申请自动终止。")
            ) % words
            binding = transition(
                binding,
                action=Action.TERMINATE,
                actor=actor,
                role=ActorRole.SYSTEM,
                channel=channel,
                reason_code=code,
                reason_text=text,
                ended_at=timezone.now(),
            )
            notify_parties(binding, event=NoticeEvent.TERMINATED)
        ended += 1
    return ended


def dissolve_expired(binding: Binding) -> Binding:
    return binding_dissolve(
        binding=binding,
        actor=None,
        role=ActorRole.SYSTEM,
        reason_code=DissolveReason.END_DATE_PASSED,
        channel=binding.application.channel,
    )


def bindings_expire(*, today: date | None = None) -> int:
    """End active bindings whose end date has passed (run daily from cron: `manage.py expire_bindings`)."""
    today = today or timezone.localdate()
    ended = 0
    for binding in Binding.objects.expired(today):
        with transaction.atomic():
            try:
                dissolve_expired(binding)
            except BindingError:
                continue  # changed meanwhile
        ended += 1
    return ended
