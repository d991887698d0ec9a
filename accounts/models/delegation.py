"""Acting for someone else: guardians of minors and trusted proxies (代办人) of adults.

The registry's parent links (FamilyLink) let a parent's guardianship be verified online; anything else (a court or
committee appointment) is verified by a clerk. A proxy is granted by the principal himself, online after a fresh
identity check or at the counter with a signed 委托书, has a scope and an end date, and can be revoked at any time.
Who may act for whom, and what he may do, is decided in one place: accounts.acting.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import InsuredPerson
from .users import User


class ActingKind(models.TextChoices):
    SELF = "self", _("本人")
    GUARDIAN = "guardian", _("监护人")
    PROXY = "proxy", _("代办人")


class FamilyLinkSource(models.TextChoices):
    HUKOU = "hukou", _("户籍登记（户口簿）")
    BIRTH_CERTIFICATE = "birth_certificate", _("出生医学证明")


class FamilyLink(models.Model):
    """A parent-child link as the registry (户籍 / 出生医学证明 data) knows it: the online proof of guardianship."""

    parent = models.ForeignKey(InsuredPerson, verbose_name=_("父母"), on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(
        InsuredPerson, verbose_name=_("子女"), on_delete=models.CASCADE, related_name="parent_links"
    )
    source = models.CharField(_("来源"), max_length=24, choices=FamilyLinkSource.choices)

    class Meta:
        verbose_name = _("亲子关系登记")
        verbose_name_plural = _("亲子关系登记")
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="family_link_unique"),
            models.CheckConstraint(condition=~Q(parent=models.F("child")), name="family_link_not_self"),
        ]

    def __str__(self):
        return f"{self.parent} → {self.child}"


class GuardianBasis(models.TextChoices):
    PARENT_HUKOU = "parent_hukou", _("父母（户口簿）")
    PARENT_BIRTH_CERTIFICATE = "parent_birth_certificate", _("父母（出生医学证明）")
    COURT = "court", _("人民法院指定")
    COMMITTEE = "committee", _("居（村）民委员会或民政部门指定")


class DelegationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACTIVE = "active", _("有效")
    REJECTED = "rejected", _("已驳回")
    REVOKED = "revoked", _("已撤销")


class VerifiedVia(models.TextChoices):
    REGISTRY = "registry", _("登记信息自动核验")
    CLERK = "clerk", _("经办人员审核")
    COUNTER = "counter", _("窗口现场核验")


class GrantChannel(models.TextChoices):
    ONLINE = "online", _("网上办理（本人核验身份）")
    COUNTER = "counter", _("窗口办理（现场核验身份，签署委托书）")


class Guardianship(models.Model):
    """A guardian may act for his ward while the ward lacks full capacity (accounts.capacity)."""

    guardian = models.ForeignKey(
        InsuredPerson, verbose_name=_("监护人"), on_delete=models.PROTECT, related_name="wardships"
    )
    ward = models.ForeignKey(
        InsuredPerson, verbose_name=_("被监护人"), on_delete=models.PROTECT, related_name="guardianships"
    )
    basis = models.CharField(_("监护依据"), max_length=32, choices=GuardianBasis.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=DelegationStatus.choices, default=DelegationStatus.PENDING
    )
    verified_via = models.CharField(_("核验方式"), max_length=12, choices=VerifiedVia.choices, blank=True)
    # The appointment document (court judgment, committee letter) in private storage, written by the
    # bindings upload sanitizer; served only through a permission-checked, logged view.
    document_name = models.CharField(_("证明材料"), max_length=200, blank=True)
    document_type = models.CharField(max_length=40, blank=True)
    region_code = models.CharField(_("统筹区代码"), max_length=6, db_index=True)
    requested_by = models.ForeignKey(
        User, verbose_name=_("申请人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        User, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason_text = models.TextField(_("驳回原因"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("监护关系")
        verbose_name_plural = _("监护关系")
        ordering = ["-created_at", "-id"]
        permissions = [("decide_guardianship", _("审核监护关系"))]
        constraints = [
            models.CheckConstraint(condition=~Q(guardian=models.F("ward")), name="guardianship_not_self"),
            # One open record per pair: a second request waits for the first to be decided.
            models.UniqueConstraint(
                fields=["guardian", "ward"],
                condition=Q(status__in=["pending", "active"]),
                name="guardianship_one_open_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.guardian} → {self.ward}（{self.get_basis_display()}）"


class ProxyScope(models.TextChoices):
    VIEW = "view", _("查看")
    APPLY = "apply", _("申请和解除共济")
    PAY = "pay", _("代缴保费")


class ProxyGrant(models.Model):
    """A trusted proxy (代办人): the principal lets an adult act for him within a scope until an end date."""

    principal = models.ForeignKey(
        InsuredPerson, verbose_name=_("委托人"), on_delete=models.PROTECT, related_name="proxy_grants"
    )
    agent = models.ForeignKey(
        InsuredPerson, verbose_name=_("代办人"), on_delete=models.PROTECT, related_name="proxy_agencies"
    )
    may_apply = models.BooleanField(_("可申请和解除共济"), default=False)
    may_pay = models.BooleanField(_("可代缴保费"), default=False)
    starts_on = models.DateField(_("生效日期"), default=timezone.localdate)
    ends_on = models.DateField(_("截止日期"))
    granted_via = models.CharField(_("办理渠道"), max_length=12, choices=GrantChannel.choices)
    # The signed 委托书 scanned at the counter (bindings upload sanitizer, private storage).
    document_name = models.CharField(_("委托书扫描件"), max_length=200, blank=True)
    document_type = models.CharField(max_length=40, blank=True)
    region_code = models.CharField(_("统筹区代码"), max_length=6, db_index=True)
    granted_by = models.ForeignKey(
        User, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("代办授权")
        verbose_name_plural = _("代办授权")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(principal=models.F("agent")), name="proxy_not_self"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="proxy_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(granted_via="counter") | ~Q(document_name=""), name="proxy_counter_has_letter"
            ),
            models.UniqueConstraint(
                fields=["principal", "agent"], condition=Q(revoked_at__isnull=True), name="proxy_one_open_per_pair"
            ),
        ]

    def __str__(self):
        return f"{self.principal} → {self.agent}"

    def scopes(self) -> frozenset:
        return frozenset(
            {ProxyScope.VIEW}
            | ({ProxyScope.APPLY} if self.may_apply else set())
            | ({ProxyScope.PAY} if self.may_pay else set())
        )

    def in_force_on(self, day) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on
