"""Where texts go: a pluggable SMS gateway (settings.SMS_GATEWAY), and the demo outbox that stands in for one.

A real gateway is a class with `send(*, phone, body, region_code)` that hands the text to a carrier; it stores
nothing and is called only after the transaction that caused the text commits. The demo outbox writes the text,
code included, to the SmsMessage table, in the same transaction, for the simulated phone (/accounts/sms-outbox/)
and the tests to read. It is a demo device (accounts.devices): where demo devices are not allowed, nothing is
written and codes are refused (accounts.sms).
"""

import re
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .devices import demo_devices_allowed, is_demo_device
from .models import InsuredPerson, SmsMessage, User

# A one-time code is a run of exactly six digits; longer runs (case numbers, ID numbers) are not codes.
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
OUTBOX_SESSION_KEY = "sms_outbox_phones"
OUTBOX_SESSION_LIMIT = 5


class SmsGateway(Protocol):
    # True: send() only writes to this database and runs inside the caller's transaction (the demo outbox).
    transactional: bool

    def send(self, *, phone: str, body: str, region_code: str | None) -> None: ...


def mask_codes(text: str) -> str:
    """The text with every verification code replaced by ******: for logs and for any reader but the recipient."""
    return _CODE.sub("******", text)


def region_of_phone(phone: str) -> str:
    """The recipient's insured city: the account confirmed on that phone, else the registry ("" if unknown)."""
    city = User.objects.filter(phone=phone).values_list("person__city_code", flat=True).first()
    if not city:
        city = InsuredPerson.objects.filter(phone=phone).values_list("city_code", flat=True).first()
    return city or ""


class OutboxGateway:
    """The simulated gateway: every text is a row in the outbox. A demo device."""

    demo_device = True
    transactional = True

    def send(self, *, phone, body, region_code):
        region = region_of_phone(phone) if region_code is None else region_code
        SmsMessage.objects.create(phone=phone, body=body, region_code=region)


class UnavailableGateway:
    """Stands in for a demo gateway where demo devices are not allowed: nothing is sent or stored."""

    available = False
    transactional = True

    def send(self, *, phone, body, region_code):
        pass


def get_gateway() -> SmsGateway:
    gateway = import_string(settings.SMS_GATEWAY)
    if is_demo_device(gateway) and not demo_devices_allowed():
        return UnavailableGateway()
    return gateway()


def outbox_remember(session, phone: str) -> None:
    """The simulated phone shows this browser the texts to the numbers it asked codes for (demo outbox only)."""
    phones = [p for p in session.get(OUTBOX_SESSION_KEY, []) if p != phone]
    session[OUTBOX_SESSION_KEY] = [phone, *phones][:OUTBOX_SESSION_LIMIT]


def outbox_phones(session) -> list[str]:
    return list(session.get(OUTBOX_SESSION_KEY, []))
