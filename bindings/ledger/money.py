"""Money in one place: amounts are integer fen everywhere; 元 appear only where people type or read them.

- `parse_yuan`: what a resident or clerk typed ('128.5', '１２８．５元') -> 12850 fen, or a plain reason;
- `yuan_to_fen`: a policy's Decimal 元 -> fen;
- `fen_text`: fen -> '1,234.50' for messages and admin columns (templates use the `fen_yuan` filter, which calls it).
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

# The largest amount one item may carry (100 000.00 元): an outpatient bill beyond that is a typing slip.
MAX_ITEM_FEN = 10_000_000
# A per-relative monthly cap above this is no cap at all; refuse it as a typing slip too.
MAX_CAP_FEN = 10_000_000


def yuan_to_fen(value: Decimal | int | None) -> int | None:
    if value is None:
        return None
    return int((Decimal(value) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def percent_of(base_fen: int, percent: Decimal) -> int:
    """`percent` % of an amount, rounded half up to the fen."""
    return int((Decimal(base_fen) * percent / 100).to_integral_value(rounding=ROUND_HALF_UP))


def fen_text(fen: int) -> str:
    """12345 -> '123.45' for messages (templates use the `yuan` filter)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


def parse_yuan(raw: str, *, limit: int = MAX_ITEM_FEN, allow_zero: bool = False) -> int:
    """'128.5' -> 12850. Full-width digits (１２８．５), a trailing 元 and thousands separators are accepted,
    since that is what phone keyboards and habits produce; anything else gets a plain reason."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(",", "").replace(" ", "")
    text = text.removesuffix("元")
    if not text:
        raise forms.ValidationError(_("请填写金额。"), code="required")
    if text.startswith("-"):
        raise forms.ValidationError(_("金额不能为负数。"), code="negative")
    if text.startswith("+"):
        text = text[1:]
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
