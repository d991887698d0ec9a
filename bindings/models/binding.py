"""Family-sharing bindings (家庭账户共济授权登记).

An Application (one case number, 受理编号) groups one or more Bindings, one per relative. Each Binding carries
its own state; every change of state goes through a service in bindings/services/ and leaves a BindingEvent.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ActingKind, InsuredPerson
from policies.choices import ChannelKind, ProofKind
from policies.relationships import Relationship


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("待补充材料")
    ACTIVE = "active", _("已生效")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")
    DISSOLVED = "dissolved", _("已解除")
    # A pending case ended by the system because a party's insurance was suspended or terminated: nobody
    # rejected it, and the resident must not read 已驳回.
    TERMINATED = "terminated", _("已终止（参保状态变化）")


# Filed and waiting for a clerk or for the resident's answer.
PENDING_STATUSES = (Status.SUBMITTED, Status.RETURNED)
# A relative can be in at most one of these with any authorizer: the database enforces it.
LIVE_STATUSES = (*PENDING_STATUSES, Status.ACTIVE)


class ShownStatus(models.TextChoices):
    """What residents, counter clerks and the admin list read: every Status, plus two words the dates decide
    (Binding.shown_status). Never stored: the state machine knows only Status."""

    DRAFT = Status.DRAFT.value, Status.DRAFT.label
    SUBMITTED = Status.SUBMITTED.value, Status.SUBMITTED.label
    RETURNED = Status.RETURNED.value, Status.RETURNED.label
    NOT_YET = "not_yet", _("待生效")
    ACTIVE = Status.ACTIVE.value, Status.ACTIVE.label
    EXPIRED = "expired", _("已到期")
    REJECTED = Status.REJECTED.value, Status.REJECTED.label
    WITHDRAWN = Status.WITHDRAWN.value, Status.WITHDRAWN.label
    DISSOLVED = Status.DISSOLVED.value, Status.DISSOLVED.label
    TERMINATED = Status.TERMINATED.value, Status.TERMINATED.label


class ActorRole(models.TextChoices):
    AUTHORIZER = "authorizer", _("授权人")
    RELATIVE = "relative", _("使用人")
    CLERK = "clerk", _("经办人员")
    SYSTEM = "system", _("系统")


class DissolveReason(models.TextChoices):
    BY_AUTHORIZER = "by_authorizer", _("授权人申请解除")
    BY_RELATIVE = "by_relative", _("使用人申请解除")
    BY_CLERK = "by_clerk", _("经办人员解除")
    INSURANCE_SUSPENDED = "insurance_suspended", _("一方参保状态暂停，自动解除")
    INSURANCE_TERMINATED = "insurance_terminated", _("一方参保状态终止，自动解除")
    END_DATE_PASSED = "end_date_passed", _("共济期限届满，自动解除")


class RejectReason(models.TextChoices):
    UNCLEAR_PROOF = "unclear_proof", _("证明材料不清晰")
    RELATIONSHIP_MISMATCH = "relationship_mismatch", _("亲属关系不符")
    NOT_LOCAL = "not_local", _("非本统筹区参保")
    INSURANCE_ABNORMAL = "insurance_abnormal", _("参保状态异常")
    OTHER = "other", _("其他")


def reason_label(code: str) -> str:
    """A stored 驳回 or 解除 reason code as people read it ("" for none or an unknown code)."""
    labels = {**dict(RejectReason.choices), **dict(DissolveReason.choices)}
    return str(labels.get(code, ""))


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    BIRTH_CERTIFICATE = "birth_certificate", _("出生医学证明（新生儿）")


def _expired(on: date) -> Q:
    return Q(status=Status.ACTIVE, end_date__lt=on)


class BindingQuerySet(models.QuerySet):
    """What every client asks about a day: which bindings hold a place, which are approved and not over, which
    are in force, which have expired.

    Each has an object-side twin on Binding (`is_live_on`, `is_current_on`, `in_force_on`, `is_expired_on`); each
    pair is the only definition, tested against each other.
    """

    def expired(self, on: date):
        """Active in the database but past its end date on a day: over for everyone, waiting for the daily
        expire_bindings run (or the next submission for the same relative) to dissolve it."""
        return self.filter(_expired(on))

    def live(self, on: date):
        """Holding a place (pending or active) on a day; an expired binding holds none."""
        return self.filter(status__in=LIVE_STATUSES).exclude(_expired(on))

    def current(self, on: date):
        """Approved and not over on a day: in force, or in force from a start date still ahead."""
        return self.filter(status=Status.ACTIVE).exclude(_expired(on))

    def in_force(self, on: date):
        """Letting the relative spend the authorizer's balance on a day: active, started, not yet ended."""
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            status=Status.ACTIVE,
        )


class Application(models.Model):
    """One case (受理编号), made in one channel by or for one authorizer."""

    case_number = models.CharField(_("受理编号"), max_length=20, unique=True)
    authorizer = models.ForeignKey(
        InsuredPerson, verbose_name=_("授权人"), on_delete=models.PROTECT, related_name="applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办账户"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("办理渠道"), max_length=20, choices=ChannelKind.choices)
    city_code = models.CharField(_("统筹区"), max_length=6, db_index=True)
    notice_agreed_at = models.DateTimeField(_("阅读告知书时间"), null=True, blank=True)
    commitment_agreed_at = models.DateTimeField(_("个人郑重承诺时间"), null=True, blank=True)
    paper_pledge = models.BooleanField(_("已签署纸质承诺书"), default=False)
    id_card_checked = models.BooleanField(_("窗口已当面核验身份证"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("共济申请")
        verbose_name_plural = _("共济申请")
        ordering = ["-created_at"]

    def __str__(self):
        return self.case_number


class Binding(models.Model):
    """One relative (使用人) authorised to spend one authorizer's (授权人) personal-account balance."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="bindings"
    )
    authorizer = models.ForeignKey(
        InsuredPerson, verbose_name=_("授权人"), on_delete=models.PROTECT, related_name="bindings_as_authorizer"
    )
    relative = models.ForeignKey(
        InsuredPerson, verbose_name=_("使用人"), on_delete=models.PROTECT, related_name="bindings_as_relative"
    )
    relationship = models.CharField(_("与授权人关系"), max_length=24, choices=Relationship.choices)
    # The application's 统筹区, copied when the binding is created (an application's city never changes): the
    # review queue filters a clerk's region and counts it from one partial index, without joining the applications.
    region_code = models.CharField(_("统筹区"), max_length=6, blank=True, editable=False)
    relative_id_type = models.CharField(
        _("使用人证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    relative_phone = models.CharField(_("使用人联系电话"), max_length=11, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False)
    start_date = models.DateField(_("共济开始日期"), null=True, blank=True)
    end_date = models.DateField(_("共济结束日期"), null=True, blank=True)
    pledge = models.BooleanField(_("以承诺代替证明材料"), default=False)
    needs_review = models.BooleanField(_("需经办人员审核"), default=True)
    missing_note = models.TextField(_("需补充的材料"), blank=True)
    reason_code = models.CharField(_("驳回或解除原因"), max_length=24, blank=True)
    reason_text = models.TextField(_("原因说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    activated_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = BindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("共济绑定")
        verbose_name_plural = _("共济绑定")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("decide_binding", _("可以审核共济申请")),
            ("use_counter", _("可以使用医保经办窗口")),
            ("view_all_regions", _("可以查看全部地区的申请和参保人员")),
            ("correct_balance", _("可以更正个人账户余额（记一笔调整）")),
        ]
        indexes = [
            models.Index(fields=["authorizer", "status"]),
            models.Index(fields=["relative", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            # A region's review queue in its order (oldest waiting first), and its count: submitted cases only.
            models.Index(
                fields=["region_code", "submitted_at", "id"],
                condition=Q(status=Status.SUBMITTED),
                name="binding_pending_region",
            ),
        ]
        constraints = [
            # One authorizer per relative at a time, pending applications included.
            models.UniqueConstraint(
                fields=["relative"], condition=Q(status__in=LIVE_STATUSES), name="binding_one_live_per_relative"
            ),
            # A relative appears once per application.
            models.UniqueConstraint(fields=["application", "relative"], name="binding_relative_once_per_application"),
            models.CheckConstraint(condition=~Q(authorizer=models.F("relative")), name="binding_not_self"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="binding_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.application.case_number} · {self.get_relationship_display()}"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.region_code and self.application_id:
            self.region_code = self.application.city_code  # every create, the service's and any other
        super().save(*args, **kwargs)

    def is_expired_on(self, on: date) -> bool:
        return self.status == Status.ACTIVE and self.end_date is not None and self.end_date < on

    def is_live_on(self, on: date) -> bool:
        return self.status in LIVE_STATUSES and not self.is_expired_on(on)

    def is_current_on(self, on: date | None = None) -> bool:
        return self.status == Status.ACTIVE and not self.is_expired_on(on or timezone.localdate())

    def in_force_on(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            self.status == Status.ACTIVE
            and (self.start_date is None or self.start_date <= on)
            and (self.end_date is None or self.end_date >= on)
        )

    def starts_after(self, on: date) -> bool:
        """Approved and not over, but its start date is still ahead: in force later, not on `on`."""
        return self.is_current_on(on) and not self.in_force_on(on)

    @property
    def reason_display(self) -> str:
        """The reason as people read it: the code's words, with the clerk's or system's text when it adds any."""
        label = reason_label(self.reason_code)
        if not label:
            return self.reason_text
        detail = self.reason_text if self.reason_text and self.reason_text != label else ""
        return f"{label}（{detail}）" if detail else label

    def effective_status(self, today=None) -> str:
        """The state the transitions read today: an expired binding is over even before the daily run dissolves it."""
        today = today or timezone.localdate()
        return Status.DISSOLVED if self.is_expired_on(today) else self.status

    def shown_status(self, on: date | None = None) -> str:
        """The one answer to "what do we call this binding today?" for every page (resident, counter, admin).

        A Status value, or one of the two date-aware words (ShownStatus): approved with a start date still ahead
        reads 待生效, not 已生效; a term that ran out (past its end date, or dissolved by the daily run for that
        reason) reads 已到期, not 已解除, which means someone dissolved it.
        """
        on = on or timezone.localdate()
        if self.starts_after(on):
            return ShownStatus.NOT_YET
        if self.is_expired_on(on) or (
            self.status == Status.DISSOLVED and self.reason_code == DissolveReason.END_DATE_PASSED
        ):
            return ShownStatus.EXPIRED
        return self.status

    def status_word(self, on: date | None = None) -> str:
        """The shown status in words (templates: `{{ b.status_word }}`, with `status-{{ b.shown_status }}`)."""
        return str(ShownStatus(self.shown_status(on)).label)

    def get_effective_status_display(self) -> str:
        return self.status_word()


class BindingEvent(models.Model):
    """The audit trail: one row per transition, written in the transition's transaction."""

    binding = models.ForeignKey(Binding, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(_("操作人身份"), max_length=12, choices=ActorRole.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices)
    reason_code = models.CharField(_("原因代码"), max_length=24, blank=True)
    reason_text = models.TextField(_("说明"), blank=True)
    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelKind.choices)
    # When the actor acted for a party (a guardian for his ward, a proxy for his principal): for whom, and as what.
    on_behalf_of = models.ForeignKey(
        "accounts.InsuredPerson",
        verbose_name=_("代为办理的当事人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_kind = models.CharField(_("代办身份"), max_length=12, choices=ActingKind.choices, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("绑定流转记录")
        verbose_name_plural = _("绑定流转记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class Document(models.Model):
    """A sanitized proof document in private storage; served only through the permission-checked view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    binding = models.ForeignKey(Binding, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=24, choices=ProofKind.choices)
    storage_name = models.CharField(max_length=200, unique=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["binding", "kind", "sha256"], name="document_no_duplicate_upload"),
        ]

    def __str__(self):
        return self.get_kind_display()


class DocumentAccess(models.Model):
    """Who looked at which document, when, from where. Insert-only."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("材料查看记录")
        verbose_name_plural = _("材料查看记录")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """The in-site message centre. Addressed to a registry person, so it waits for relatives without an account."""

    person = models.ForeignKey(InsuredPerson, on_delete=models.CASCADE, related_name="notices")
    binding = models.ForeignKey(Binding, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title
