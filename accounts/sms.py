"""The simulated SMS gateway: one-time codes that expire, are single-use, stored hashed, and rate-limited."""

import contextlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .errors import HallError
from .masking import mask_phone
from .models import SmsCode, SmsMessage

logger = logging.getLogger("hall.sms")


class SmsError(HallError):
    """A refusal with a message for the resident."""


def _hash(code_id_salt: str, code: str) -> str:
    return salted_hmac("accounts.sms", f"{code_id_salt}:{code}").hexdigest()


def sms_send(*, phone: str, body: str) -> SmsMessage:
    """Deliver a text through the simulated gateway: the outbox row, and a console line once committed."""
    message = SmsMessage.objects.create(phone=phone, body=body)
    transaction.on_commit(lambda: logger.info("SMS to %s: %s", mask_phone(phone), body))
    return message


# SMS rate limits live in the cache (Redis in production), so every worker and every machine counts the same
# sends. They are only ever counted with atomic operations (add, incr, decr): no read-modify-write.
#
# "Per hour" is a sliding hour counted in one-minute buckets, each keyed by the minute it counts (taken from
# timezone.now(), not from the cache's clock). A send is counted first (incr), then added to the 60 buckets
# before it; over the limit, the count is taken back and the send refused. So concurrent requests cannot
# both slip under the limit, and the hour counted is never shorter than the hour the database query used
# to count (it may be up to a minute longer). Because buckets are chosen by the request's time and a bucket's TTL only
# cleans up, the limits hold on any cache backend even when tests move the clock with time-machine; the
# resend interval compares stored times for the same reason.
#
# Sends are counted before the code is written: a send that then fails in the database still counts, which
# errs on the side of refusing. A cache that cannot be reached raises (the 503 page): no code goes out
# uncounted.
_BUCKET_SECONDS = 60
_BUCKETS_PER_HOUR = 60
_BUCKET_TTL = 2 * 60 * 60


def _rate_key(kind: str, value: str) -> str:
    """Cache keys carry a keyed hash, not the phone number or address itself (Redis is not for personal data)."""
    return f"sms-rate:{kind}:{salted_hmac('accounts.sms.rate', value).hexdigest()[:24]}"


def _count_send(prefix: str, now) -> tuple[str, int]:
    """Count one send in the current minute; return its bucket and the sends in the last hour, this one included.

    The current minute's count is the value incr() returns, so requests that race each get their own number
    and exactly as many as the limit allows go through.
    """
    minute = int(now.timestamp()) // _BUCKET_SECONDS
    key = f"{prefix}:{minute}"
    cache.add(key, 0, timeout=_BUCKET_TTL)
    try:
        current = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=_BUCKET_TTL)
        current = 1
    earlier = [f"{prefix}:{m}" for m in range(minute - _BUCKETS_PER_HOUR, minute)]
    return key, current + sum(cache.get_many(earlier).values())


def _take_back(key: str) -> None:
    with contextlib.suppress(ValueError):  # the bucket is gone: nothing to take back
        cache.decr(key)


def _check_rate(*, phone: str, ip: str | None, now) -> None:
    """One code a minute per phone, SMS_MAX_PER_PHONE_PER_HOUR per phone, SMS_MAX_PER_IP_PER_HOUR per address."""
    interval = settings.SMS_RESEND_INTERVAL.total_seconds()
    stamp = now.timestamp()
    last_key = _rate_key("last", phone)
    if not cache.add(last_key, stamp, timeout=int(interval) + 1):
        last = cache.get(last_key)
        if last is not None and stamp - last < interval:
            wait = int(interval - (stamp - last)) + 1
            raise SmsError(_("验证码已发送，请在%(s)s秒后再重新获取。") % {"s": wait})
        cache.set(last_key, stamp, timeout=int(interval) + 1)  # a stale mark the cache had not dropped yet
    taken = []
    try:
        key, sends = _count_send(_rate_key("phone", phone), now)
        taken.append(key)
        if sends > settings.SMS_MAX_PER_PHONE_PER_HOUR:
            raise SmsError(
                _("该手机号1小时内获取验证码已达%(n)s次，请稍后再试。") % {"n": settings.SMS_MAX_PER_PHONE_PER_HOUR}
            )
        if ip:
            key, sends = _count_send(_rate_key("ip", ip), now)
            taken.append(key)
            if sends > settings.SMS_MAX_PER_IP_PER_HOUR:
                raise SmsError(_("您所在网络获取验证码过于频繁，请稍后再试。"))
    except SmsError:
        # A refused request does not count, and does not start a new resend interval.
        for key in taken:
            _take_back(key)
        cache.delete(last_key)
        raise


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
