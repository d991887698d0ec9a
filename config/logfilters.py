"""Logging filters. Installed on every handler in config/settings/base.py and config/gunicorn.conf.py, so no
profile and no logger can forget them.

One filter, two jobs, in this order: mask ID and mobile numbers, then escape control characters. The order
matters: escaping first would turn a line separator in front of a phone number into digits (``\\u2028`` then
``13912345678`` reads as one 15-digit run) and the number would escape the mask.
"""

import logging
import re

from accounts.masking import mask_id_number, mask_phone

# An 18-character resident ID number (17 digits and a digit or X) and an 11-digit mainland mobile number,
# each standing alone: not part of a longer run of digits (a timestamp, a case number, another ID).
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# Characters that end a line in some reader (C0 incl. CR, LF, VT, FF; NEL; U+2028/2029), move the cursor or
# recolour a terminal (ESC, the rest of C0 and C1, DEL), or reorder what is displayed (the bidirectional
# embeddings, overrides and isolates). None has any business in a log line; all come from input.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Continuation lines of a traceback or stack start with this, so no line that input produces inside one can
# look like the start of a record (every record starts with its timestamp).
TRACE_PREFIX = "  | "


def mask_personal_numbers(text: str) -> str:
    """360902********1234 and 139****2222, the way the pages show them to anyone but the owner."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


def _escape_char(match: re.Match) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control_characters(text: str) -> str:
    r"""One line whatever the input: ``a\nb`` becomes ``a\\nb``, ESC ``\\x1b``, U+2028 ``\\u2028``.

    A backslash is left as it is, so a message stays readable; a literal ``\n`` typed by someone and an
    escaped newline therefore look alike, and both mean the input carried something odd.
    """
    return _CONTROL.sub(_escape_char, text)


def _trace_lines(text: str) -> str:
    """A traceback stays readable (one line per frame), each line escaped and marked as a continuation."""
    lines = re.split(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]", text.rstrip("\n"))
    return "\n".join(TRACE_PREFIX + escape_control_characters(line) for line in lines)


class MaskPersonalNumbers(logging.Filter):
    """Mask ID and mobile numbers in the whole record: message, arguments, traceback and stack.

    The message is formatted here, once, so that a number passed as an argument (``"%s", phone``) is masked
    too; the traceback is rendered here as well, because exception messages quote input (a ValidationError
    with the ID number, a URL with ``?q=<ID>`` in a 404 warning).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = mask_personal_numbers(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
            # The text stands for the exception from now on: handlers further on must not render it again.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask_personal_numbers(record.stack_info)
        return True


class SafeLogRecords(MaskPersonalNumbers):
    """Mask personal numbers (above), then make the record unforgeable: every record is one line of its own.

    The message, the place every piece of input ends up (a request path, a clerk's note, a user agent),
    loses its control characters to escapes, so ``GET /x%0a2026-12-01 00:00:00,000 INFO ...`` is logged as
    ``/x\\n2026-...`` on the request's own line. A traceback or stack keeps one line per frame, for the person
    reading it, but each of its lines is escaped and starts with TRACE_PREFIX: an exception message quoting
    input with a newline in it continues the traceback, it cannot start a record.

    Idempotent: a record that passes two handlers (the root's and a logger's) is escaped once.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        if getattr(record, "_hall_escaped", False):
            return True
        record.msg = escape_control_characters(record.msg)
        if record.exc_text:
            record.exc_text = _trace_lines(record.exc_text)
        if record.stack_info:
            record.stack_info = _trace_lines(record.stack_info)
        record._hall_escaped = True
        return True
