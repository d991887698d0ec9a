"""SMS: texts through the pluggable gateway (accounts.sms_gateways), and one-time codes that expire, are
single-use, stored hashed, and rate-limited. No log line carries a code."""

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from . import ratelimit
from .devices import sms_outbox_on
from .errors import HallError
from .masking import mask_phone
from .models import SmsCode
from .sms_gateways import get_gateway, mask_codes, outbox_remember

logger = logging.getLogger("hall.sms")


class SmsError(HallError):
    """A refusal with a message for the resident."""


def _hash(code_id_salt: str, code: str) -> str:
    return salted_hmac("accounts.sms", f"{code_id_salt}:{code}").hexdigest()


def sms_send(*, phone: str, body: str, region_code: str | None = None) -> None:
    """Hand a text to the configured gateway; log it, with any code masked, once the transaction commits.

    region_code is the recipient's insured city when the caller knows it (the demo outbox looks it up otherwise).
    The demo outbox writes inside the caller's transaction, so a rolled-back action leaves no text; a real gateway
    is called only after commit, for the same reason, and a failure there is logged, not raised: the action that
    caused the text has already happened.
    """
    gateway = get_gateway()
    masked_phone, masked_body = mask_phone(phone), mask_codes(body)
    if not getattr(gateway, "available", True):
        logger.warning("SMS to %s not sent: no SMS gateway (the demo outbox is not allowed here)", masked_phone)
        return
    if getattr(gateway, "transactional", False):
        gateway.send(phone=phone, body=body, region_code=region_code)
        transaction.on_commit(lambda: logger.info("SMS to %s: %s", masked_phone, masked_body))
        return

    def deliver():
        try:
            gateway.send(phone=phone, body=body, region_code=region_code)
        except Exception as exc:  # its message may quote the text: only the type is logged
            logger.error("SMS to %s failed: %s", masked_phone, type(exc).__name__)
        else:
            logger.info("SMS to %s: %s", masked_phone, masked_body)

    transaction.on_commit(deliver)


def sms_available() -> bool:
    return getattr(get_gateway(), "available", True)


# SMS rate limits are counted in the database (accounts.ratelimit, RateBucket rows), not in Redis: every worker
# on every machine counts the same sends, and a Redis restart forgets none of them (see that module for why,
# and for how a count stays exact when requests race).
#
# "Per hour" is a sliding hour counted in one-minute windows taken from timezone.now() (so tests move the clock
# with time-machine). A send is counted first, then added to the windows before it; over the limit, the count
# is taken back and the send refused. So concurrent requests cannot both slip under the limit, and the hour
# counted is never shorter than an hour (it may be up to a minute longer). The resend interval is a mark whose
# end only one of several racing requests can move.
#
# The counting runs inside sms_code_send's transaction: a send that then fails in the database is rolled back
# with its count, as no code went out. A database that cannot be reached raises (the 503 page): no code goes out
# uncounted.


RESEND_WAIT = "resend_wait"  # SmsError.code of a request inside the resend interval: not a wrong phone number


def sms_resend_interval() -> int:
    """Seconds between two codes to one phone (SMS_RESEND_INTERVAL): the 获取验证码 button counts them down."""
    return int(settings.SMS_RESEND_INTERVAL.total_seconds())


def sms_resend_wait(phone: str) -> int:
    """Seconds until `phone` may be sent another code (0: now), read without starting an interval."""
    if not phone:
        return 0
    now = timezone.now()
    ends = ratelimit.interval_end(_rate_key("last", phone))
    if ends is None or ends <= now:
        return 0
    return min(sms_resend_interval(), int((ends - now).total_seconds()) + 1)


def _rate_key(kind: str, value: str) -> str:
    """Stored keys carry a keyed hash, not the phone number or address itself."""
    return ratelimit.bucket_key(f"sms-{kind}", value)


def _count_send(key: str, now) -> ratelimit.Hit:
    """Count one send in the current minute; the hit carries the sends in the last hour, this one included."""
    return ratelimit.hit(key, now=now)


def _take_back(hit: ratelimit.Hit) -> None:
    ratelimit.take_back(hit)


def _check_rate(*, phone: str, ip: str | None, now) -> None:
    """One code a minute per phone, SMS_MAX_PER_PHONE_PER_HOUR per phone, SMS_MAX_PER_IP_PER_HOUR per address."""
    last_key = _rate_key("last", phone)
    running_until = ratelimit.interval_start(last_key, now=now, interval=settings.SMS_RESEND_INTERVAL)
    if running_until is not None:
        wait = int((running_until - now).total_seconds()) + 1
        raise SmsError(_("验证码已发送，请在%(s)s秒后再重新获取。") % {"s": wait}, code=RESEND_WAIT)
    taken = []
    try:
        hit = _count_send(_rate_key("phone", phone), now)
        taken.append(hit)
        if hit.total > settings.SMS_MAX_PER_PHONE_PER_HOUR:
            raise SmsError(
                _("该手机号1小时内获取验证码已达%(n)s次，请稍后再试。") % {"n": settings.SMS_MAX_PER_PHONE_PER_HOUR}
            )
        if ip:
            hit = _count_send(_rate_key("ip", ip), now)
            taken.append(hit)
            if hit.total > settings.SMS_MAX_PER_IP_PER_HOUR:
                raise SmsError(_("您所在网络获取验证码过于频繁，请稍后再试。"))
    except SmsError:
        # A refused request does not count, and does not start a new resend interval.
        for hit in taken:
            _take_back(hit)
        ratelimit.interval_cancel(last_key)
        raise


@transaction.atomic
def sms_code_send(*, phone: str, purpose: str, ip: str | None = None, session=None, deliver: bool = True) -> SmsCode:
    """Issue a fresh code for (phone, purpose); earlier unused ones stop working.

    session: the asking browser's, so that the demo outbox's simulated phone shows it this number's texts.
    deliver=False issues and counts the code but sends no text: the SMS sign-in does so for a phone without an
    account, so that every answer (sent, wait, hourly limit, wrong or expired code) is the same as for one with.
    """
    if not sms_available():
        raise SmsError(_("短信验证码服务暂未开通，请改用其他方式办理。"))
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
    if not deliver:
        return record
    minutes = int(settings.SMS_CODE_TTL.total_seconds() // 60)
    sms_send(
        phone=phone,
        body=_("【医保服务大厅】您的验证码是%(code)s，%(m)s分钟内有效。请勿告诉他人。") % {"code": code, "m": minutes},
    )
    if session is not None and sms_outbox_on():
        outbox_remember(session, phone)
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
