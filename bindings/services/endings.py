"""How a binding ends: a party dissolves it, an insurance status changes, or its end date passes."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import AuditAction, InsuranceStatus, InsuredPerson
from policies.choices import ChannelKind

from ..models import LIVE_STATUSES, ActorRole, Binding, DissolveReason, Status
from ..notices import notify_parties
from ..numbers import lock_people
from .core import BindingError, transition


@transaction.atomic
def binding_dissolve(
    *, binding: Binding, actor, role: ActorRole, reason_code: str, channel: str = ChannelKind.ONLINE_HALL
) -> Binding:
    binding = transition(
        binding,
        to=Status.DISSOLVED,
        allowed_from=(Status.ACTIVE,),
        actor=actor,
        role=role,
        channel=channel,
        reason_code=reason_code,
        ended_at=timezone.now(),
    )
    notify_parties(binding, event="dissolved")
    return binding


def binding_dissolve_by_party(*, binding: Binding, user) -> Binding:
    """The authorizer or the relative ends a binding himself."""
    if user.person_id == binding.authorizer_id:
        role, reason = ActorRole.AUTHORIZER, DissolveReason.BY_AUTHORIZER
    elif user.person_id == binding.relative_id:
        role, reason = ActorRole.RELATIVE, DissolveReason.BY_RELATIVE
    else:
        raise BindingError(_("您不是该共济关系的当事人。"), code="not_a_party")
    return binding_dissolve(binding=binding, actor=user, role=role, reason_code=reason)


@transaction.atomic
def registry_status_change(
    *, person: InsuredPerson, status: str, actor, channel: str = ChannelKind.COUNTER, ip: str | None = None
) -> int:
    """Change a registry person's insurance status; suspension or termination ends all his bindings at once.

    Returns how many bindings were ended.
    """
    lock_people([person.pk])
    person = InsuredPerson.objects.get(pk=person.pk)
    if status not in InsuranceStatus.values:
        raise BindingError(_("未知的参保状态。"), code="bad_status")
    before = person.status
    person.status = status
    person.save(update_fields=["status", "updated_at"])
    if getattr(actor, "is_staff", False):
        audit(
            actor=actor,
            action=AuditAction.STATUS_CHANGE,
            target=f"person:{person.pk}",
            detail=f"{before} -> {status}",
            ip=ip,
        )
    if status == InsuranceStatus.NORMAL:
        return 0
    reason = (
        DissolveReason.INSURANCE_SUSPENDED
        if status == InsuranceStatus.SUSPENDED
        else DissolveReason.INSURANCE_TERMINATED
    )
    ended = 0
    # Lock his live bindings in one order and act on what the lock shows: one approved, dissolved or ended
    # by a concurrent transaction is seen as it now is, not as an earlier read had it.
    affected = (
        Binding.objects.select_for_update()
        .filter(Q(authorizer=person) | Q(relative=person), status__in=LIVE_STATUSES)
        .order_by("pk")
    )
    for binding in list(affected):
        if binding.status == Status.ACTIVE:
            binding_dissolve(binding=binding, actor=actor, role=ActorRole.SYSTEM, reason_code=reason, channel=channel)
        else:
            binding = transition(
                binding,
                to=Status.TERMINATED,
                allowed_from=(Status.SUBMITTED, Status.RETURNED),
                actor=actor,
                role=ActorRole.SYSTEM,
                channel=channel,
                reason_code=reason,
                reason_text=_("%(who)s参保状态变为“%(status)s”，申请自动终止。")
                % {
                    "who": _("授权人") if binding.authorizer_id == person.pk else _("使用人"),
                    "status": InsuranceStatus(status).label,
                },
                ended_at=timezone.now(),
            )
            notify_parties(binding, event="terminated")
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
    for binding in Binding.objects.filter(status=Status.ACTIVE, end_date__lt=today):
        with transaction.atomic():
            try:
                dissolve_expired(binding)
            except BindingError:
                continue  # changed meanwhile
        ended += 1
    return ended
