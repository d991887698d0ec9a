"""Display helpers for templates: masking and money. Templates only display."""

from django import template

from accounts import acting, masking
from accounts.models import ProxyScope
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


# --- acting for someone else (accounts.acting) ---------------------------------------------------------------


@register.filter
def may(user, scope):
    """{% if user|may:"apply" %}: show a change button only when the view behind it would accept it (a proxy
    with view-only scope, a minor acting for himself)."""
    return acting.user_may(user, scope)


@register.filter
def scope_labels(scopes):
    """A proxy's scopes in the order of ProxyScope, as a resident reads them: 查看、申请和解除共济、代缴保费."""
    return "、".join(str(scope.label) for scope in ProxyScope if scope in scopes)
