"""The insured-person registry (our stand-in for the 医保信息平台) and resident accounts."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .idnumbers import parse_id_number, validate_id_number
from .masking import mask_id_number, mask_name


class Scheme(models.TextChoices):
    EMPLOYEE = "employee", _("职工医保")
    RESIDENT = "resident", _("居民医保")


class Category(models.TextChoices):
    EMPLOYED = "employed", _("在职职工")
    RETIRED = "retired", _("退休人员")
    FLEXIBLE = "flexible", _("灵活就业人员")


class InsuranceStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    SUSPENDED = "suspended", _("暂停")
    TERMINATED = "terminated", _("终止")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class InsuredPerson(models.Model):
    """One person as the insurance information platform knows him."""

    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True, validators=[validate_id_number])
    name = models.CharField(_("姓名"), max_length=50)
    birth_certificate_no = models.CharField(
        _("出生医学证明编号"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text=_("新生儿可凭此编号登记共济。"),
    )
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    phone = models.CharField(_("预留手机号"), max_length=11, blank=True)
    scheme = models.CharField(_("险种"), max_length=16, choices=Scheme.choices)
    category = models.CharField(_("人员类别"), max_length=16, choices=Category.choices, blank=True)
    status = models.CharField(
        _("参保状态"), max_length=16, choices=InsuranceStatus.choices, default=InsuranceStatus.NORMAL
    )
    province_code = models.CharField(_("参保省份代码"), max_length=6)
    city_code = models.CharField(_("参保统筹区代码"), max_length=6)
    balance_fen = models.BigIntegerField(_("个人账户余额（分）"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("参保人员")
        verbose_name_plural = _("参保人员登记")
        ordering = ["id"]
        indexes = [models.Index(fields=["city_code", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="insured_balance_not_negative"),
            # Only 职工医保 members have a personal account and a member category.
            models.CheckConstraint(
                condition=(Q(scheme=Scheme.EMPLOYEE) & ~Q(category=""))
                | (Q(scheme=Scheme.RESIDENT) & Q(category="") & Q(balance_fen=0)),
                name="insured_category_matches_scheme",
            ),
        ]

    def __str__(self):
        return f"{mask_name(self.name)} {mask_id_number(self.id_number)}"

    def save(self, *args, **kwargs):
        # Sex and birth date are facts of the ID number, never typed separately.
        if self.id_number and not self.birth_date:
            info = parse_id_number(self.id_number)
            self.id_number, self.birth_date, self.sex = info.number, info.birth_date, info.sex
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                info = parse_id_number(self.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
            else:
                self.id_number, self.birth_date, self.sex = info.number, info.birth_date, info.sex
        if self.scheme == Scheme.EMPLOYEE and not self.category:
            errors["category"] = _("职工医保参保人员须选择人员类别。")
        if self.scheme == Scheme.RESIDENT:
            if self.category:
                errors["category"] = _("居民医保参保人员没有职工人员类别。")
            if self.balance_fen:
                errors["balance_fen"] = _("居民医保没有个人账户，余额应为0。")
        if self.balance_fen is not None and self.balance_fen < 0:
            errors["balance_fen"] = _("个人账户余额不能为负数。")
        if self.province_code and self.city_code and self.city_code[:2] != self.province_code[:2]:
            errors["city_code"] = _("参保统筹区不属于所填省份。")
        if errors:
            raise ValidationError(errors)

    @property
    def has_personal_account(self) -> bool:
        return self.scheme == Scheme.EMPLOYEE

    @property
    def is_insured_normally(self) -> bool:
        return self.status == InsuranceStatus.NORMAL

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def balance_yuan(self):
        from decimal import Decimal

        return Decimal(self.balance_fen) / 100


class User(AbstractUser):
    """A sign-in account. Residents are tied to one registry person; clerks need not be."""

    person = models.OneToOneField(
        InsuredPerson,
        verbose_name=_("参保人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    phone = models.CharField(_("已验证手机号"), max_length=11, blank=True)
    elder_mode = models.BooleanField(_("关怀模式"), default=False)
    face_consent_at = models.DateTimeField(_("同意人脸识别时间"), null=True, blank=True)
    region_code = models.CharField(
        _("经办区域代码"), max_length=6, blank=True, help_text=_("经办人员所属统筹区（市）或省份的行政区划代码。")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="user_unique_confirmed_phone"),
        ]

    @property
    def display_name(self) -> str:
        """What the header shows: the masked real name for residents."""
        if self.person_id:
            return mask_name(self.person.name)
        return self.get_full_name() or self.username


class SmsPurpose(models.TextChoices):
    REGISTER = "register", _("实名注册")
    LOGIN = "login", _("短信登录")


class SmsCode(models.Model):
    """A one-time code. Only a keyed hash is kept; the clear code exists only in the outbox message."""

    phone = models.CharField(max_length=11, db_index=True)
    purpose = models.CharField(max_length=16, choices=SmsPurpose.choices)
    code_hash = models.CharField(max_length=128)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["ip_address", "created_at"])]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class SmsMessage(models.Model):
    """The simulated SMS gateway's outbox (a demo device: see accounts.sms and accounts.checks)."""

    phone = models.CharField(_("手机号"), max_length=11)
    body = models.TextField(_("内容"))
    region_code = models.CharField(
        _("统筹区代码"), max_length=6, blank=True, db_index=True, help_text=_("收信人参保统筹区，用于按区域查看。")
    )
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("短信发件箱")
        verbose_name_plural = _("短信发件箱")
        ordering = ["-created_at", "-id"]
        permissions = [("view_sms_outbox", _("查看模拟短信发件箱（验证码已遮盖）"))]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.body[:20]}"


class LivenessPrompt(models.TextChoices):
    BLINK = "blink", _("请眨眨眼")
    TURN_LEFT = "turn_left", _("请向左转头")
    TURN_RIGHT = "turn_right", _("请向右转头")
    NOD = "nod", _("请点点头")
    OPEN_MOUTH = "open_mouth", _("请张张嘴")


class FaceChallenge(models.Model):
    """A single-use liveness challenge; claiming it twice is a replay."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="face_challenges")
    prompt = models.CharField(max_length=16, choices=LivenessPrompt.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.get_prompt_display()} {self.created_at:%Y-%m-%d %H:%M:%S}"


class FaceVerification(models.Model):
    """What a face check decided. No image is kept: only its size and the outcome."""

    challenge = models.OneToOneField(FaceChallenge, on_delete=models.PROTECT, related_name="verification")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="face_verifications")
    passed = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)
    verifier = models.CharField(max_length=100)
    image_format = models.CharField(max_length=10, blank=True)
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("人脸核验记录")
        verbose_name_plural = _("人脸核验记录")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {'通过' if self.passed else '未通过'}"


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


class RateBucket(models.Model):
    """One counter of a sliding-window limit (SMS sends, failed sign-ins), kept in the database.

    A limit counted here survives a Redis restart and holds across every worker and machine. `key` is a keyed
    hash of what is counted (never a phone number or address in clear); `window` is the minute it counts.
    """

    key = models.CharField(max_length=64)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("频率限制计数")
        verbose_name_plural = _("频率限制计数")
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="rate_bucket_unique_window")]

    def __str__(self):
        return f"{self.key}@{self.window}: {self.count}"
