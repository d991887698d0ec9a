"""What sign-in leaves behind: hashed SMS codes, the demo outbox, face challenges and verifications, rate counters."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .users import User


class SmsPurpose(models.TextChoices):
    REGISTER = "register", _("实名注册")
    LOGIN = "login", _("短信登录")
    STEP_UP = "step_up", _("重要操作身份确认")
    RESET_PASSWORD = "reset_password", _("找回密码")


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
