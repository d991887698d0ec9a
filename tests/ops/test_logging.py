"""No log record writes a full ID number or mobile number, whatever logger it comes from."""

import io
import logging

import pytest

from config.logfilters import MaskPersonalNumbers, mask_personal_numbers

ID = "36090219750312001X"
PHONE = "13912345678"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"registered {ID}", "registered 360902********001X"),
        ("id 360902197503120011.", "id 360902********0011."),
        (f"phone {PHONE}, again:{PHONE}", "phone 139****5678, again:139****5678"),
        (f"/admin/?q={ID}&p=1", "/admin/?q=360902********001X&p=1"),
        ("36090219750312001113912345678", "36090219750312001113912345678"),  # 29 digits: neither
        ("case 2026112500000123 at 1732550400123", "case 2026112500000123 at 1732550400123"),  # not numbers of people
        ("landline 02512345678", "landline 02512345678"),
    ],
)
def test_masking(text, masked):
    assert mask_personal_numbers(text) == masked


def configured_handlers():
    """The handlers LOGGING installed on the root and django loggers (not pytest's capture handlers)."""
    handlers = logging.getLogger().handlers + logging.getLogger("django").handlers
    return list(dict.fromkeys(h for h in handlers if not type(h).__module__.startswith("_pytest")))


def emit(logger_name, *args, exc=None):
    """Log through the handlers the settings configured, capturing what they write."""
    logger = logging.getLogger(logger_name)
    handlers = configured_handlers()
    assert handlers, "no handler configured"
    buffer = io.StringIO()
    old = [h.setStream(buffer) for h in handlers]
    try:
        if exc is not None:
            try:
                raise exc
            except type(exc):
                logger.exception(*args)
        else:
            logger.warning(*args)
    finally:
        for handler, stream in zip(handlers, old, strict=True):
            handler.setStream(stream)
    return buffer.getvalue()


def test_every_configured_handler_masks(settings):
    for name, handler in settings.LOGGING["handlers"].items():
        assert "mask_personal_numbers" in handler.get("filters", []), name
    installed = configured_handlers()
    assert installed and all(any(isinstance(f, MaskPersonalNumbers) for f in h.filters) for h in installed)


def test_a_message_and_its_arguments_are_masked():
    out = emit("hall.anything", "person %s with phone %s", ID, PHONE)
    assert "360902********001X" in out and "139****5678" in out
    assert ID not in out and PHONE not in out


def test_a_traceback_is_masked():
    out = emit("hall.anything", "lookup failed", exc=ValueError(f"no person {ID} / {PHONE}"))
    assert "Traceback" in out and "ValueError" in out
    assert ID not in out and PHONE not in out


def test_djangos_own_loggers_are_masked():
    out = emit("django.request", "Not Found: /accounts/%s/", PHONE)
    assert "139****5678" in out and PHONE not in out


@pytest.mark.django_db
def test_a_request_that_fails_with_a_number_in_it_logs_no_full_number(client, caplog):
    """End to end: Django logs the 404 of a path carrying a phone number; the console shows it masked."""
    handler = configured_handlers()[-1]  # the django logger's
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    try:
        client.get(f"/no-such-page/{PHONE}/")
    finally:
        handler.setStream(old)
    assert "139****5678" in buffer.getvalue()
    assert PHONE not in buffer.getvalue()


def test_gunicorn_logs_through_the_same_filter():
    import runpy
    from pathlib import Path

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"))
    handlers = conf["logconfig_dict"]["handlers"]
    assert all(h["filters"] == ["mask"] for h in handlers.values())
    # SafeLogRecords masks (a MaskPersonalNumbers) and escapes control characters: tests/security/test_log_forging.py
    assert conf["logconfig_dict"]["filters"]["mask"]["()"] == "config.logfilters.SafeLogRecords"
    assert "%(U)s" in conf["access_log_format"] and "%(r)s" not in conf["access_log_format"]  # no query string
