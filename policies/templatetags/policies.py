"""Display helpers for the policy pages: templates only display, these do the formatting."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _t

from policies import formatting
from policies.choices import DatesMode, PairScope, ProofKind, RegionLevel, ReviewMode, SpendScope
from policies.models import Region
from policies.relationships import Relationship

register = template.Library()

LABELS = {
    "pair_scope": PairScope,
    "spend_scope": SpendScope,
    "review_mode": ReviewMode,
    "dates_mode": DatesMode,
    "proof_kind": ProofKind,
}


@register.filter
def cn_date(value, precision="day"):
    return formatting.cn_date(value, precision or "day")


@register.filter
def relationship_label(value):
    try:
        return Relationship(value).label
    except ValueError:
        return value


@register.filter
def relationship_labels(values):
    return "、".join(str(relationship_label(v)) for v in values or [])


@register.filter
def choice_label(value, kind):
    try:
        return LABELS[kind](value).label
    except (KeyError, ValueError):
        return value


@register.simple_tag
def authority(stated, current: Region | None = None):
    """Which level states a value: 本市规定 / 沿用四川省规定 / 未在来源中说明."""
    if not stated.is_stated:
        return format_html('<span class="rule-origin rule-origin-none">{}</span>', _t("未在来源中说明"))
    region = stated.region
    if current is not None and region.pk == current.pk:
        text = _t("%(name)s规定") % {"name": region.authority}
        css = "rule-origin-own"
    elif region.level == RegionLevel.NATIONAL:
        text = _t("沿用国家政策")
        css = "rule-origin-inherited"
    else:
        text = _t("沿用%(name)s规定") % {"name": region.name}
        css = "rule-origin-inherited"
    return format_html('<span class="rule-origin {}">{}</span>', css, text)


@register.simple_tag
def ruled(stated, field, unit="", kind=""):
    """A stated number or choice, marked so tests can tie it to its rule row; or 未在来源中说明."""
    if not stated.is_stated:
        return ""  # the {% authority %} badge beside it says 未在来源中说明
    value = stated.value
    shown = choice_label(value, kind) if kind else value
    return format_html('<data value="{}" data-field="{}">{}</data>{}', value, field, shown, unit)


@register.simple_tag
def number(value, field, unit=""):
    """A number from a rule row (money in yuan, percent, age), tagged with the field it comes from. Money is
    printed by the one formatter (policies.formatting.yuan_text); no template filter of its own."""
    if value is None or value == "":
        return format_html('<span class="text-muted">{}</span>', _t("未在来源中说明"))
    shown = formatting.yuan_text(value) if field.endswith("yuan") else value
    return format_html('<data value="{}" data-field="{}">{}</data>{}', value, field, shown, unit)


@register.filter
def age_band(rule):
    if rule.min_age is None and rule.max_age is None:
        return _t("不限年龄")
    if rule.min_age is None:
        return _t("未满%(max)s周岁") % {"max": rule.max_age}
    if rule.max_age is None:
        return _t("%(min)s周岁及以上") % {"min": rule.min_age}
    return _t("%(min)s至%(max)s周岁（不含%(max)s周岁）") % {"min": rule.min_age, "max": rule.max_age}


@register.filter
def allowed_on(rule, day):
    return rule.allows_on(day)
