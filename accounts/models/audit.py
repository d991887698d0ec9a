"""The clerks' audit trail: insert-only."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .users import User


class AuditAction(models.TextChoices):
    APPROVE = "approve", _("审核通过")
    FIRST_APPROVE = "first_approve", _("初审通过（待复核）")
    REJECT = "reject", _("驳回")
    REQUEST_MORE = "request_more", _("要求补充材料")
    DISSOLVE = "dissolve", _("解除共济")
    REVEAL = "reveal", _("查看完整个人信息")
    DOCUMENT_VIEW = "document_view", _("查看证明材料")
    COUNTER_SUBMIT = "counter_submit", _("窗口受理")
    STATUS_CHANGE = "status_change", _("变更参保状态")
    BALANCE_CORRECT = "balance_correct", _("更正个人账户余额")
    REFUSED = "refused", _("操作被拒绝")
    SEARCH = "search", _("按证件号码或手机号检索")
    COUNTER_LOOKUP = "counter_lookup", _("窗口查询参保人员")
    SETTLEMENT = "settlement", _("窗口结算（个人账户支出）")
    REGISTRY_EDIT = "registry_edit", _("修改登记信息")
    SMS_OUTBOX_VIEW = "sms_outbox_view", _("查看短信发件箱")
    ACT_FOR = "act_for", _("代为办理（监护人或代办人）")
    GUARDIAN_DECIDE = "guardian_decide", _("审核监护关系")
    PROXY_GRANT = "proxy_grant", _("办理代办授权")
    PROXY_REVOKE = "proxy_revoke", _("撤销代办授权")
    PASSWORD_RESET = "password_reset", _("短信验证找回密码")
    DRAFT_DISCARD = "draft_discard", _("放弃未提交的申请")


class AuditEntryQuerySet(models.QuerySet):
    """Insert-only at the ORM too: bulk updates and deletes are refused (PostgreSQL also has a trigger)."""

    def update(self, **kwargs):
        raise PermissionError("audit entries are insert-only")

    def delete(self):
        raise PermissionError("audit entries are insert-only")


class AuditEntry(models.Model):
    """Insert-only log of what clerks did and saw. Nobody below superuser may change or delete it."""

    actor = models.ForeignKey(User, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    target = models.CharField(_("对象"), max_length=80, help_text=_("如 binding:12、person:5、document:<uuid>"))
    case_number = models.CharField(_("受理编号"), max_length=20, blank=True, db_index=True)
    detail = models.TextField(_("说明"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    region_code = models.CharField(
        _("统筹区代码"), max_length=6, blank=True, db_index=True, help_text=_("所涉人员或案件的参保统筹区。")
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("经办审计日志")
        # Related-object access and Django's internals use the same insert-only queryset.
        base_manager_name = "objects"
        verbose_name_plural = _("经办审计日志")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are insert-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are insert-only")
