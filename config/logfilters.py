"""Logging filters. Installed on every handler in config/settings/base.py, so no profile can forget them."""

import logging
import re

from accounts.masking import mask_id_number, mask_phone

# An 18-character resident ID number (17 digits and a digit or X) and an 11-digit mainland mobile number,
# each standing alone: not part of a longer run of digits (a timestamp, a case number, another ID).
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_personal_numbers(text: str) -> str:
    """360902********1234 and 139****2222, the way the pages show them to anyone but the owner."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


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
