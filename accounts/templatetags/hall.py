"""Display helpers for templates: masking and money. Templates only display."""

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.autoreload import file_changed

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


# --- markup that changes only on deploy ----------------------------------------------------------------------
# base.html's brand, footer, asset links and button texts: translations, {% static %} (a manifest look-up each)
# and {% url %} (a reverse each) that give the same markup on every request of a process. Rendered once per
# process for each language and set of flag values, then kept. The body sees only the flags named in the tag, never
# the page's context: a user's name, a CSRF token or a path put inside by mistake renders empty, on the first
# request as on every later one. Kept per template and place in it; cleared when a setting changes (tests) or a file
# is edited under runserver; a deploy restarts the processes.
_CONSTANT_FRAGMENTS: dict[tuple, str] = {}


def _forget_constant_fragments(**kwargs) -> None:
    _CONSTANT_FRAGMENTS.clear()


setting_changed.connect(_forget_constant_fragments, dispatch_uid="hall-constant-fragments")
file_changed.connect(_forget_constant_fragments, dispatch_uid="hall-constant-fragments-edited")  # runserver


class ConstantNode(template.Node):
    # Not walked by get_nodes_by_type (every {% extends %} render looks for blocks): no {% block %} inside.
    child_nodelists = ()

    def __init__(self, name: str, flags: list[str], nodelist):
        self.name = name
        self.flags = [(flag, template.Variable(flag)) for flag in flags]
        self.nodelist = nodelist

    def render(self, context):
        values = tuple(bool(_resolve(variable, context)) for _flag, variable in self.flags)
        where = (getattr(self.origin, "name", None), self.token.position if self.token else None, self.name)
        key = (where, translation.get_language(), get_script_prefix(), values)
        html = _CONSTANT_FRAGMENTS.get(key)
        if html is None:
            clean = template.Context(
                {flag: value for (flag, _variable), value in zip(self.flags, values, strict=True)},
                autoescape=context.autoescape,
            )
            clean.template = context.template  # {% include %} inside finds its loaders through the page's engine
            html = _CONSTANT_FRAGMENTS[key] = self.nodelist.render(clean)
        return html


def _resolve(variable, context):
    try:
        return variable.resolve(context)
    except template.VariableDoesNotExist:
        return False


@register.tag
def constant(parser, token):
    """{% constant "name" flag ... %}markup{% endconstant %}: markup rendered once per process (see above).

    The flags (context variables, taken as true or false) are all the body may depend on besides the language.
    """
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('{% constant %} needs a quoted name: {% constant "brand" flag %}')
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    return ConstantNode(bits[1][1:-1], bits[2:], nodelist)
