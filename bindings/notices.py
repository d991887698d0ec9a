"""Tell both parties about a binding: the in-site message centre and the simulated SMS outbox."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.masking import mask_name
from accounts.sms import sms_send

from .models import Binding, DissolveReason, Notice, RejectReason


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
        labels = {**dict(RejectReason.choices), **dict(DissolveReason.choices)}
        label = str(labels.get(binding.reason_code, ""))
        detail = binding.reason_text if binding.reason_text and binding.reason_text != label else ""
        reason = f"{label}（{detail}）" if detail else label
    return text % {**names, "case": case, "reason": reason or _("详见申请记录")}


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
    """
    Notice.objects.create(person=person, binding=binding, title=title, body=body)
    phone = _phone(person)
    if phone:
        sms_send(phone=phone, body=_("【医保服务大厅】") + body, region_code=person.city_code)
