"""Display helpers for templates: masking and money. Templates only display."""

from decimal import Decimal

from django import template

from accounts import masking

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
def yuan(fen):
    """12345 (fen) -> '123.45'."""
    if fen is None or fen == "":
        return ""
    return f"{(Decimal(int(fen)) / 100):,.2f}"
