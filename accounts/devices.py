"""Demo devices: the simulated SMS outbox and the simulated face verifier.

Both sit behind pluggable settings (SMS_GATEWAY, FACE_VERIFIER). A class marks itself as a demo device with the
class attribute `demo_device = True`; everything here asks the class, never compares dotted paths. Demo devices
may run only where they are allowed: the `local` and `test` profiles, DEBUG, or production with the explicit
HALL_DEMO_DEVICES=true (every page then shows the 演示环境 banner). Otherwise the system check
(accounts.checks) stops start-up, and at run time the demo devices refuse to work (see accounts.sms and
accounts.face), so a server started without the checks (plain gunicorn) still fails closed.
"""

from django.conf import settings
from django.utils.module_loading import import_string

DEVICE_SETTINGS = ("SMS_GATEWAY", "FACE_VERIFIER")


def is_demo_device(obj) -> bool:
    """A class or instance that says it is a demo device."""
    return bool(getattr(obj, "demo_device", False))


def demo_devices_allowed() -> bool:
    return bool(getattr(settings, "HALL_DEMO_DEVICES", False) or settings.DEBUG)


def configured_demo_devices() -> list[str]:
    """The device settings whose configured class is a demo device."""
    return [name for name in DEVICE_SETTINGS if is_demo_device(import_string(getattr(settings, name)))]


def demo_devices_on() -> bool:
    """At least one demo device is configured and allowed to run: the banner shows."""
    return demo_devices_allowed() and bool(configured_demo_devices())


def sms_outbox_on() -> bool:
    """The simulated outbox receives the texts: its page exists."""
    return demo_devices_allowed() and is_demo_device(import_string(settings.SMS_GATEWAY))
