"""Money in one place: amounts are integer fen everywhere; 元 appear only where people type or read them.

- `parse_yuan`: what a resident or clerk typed ('128.5', '１２８．５元') -> 12850 fen, or a plain reason;
- `yuan_to_fen`: a policy's Decimal 元 -> fen;
- `fen_text`: fen -> '1,234.50' for messages and admin columns (templates use the `fen_yuan` filter, which calls it);
- `percent_of`: a percentage of an amount, to the fen;
- the limits beyond which an amount is a typing slip.

`yuan_to_fen` and `fen_text` are written once in accounts/money.py (accounts and policies print money too and may
not import bindings) and re-exported here, so ledger code imports all of its money from this module.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.money import fen_text, yuan_to_fen

__all__ = [
    "MAX_CAP_FEN",
    "MAX_ITEM_FEN",
    "MAX_LEDGER_FEN",
    "fen_text",
    "parse_yuan",
    "percent_of",
    "yuan_to_fen",
]

# The largest amount one item may carry (100 000.00 元): an outpatient bill beyond that is a typing slip.
MAX_ITEM_FEN = 10_000_000
# A per-relative monthly cap above this is no cap at all; refuse it as a typing slip too.
MAX_CAP_FEN = 10_000_000
# One movement on an account larger than this (1 000 000 元) is a typing slip, whatever its kind.
MAX_LEDGER_FEN = MAX_ITEM_FEN * 10


def percent_of(base_fen: int, percent: Decimal) -> int:
    """`percent` % of an amount, rounded half up to the fen."""
    return int((Decimal(base_fen) * percent / 100).to_integral_value(rounding=ROUND_HALF_UP))


_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")
# Thousands separators only where they belong: '1,234.50' is 1234.50, but '12,50' is someone's decimal comma.
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_yuan(raw: str, *, limit: int = MAX_ITEM_FEN, allow_zero: bool = False) -> int:
    """'128.5' -> 12850. Full-width digits (１２８．５), the Chinese full stop as decimal point (128。5, what a
    Chinese keyboard types for '.'), a trailing 元 and thousands separators are accepted, since that is what phone
    keyboards and habits produce; anything else gets a plain reason."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "").replace("\u2212", "-").replace("。", ".")
    text = text.removesuffix("元")
    if not text:
        raise forms.ValidationError(_("请填写金额。"), code="required")
    if text.startswith("-"):
        raise forms.ValidationError(_("金额不能为负数。"), code="negative")
    text = text.removeprefix("+")
    if "," in text:
        if not _GROUPED.match(text):
            raise forms.ValidationError(_("金额的小数部分请用小数点，例如 12.50。"), code="separator")
        text = text.replace(",", "")
    if not _AMOUNT.match(text):
        if re.match(r"^\d+\.\d{3,}$", text):
            raise forms.ValidationError(_("金额最多保留两位小数（精确到分）。"), code="precision")
        raise forms.ValidationError(_("请输入数字金额，例如 128.50。"), code="not_a_number")
    try:
        fen = int(Decimal(text) * 100)
    except InvalidOperation:
        raise forms.ValidationError(_("请输入数字金额，例如 128.50。"), code="not_a_number") from None
    if fen == 0 and not allow_zero:
        raise forms.ValidationError(_("金额须大于0元。"), code="zero")
    if fen > limit:
        raise forms.ValidationError(
            _("金额不能超过%(max)s元，请核对是否多输了数字。") % {"max": fen_text(limit)}, code="too_large"
        )
    return fen
