"""The simulated SMS gateway: one-time codes that expire, are single-use, stored hashed, and rate-limited."""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .masking import mask_phone
from .models import SmsCode, SmsMessage

logger = logging.getLogger("hall.sms")


class SmsError(Exception):
    """A refusal with a message for the resident."""


def _hash(code_id_salt: str, code: str) -> str:
    return salted_hmac("accounts.sms", f"{code_id_salt}:{code}").hexdigest()


def sms_send(*, phone: str, body: str) -> SmsMessage:
    """Deliver a text through the simulated gateway: the outbox row, and a console line once committed."""
    message = SmsMessage.objects.create(phone=phone, body=body)
    transaction.on_commit(lambda: logger.info("SMS to %s: %s", mask_phone(phone), body))
    return message


def _check_rate(*, phone: str, ip: str | None, now) -> None:
    last = SmsCode.objects.filter(phone=phone).order_by("-created_at").values_list("created_at", flat=True).first()
    if last and now - last < settings.SMS_RESEND_INTERVAL:
        wait = int((settings.SMS_RESEND_INTERVAL - (now - last)).total_seconds()) + 1
        raise SmsError(_("验证码已发送，请在%(s)s秒后再重新获取。") % {"s": wait})
    hour_ago = now - timedelta(hours=1)
    if SmsCode.objects.filter(phone=phone, created_at__gte=hour_ago).count() >= settings.SMS_MAX_PER_PHONE_PER_HOUR:
        raise SmsError(
            _("该手机号1小时内获取验证码已达%(n)s次，请稍后再试。") % {"n": settings.SMS_MAX_PER_PHONE_PER_HOUR}
        )
    if (
        ip
        and SmsCode.objects.filter(ip_address=ip, created_at__gte=hour_ago).count() >= settings.SMS_MAX_PER_IP_PER_HOUR
    ):
        raise SmsError(_("您所在网络获取验证码过于频繁，请稍后再试。"))


@transaction.atomic
def sms_code_send(*, phone: str, purpose: str, ip: str | None = None) -> SmsCode:
    """Issue a fresh code for (phone, purpose); earlier unused ones stop working."""
    now = timezone.now()
    _check_rate(phone=phone, ip=ip, now=now)
    SmsCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    record = SmsCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=f"{salt}${_hash(salt, code)}",
        ip_address=ip,
        created_at=now,
        expires_at=now + settings.SMS_CODE_TTL,
    )
    minutes = int(settings.SMS_CODE_TTL.total_seconds() // 60)
    sms_send(
        phone=phone,
        body=_("【医保服务大厅】您的验证码是%(code)s，%(m)s分钟内有效。请勿告诉他人。") % {"code": code, "m": minutes},
    )
    return record


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    message: str = ""


def sms_code_check(*, phone: str, purpose: str, code: str) -> CodeCheck:
    """Consume the code if it is right. Wrong guesses are counted and end the code after a few."""
    now = timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        record = (
            SmsCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if record is None:
            return CodeCheck(False, _("验证码无效或已使用，请重新获取。"))
        if record.expires_at <= now:
            return CodeCheck(False, _("验证码已过期（有效期5分钟），请重新获取。"))
        salt, _sep, digest = record.code_hash.partition("$")
        if constant_time_compare(digest, _hash(salt, code)):
            record.used_at = now
            record.save(update_fields=["used_at"])
            return CodeCheck(True)
        record.failed_attempts += 1
        fields = ["failed_attempts"]
        if record.failed_attempts >= settings.SMS_CODE_MAX_ATTEMPTS:
            record.used_at = now
            fields.append("used_at")
        record.save(update_fields=fields)
        if record.used_at:
            return CodeCheck(False, _("验证码输错次数过多，已失效，请重新获取。"))
        return CodeCheck(False, _("验证码不正确，请核对短信中的6位数字。"))
