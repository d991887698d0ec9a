"""Display helpers for templates: masking and money. Templates only display."""

from django import template

from accounts import masking
from accounts.money import fen_text

register = template.Library()


@register.filter
def mask_id(value):
    return masking.mask_id_number(value)


@register.filter
def mask_phone(value):
    return masking.mask_phone(value)


@register.filter
def mask_name(value):
    return masking.mask_name(value)


@register.filter
def fen_yuan(fen):
    """12345 (integer fen) -> '123.45': the one money filter; the formatting is accounts.money.fen_text."""
    if fen is None or fen == "":
        return ""
    return fen_text(fen)
