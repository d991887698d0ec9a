"""What the counter receipt states beyond the case itself: the office, the ticket and a next step per binding.

Nothing here is invented: the office is the counter the city's own policy data names, otherwise the city's name
and 医疗保障经办窗口; the processing time is the one the policy data states, otherwise 以经办机构通知为准.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from bindings.models import Application, Binding, CounterTicket, Status
from policies.choices import ChannelKind
from policies.selectors import ResolvedPolicy


def office_name(policy: ResolvedPolicy) -> str:
    """The 经办机构: a counter channel stated by the city itself (not a province's hall), else the city's name."""
    region = policy.region
    for channel in policy.channels:
        if channel.kind == ChannelKind.COUNTER and region is not None and channel.version.region_id == region.pk:
            return channel.name
    return _("%(region)s医疗保障经办窗口") % {"region": region.name if region else ""}


def ticket_for(application: Application) -> CounterTicket | None:
    """The queue ticket the case was started on, if the clerk had taken one."""
    return CounterTicket.objects.filter(application=application).order_by("-created_at").first()


@dataclass(frozen=True)
class NextStep:
    binding: Binding
    text: str


def _pending_time(policy: ResolvedPolicy) -> str:
    days = policy.review_working_days.value
    if days:
        return _("一般在%(n)s个工作日内办结，结果以短信和站内消息通知。") % {"n": days}
    return _("办结时间以经办机构通知为准，结果以短信和站内消息通知。")


def next_step(binding: Binding, policy: ResolvedPolicy, today=None) -> str:
    """One plain sentence true to the binding's status on the day the receipt is printed."""
    today = today or timezone.localdate()
    status = binding.effective_status(today)
    if status == Status.ACTIVE:
        if binding.start_date and binding.start_date > today:
            return _("共济已登记，自%(d)s起生效，无需等待审核。") % {"d": f"{binding.start_date:%Y-%m-%d}"}
        return _("共济已生效，无需等待审核；使用人就医、购药时即可使用授权人的个人账户支付。")
    if status == Status.SUBMITTED:
        return _("待经办机构审核：") + _pending_time(policy)
    if status == Status.RETURNED:
        return _("需补充证明材料：请按通知在网上服务大厅上传，或携带材料到经办窗口办理。")
    if status == Status.REJECTED:
        return _("申请未通过：原因见网上服务大厅“我的共济关系”，材料齐全后可重新申请。")
    if status == Status.TERMINATED:
        return _("因参保状态变化已终止：参保状态恢复正常后可重新申请。")
    return _("当前状态：%(s)s；如有疑问请咨询经办窗口或拨打12393。") % {"s": Status(status).label}


def next_steps(bindings, policy: ResolvedPolicy, today=None) -> list[NextStep]:
    return [NextStep(b, next_step(b, policy, today)) for b in bindings]
