"""Display helpers for the policy pages: templates only display, these do the formatting."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _t

from policies import formatting
from policies.choices import DatesMode, PairScope, ProofKind, RegionLevel, ReviewMode, SpendScope
from policies.models import PolicyVersion, Region
from policies.relationships import Relationship
from policies.rule_fields import BY_KEY

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


_DISPLAY: dict = {}


@register.filter
def display(obj, field: str):
    """obj.get_<field>_display(), with the field's choices read once: Django builds a map of them on every call."""
    labels = _DISPLAY.get((type(obj), field))
    if labels is None:
        labels = _DISPLAY[type(obj), field] = dict(type(obj)._meta.get_field(field).flatchoices)
    value = getattr(obj, field)
    try:
        return labels.get(value, value)
    except TypeError:  # an unhashable value: no choice names it
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


@register.filter
def rule_relationships(rules):
    """Relationship rules as plain words: 配偶、父母、子女."""
    return "、".join(str(display(rule, "relationship")) for rule in rules or [])


@register.filter
def not_yet_allowed(rules, day):
    """The relationship rules of a policy that open after the day shown (扩围 announced for a later date)."""
    return [rule for rule in rules or [] if not rule.allows_on(day)]


@register.simple_tag
def source_quotes(policy):
    """The source quotes behind the resolved values (PolicyVersion.quotes, {key: {source, text} or a list}), with
    the field's name in words where the key names a field: for the 政策依据 fold only."""
    rows = []
    for version in policy.versions:
        quotes = version.quotes if isinstance(version.quotes, dict) else {}
        for key, value in quotes.items():
            for item in value if isinstance(value, list) else [value]:
                text = item.get("text") if isinstance(item, dict) else item
                if not isinstance(text, str) or not text.strip():
                    continue
                rows.append(
                    {
                        "region": version.region,
                        "label": _field_label(key),
                        "text": text.strip(),
                        "source": item.get("source", "") if isinstance(item, dict) else "",
                    }
                )
    return rows


def _field_label(key: str) -> str:
    base, _sep, rest = key.partition("[")
    try:
        label = str(PolicyVersion._meta.get_field(base).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        # A row key (relationships[spouse], channels[0]): a reverse relation has no verbose_name.
        label = str(BY_KEY[base].label) if base in BY_KEY else base
    row = rest.rstrip("]")
    if row.isdigit():  # rows without a key of their own are numbered by their place: channels[0] is the first
        return _t("%(label)s（第%(n)s条）") % {"label": label, "n": int(row) + 1}
    return f"{label}（{relationship_label(row)}）" if row else label


@register.simple_tag
def ruled_or_dash(stated, field, unit="", kind=""):
    """{% ruled %} for a table cell: a dash where no level states the value (the table's note says what it means)."""
    return ruled(stated, field, unit, kind) or mark_safe('<span class="not-stated">—</span>')


# A note about the sources themselves (what an article says or leaves out, how the hall reads it) rather than a
# rule a resident acts on: shown in the 政策依据 fold, not among the 注意事项.
SOURCE_NOTE_MARKERS = ("来源", "文件", "未规定", "未写", "本大厅按", "以城市页面所载为准", "表示")


def _about_sources(note: str) -> bool:
    return any(marker in note for marker in SOURCE_NOTE_MARKERS)


@register.filter
def resident_notes(notes):
    """policy.notes ((region, line) pairs) a resident acts on."""
    return [line for _region, line in notes or [] if not _about_sources(line)]


@register.filter
def source_notes(notes):
    """policy.notes about the sources, with the level that wrote them."""
    return [(region, line) for region, line in notes or [] if _about_sources(line)]


@register.simple_tag
def proof_to_bring(policy):
    """The proof rules as a resident reads them: each with the relatives it applies to among those the city allows
    on the day (a province's rule may name relatives the city does not allow); rules for none of them left out."""
    allowed = {rule.relationship for rule in policy.allowed_relationships()}
    rows = []
    for rule in policy.proof_rules.value or []:
        named = list(rule.relationships or [])
        who = [r for r in named if r in allowed] if allowed else named
        if named and not who:
            continue
        rows.append((relationship_labels(who) if who else _t("家人"), rule))
    return rows
