"""System checks: production refuses to start with a demo device unless demo devices are explicitly allowed.

Registered as ordinary (not deploy-only) checks, so `check`, `check --deploy`, `migrate` and `runserver` all stop.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from .devices import demo_devices_allowed, is_demo_device

DEVICES = {
    "SMS_GATEWAY": ("accounts.E001", "the simulated SMS outbox", "a gateway class (accounts.sms_gateways.SmsGateway)"),
    "FACE_VERIFIER": ("accounts.E002", "the simulated face verifier", "a verifier (accounts.face.IdentityVerifier)"),
}


@register(Tags.security)
def check_demo_devices(app_configs=None, **kwargs):
    errors = []
    for name, (check_id, what, real) in DEVICES.items():
        path = getattr(settings, name)
        try:
            device = import_string(path)
        except ImportError as exc:
            errors.append(Error(f"{name}={path!r} cannot be imported: {exc}", id="accounts.E003"))
            continue
        if is_demo_device(device) and not demo_devices_allowed():
            errors.append(
                Error(
                    f"{name} is {what} ({path}), a demo device, and demo devices are not allowed.",
                    hint=f"Set {name} to {real} for real residents, or HALL_DEMO_DEVICES=true for a "
                    "demonstration with made-up data only (every page then shows a 演示环境 banner).",
                    id=check_id,
                )
            )
    return errors
