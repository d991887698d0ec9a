"""Hole 4: log forging. Every log line is one record: control characters in what a record quotes are escaped.

`GET /x%0a2026-12-01 00:00:00,000 INFO ...` used to make gunicorn's access log (which writes the decoded path)
print a second line that looked genuine; a clerk's note with a newline did the same through `hall.sms`. The
filter on every handler (config.logfilters.SafeLogRecords) escapes them, for Django's loggers and gunicorn's.
These tests log through the real configuration: the handlers settings.LOGGING installed in this process, and
gunicorn's logconfig_dict set up by gunicorn.glogging.Logger in a process of its own.
"""

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from config.logfilters import TRACE_PREFIX, SafeLogRecords, escape_control_characters

ROOT = Path(__file__).resolve().parents[2]
FORGED = "1999-12-31 23:59:59,000 INFO django.request forged: admin signed in"
PHONE = "13912345678"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("a\tb", "a\\tb"),
        ("\x00\x07\x0b\x0c\x1b[31m", "\\x00\\x07\\x0b\\x0c\\x1b[31m"),  # C0: NUL, BEL, VT, FF, ESC (colours)
        ("a\x7fb", "a\\x7fb"),  # DEL
        ("a\x85b\x9bc", "a\\x85b\\x9bc"),  # C1: NEL, CSI
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),  # line and paragraph separators
        ("a\u202eb\u2066c", "a\\u202eb\\u2066c"),  # bidirectional override and isolate
        ("职工医保 /accounts/login/ é", "职工医保 /accounts/login/ é"),  # ordinary text stays as it is
    ],
)
def test_control_characters_are_escaped(raw, escaped):
    assert escape_control_characters(raw) == escaped


def configured_handlers():
    """The handlers settings.LOGGING installed on the root and django loggers (not pytest's capture handlers)."""
    handlers = logging.getLogger().handlers + logging.getLogger("django").handlers
    return list(dict.fromkeys(h for h in handlers if not type(h).__module__.startswith("_pytest")))


class Captured:
    def __init__(self):
        self.buffer = io.StringIO()

    @property
    def lines(self):
        return self.buffer.getvalue().splitlines()


@pytest.fixture
def app_log():
    """What the configured handlers write while the test runs."""
    handlers = configured_handlers()
    assert handlers, "no handler configured"
    captured = Captured()
    old = [h.setStream(captured.buffer) for h in handlers]
    yield captured
    for handler, stream in zip(handlers, old, strict=True):
        handler.setStream(stream)


def test_a_message_with_a_newline_is_one_line(app_log):
    note = f"材料不清晰\n{FORGED}\r\n{FORGED}\u2028{FORGED}"
    logging.getLogger("hall.sms").warning("SMS to %s: %s", PHONE, note)
    assert len(app_log.lines) == 1
    line = app_log.lines[0]
    assert "hall.sms" in line and "材料不清晰\\n1999-12-31" in line and "\\r\\n" in line and "\\u2028" in line
    assert "139****5678" in line and PHONE not in line  # masked before escaping, still


def test_a_number_behind_a_line_separator_is_still_masked(app_log):
    logging.getLogger("hall.anything").warning("note\u2028%s\u2029%s", PHONE, "36090219750312001X")
    assert app_log.lines == [app_log.lines[0]] and "139****5678" in app_log.lines[0]
    assert PHONE not in app_log.buffer.getvalue() and "36090219750312001X" not in app_log.buffer.getvalue()


@pytest.mark.django_db
def test_a_clerks_note_in_an_sms_is_one_line(app_log, django_capture_on_commit_callbacks):
    from accounts.sms import sms_send

    with django_capture_on_commit_callbacks(execute=True):
        sms_send(phone=PHONE, body=f"您的申请已退回：请补充材料\n{FORGED}")
    records = [line for line in app_log.lines if "hall.sms" in line or FORGED in line]
    assert len(records) == 1, app_log.lines
    assert "\\n1999-12-31" in records[0]
    assert not any(line.startswith("1999-12-31") for line in app_log.lines)


@pytest.mark.django_db
def test_a_request_path_with_a_newline_is_one_line(client, app_log):
    """Django's own 404 warning quotes the decoded path."""
    client.get("/x%0a" + FORGED.replace(" ", "%20") + "%0d%0a")
    records = [line for line in app_log.lines if "Not Found" in line]
    assert len(records) == 1 and len(app_log.lines) == 1, app_log.lines
    assert "/x\\n1999-12-31" in records[0] and records[0].endswith("\\r\\n")


def test_a_traceback_cannot_start_a_record(app_log):
    """Tracebacks keep one line per frame; each line is marked, so an exception quoting input cannot forge one."""
    try:
        raise ValueError(f"bad note\n{FORGED}")
    except ValueError:
        logging.getLogger("hall.anything").exception("failed on %s", "x\ny")
    lines = app_log.lines
    assert lines[0].endswith("failed on x\\ny")
    assert len(lines) > 2 and all(line.startswith(TRACE_PREFIX) for line in lines[1:])
    assert any("Traceback" in line for line in lines) and any("ValueError: bad note" in line for line in lines)
    assert sum(1 for line in lines if line[:4].isdigit()) == 1  # exactly one record start


def test_a_record_through_two_handlers_is_escaped_once():
    """A logger with a handler of its own that also propagates to the root's: the second pass changes nothing."""
    try:
        raise ValueError("bad\nnote")
    except ValueError:
        record = logging.LogRecord("hall.x", logging.ERROR, __file__, 1, "a\n%s", ("b",), sys.exc_info())
    first, second = SafeLogRecords(), SafeLogRecords()
    assert first.filter(record) and second.filter(record)
    text = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert text.splitlines()[0] == "ERROR a\\nb"
    assert all(
        line.startswith(TRACE_PREFIX) and not line.startswith(TRACE_PREFIX * 2) for line in text.splitlines()[1:]
    )
    assert text.splitlines()[-2:] == [TRACE_PREFIX + "ValueError: bad", TRACE_PREFIX + "note"]


# --- gunicorn ------------------------------------------------------------------------------------------------

GUNICORN_SNIPPET = r"""
import datetime, json, logging, runpy, sys
from gunicorn.config import Config
from gunicorn.glogging import Logger

conf = runpy.run_path("config/gunicorn.conf.py")
cfg = Config()
for name, value in conf.items():
    if name in cfg.settings:
        cfg.set(name, value)
log = Logger(cfg)

class Response:
    status = "404 Not Found"
    sent = 179
    headers = [("Content-Type", "text/html")]

class Request:
    headers = [("HOST", "127.0.0.1"), ("USER-AGENT", "curl")]

path = json.loads(sys.argv[1])
environ = {
    "REQUEST_METHOD": "GET", "RAW_URI": "/raw", "PATH_INFO": path, "QUERY_STRING": "",
    "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "curl\x1b[2J",
}
log.access(Response(), Request(), environ, datetime.timedelta(milliseconds=12))
log.error("Invalid request from %s: %s", "127.0.0.1", path)
for handler in logging.getLogger("gunicorn.access").handlers + logging.getLogger("gunicorn.error").handlers:
    handler.flush()
"""


def test_gunicorns_access_and_error_logs_are_one_line_per_record():
    """gunicorn's own Logger, set up from config/gunicorn.conf.py, logging a decoded path with CR and LF."""
    path = f"/x\n{FORGED}\r\n{FORGED}"
    result = subprocess.run(
        [sys.executable, "-c", GUNICORN_SNIPPET, json.dumps(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    access = result.stdout.splitlines()
    assert len(access) == 1, access
    assert '"GET /x\\n1999-12-31 23:59:59,000 INFO' in access[0] and "\\r\\n" in access[0]
    assert '"curl\\x1b[2J"' in access[0]
    errors = [line for line in result.stderr.splitlines() if "Invalid request" in line or FORGED in line]
    assert len(errors) == 1, result.stderr
    assert not any(line.startswith("1999-12-31") for line in result.stdout.splitlines() + result.stderr.splitlines())
