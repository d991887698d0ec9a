"""Tell both parties about a binding: the in-site message centre and the simulated SMS outbox."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.acting import act_for_note, acted_for, audit_act_for, guardians_of
from accounts.masking import mask_name
from accounts.models import ActingKind
from accounts.sms import sms_send

from .models import ActorRole, Binding, Notice, Status


class NoticeEvent(models.TextChoices):
    """What happened to a binding, as both parties are told; the label is the message's title."""

    SUBMITTED = "submitted", gettext_lazy("共济申请已提交")
    ACTIVATED = "activated", gettext_lazy("家庭共济已生效")
    REJECTED = "rejected", gettext_lazy("共济申请未通过")
    RETURNED = "returned", gettext_lazy("共济申请需补充材料")
    WITHDRAWN = "withdrawn", gettext_lazy("共济申请已撤回")
    DISSOLVED = "dissolved", gettext_lazy("家庭共济已解除")
    TERMINATED = "terminated", gettext_lazy("共济申请已终止")


BODIES = {
    NoticeEvent.SUBMITTED: gettext_lazy(
        "%(authorizer)s为%(relative)s申请的家庭共济（受理编号%(case)s）已提交，等待经办人员审核。"
    ),
    NoticeEvent.ACTIVATED: gettext_lazy(
        "%(authorizer)s与%(relative)s的家庭共济（受理编号%(case)s）已生效，%(relative)s可使用%(authorizer)s的个人账户余额。"
    ),
    NoticeEvent.REJECTED: gettext_lazy(
        "%(authorizer)s为%(relative)s申请的家庭共济（受理编号%(case)s）未通过：%(reason)s"
    ),
    NoticeEvent.RETURNED: gettext_lazy(
        "受理编号%(case)s的共济申请需要补充材料：%(reason)s。请登录网上服务大厅补充后重新提交。"
    ),
    NoticeEvent.TERMINATED: gettext_lazy(
        "%(authorizer)s为%(relative)s申请的家庭共济（受理编号%(case)s）已终止：%(reason)s"
    ),
    NoticeEvent.WITHDRAWN: gettext_lazy("%(authorizer)s已撤回为%(relative)s申请的家庭共济（受理编号%(case)s）。"),
    NoticeEvent.DISSOLVED: gettext_lazy("%(authorizer)s与%(relative)s的家庭共济（受理编号%(case)s）已解除：%(reason)s"),
}


def _body(binding: Binding, event: NoticeEvent) -> str:
    names = {"authorizer": mask_name(binding.authorizer.name), "relative": mask_name(binding.relative.name)}
    case = binding.application.case_number
    text = str(BODIES[event])
    reason = binding.reason_text or binding.missing_note
    # A termination's text already says which party's status changed; its code adds nothing a resident reads.
    if binding.reason_code and event != NoticeEvent.TERMINATED:
        reason = binding.reason_display
    return text % {**names, "case": case, "reason": reason or _("详见申请记录")} + _acted_by(binding)


def _acted_by(binding: Binding) -> str:
    """'此项由代办人李*代张*办理。' when the step told of was taken by a guardian or proxy, so the person he
    acted for is always told (both parties get the same text). The step is the binding's latest event, or the
    submission before an immediate approval, which is the system's answer to that submission."""
    events = list(binding.events.select_related("actor__person", "on_behalf_of").order_by("-created_at", "-id")[:2])
    if not events:
        return ""
    event = events[0]
    immediate = event.actor_role == ActorRole.SYSTEM and event.from_status == Status.SUBMITTED
    if immediate and event.to_status == Status.ACTIVE and len(events) > 1:
        event = events[1]
    if not event.acting_kind or event.on_behalf_of_id is None or event.actor is None:
        return ""
    agent = event.actor.person.name if event.actor.person_id else event.actor.username
    return _("此项由%(kind)s%(agent)s代%(person)s办理。") % {
        "person": mask_name(event.on_behalf_of.name),
        "kind": ActingKind(event.acting_kind).label,
        "agent": mask_name(agent),
    }


def _phone(person) -> str:
    """The phone confirmed on the account when there is one, else the one in the registry."""
    try:
        return person.account.phone or person.phone
    except ObjectDoesNotExist:
        return person.phone


def notify_parties(binding: Binding, *, event: NoticeEvent) -> None:
    event = NoticeEvent(event)  # an unknown name fails here, before anyone is told anything
    title, body = str(event.label), _body(binding, event)
    for person in (binding.authorizer, binding.relative):
        notify_person(person, title=title, body=body, binding=binding)


def notify_person(person, *, title: str, body: str, binding: Binding | None = None) -> None:
    """One message to one person: the in-site message centre and, when he has a phone, the simulated SMS.

    Used by the ledger (shared debits, 代缴 receipts, spending caps), which tells one party, not both.

    A person without full capacity (a child) is told through his guardians (accounts.acting.guardians_of): he
    keeps the in-site message, and each guardian gets his own, titled with the ward's name, and the text message
    that would have gone to the child's phone. A guardian who is himself a party of the binding is told in his
    own right (notify_parties) or took the step himself, and gets no second copy. The guardian's copy links to no
    binding: the binding's page is the ward's, opened after choosing him under 家庭成员, as the copy says.
    """
    Notice.objects.create(person=person, binding=binding, title=title, body=body)
    guardians = guardians_of(person, timezone.localdate())
    if not guardians:
        phone = _phone(person)
        if phone:
            sms_send(phone=phone, body=_("【医保服务大厅】") + body, region_code=person.city_code)
        return
    parties = {binding.authorizer_id, binding.relative_id} if binding is not None else set()
    ward = _("（您监护的%(name)s）") % {"name": person.name}
    for guardian in guardians:
        if guardian.pk in parties:
            continue
        hint = _("可在页面上方“家庭成员”中选择%(name)s后查看详情。") % {"name": person.name} if binding else ""
        Notice.objects.create(person=guardian, title=(ward + title)[:100], body=body + hint)
        phone = _phone(guardian)
        if phone:
            sms_send(phone=phone, body=_("【医保服务大厅】") + ward + body, region_code=guardian.city_code)


def tell_principal(actor, *, target: str, what: str, region_code: str) -> None:
    """A guardian's or proxy's act outside the binding's timeline (a premium, a settlement, a spending cap): an
    audit row naming both, and a notice to the person acted for, who is always told."""
    acting = acted_for(actor)
    if acting is None:
        return
    audit_act_for(actor, target=target, what=what, region_code=region_code)
    notify_person(acting.person, title=_("家人为您办理了业务"), body=what + "。" + act_for_note(actor))
