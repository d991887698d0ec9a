"""What a policy version states, declared once.

Each entry is one key of a version in policies/data/*.yaml. The same entry tells the loader what it accepts
(`kind`), the resolved policy how a level that states nothing falls back to the level above (`inherit`), the
snapshot what to record for the history, and the admin where to show it (`section`). Adding a rule is one
entry here plus the PolicyVersion field and its migration; tests/policies/test_rule_fields.py fails when a
field is in one of those places only.

The label is the model field's verbose_name (the admin and the validation messages already use it), read
here rather than written a second time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Channel, PolicyVersion, PoolingLevel, PoolingRule, PremiumAmount, ProofRule, RelationshipRule


def _text(value) -> bool:
    return isinstance(value, str)


def _scalar(value) -> bool:
    """Text, or a YAML number the model field turns into text or checks (`title: 2024`, `year: "2025"`)."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _text_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _whole_number(value) -> bool:
    """An int, or text the model field parses; not a bool or a float, which it would silently truncate."""
    return isinstance(value, int | str) and not isinstance(value, bool)


class Kind(StrEnum):
    """What the loader accepts for a value. A value of another type is reported instead of reaching the model,
    which would turn a list into text, True into 1 or 5.5 into 5 without a word."""

    TEXT = "text"
    LONG_TEXT = "long_text"  # stripped of the blank lines a YAML block leaves around it
    LINES = "lines"  # text, or a list of lines stored one a line
    NUMBER = "number"
    MONEY = "money"  # yuan
    CHOICE = "choice"  # one of the model field's choices, which full_clean() checks
    FLAG = "flag"
    DATE = "date"  # a YAML date, or ISO text
    RELATIONSHIPS = "relationships"  # checked by relationships.validate_relationship_list
    SOURCES = "sources"  # keys of sources.yaml
    ROWS = "rows"  # a list of rule rows (Rows below)
    QUOTES = "quotes"  # {field key or row key: {source, text} or a list of them}; see loading._quotes

    def accepts(self, value) -> bool:
        return _ACCEPTS[self](value)

    @property
    def expected(self) -> str:
        """The problem reported for a value of the wrong type."""
        return str(_EXPECTED[self])

    @classmethod
    def of(cls, model_field) -> Kind:
        """The kind a row's model field takes (a version's fields say theirs in VERSION_FIELDS)."""
        if model_field.choices:
            return cls.CHOICE
        for field_class, kind in _MODEL_KINDS:
            if isinstance(model_field, field_class):
                return kind
        raise ValueError(f"no kind for {model_field!r}")


_ACCEPTS = {
    Kind.TEXT: _scalar,
    Kind.LONG_TEXT: _scalar,
    Kind.LINES: lambda value: _text(value) or _text_list(value),
    Kind.NUMBER: _whole_number,
    Kind.MONEY: _scalar,
    Kind.CHOICE: _text,
    Kind.FLAG: lambda value: isinstance(value, bool),
    Kind.DATE: lambda value: isinstance(value, datetime.date | str),
    Kind.RELATIONSHIPS: lambda value: True,
    Kind.SOURCES: _text_list,
    Kind.ROWS: lambda value: isinstance(value, list),
    Kind.QUOTES: lambda value: isinstance(value, dict),
}
_EXPECTED = {
    Kind.TEXT: _("应为文字"),
    Kind.LONG_TEXT: _("应为文字"),
    Kind.LINES: _("应为文字或文字列表"),
    Kind.NUMBER: _("应为整数"),
    Kind.MONEY: _("应为金额（元）"),
    Kind.CHOICE: _("应为文字（选项代码）"),
    Kind.FLAG: _("应为 true 或 false"),
    Kind.DATE: _("应为日期，如 2024-09-01"),
    Kind.RELATIONSHIPS: _("应为亲属关系列表"),
    Kind.SOURCES: _("应为来源标识列表"),
    Kind.ROWS: _("应为列表"),
    Kind.QUOTES: _("应为映射：字段 → {source: 来源标识, text: 来源原文}"),
}
_MODEL_KINDS = (
    (models.BooleanField, Kind.FLAG),
    (models.DateField, Kind.DATE),
    (models.DecimalField, Kind.MONEY),
    (models.IntegerField, Kind.NUMBER),
    (models.JSONField, Kind.RELATIONSHIPS),
    (models.TextField, Kind.LONG_TEXT),
    (models.CharField, Kind.TEXT),
)


class Inherit(StrEnum):
    """How a city falls back to its province and the province to the national default."""

    NO = "no"  # the version's own: its dates, title and summary
    FIRST = "first"  # the most specific level that states it wins; a collection is taken as a whole
    EVERY = "every"  # every level's adds up (notes, sources)
    BY_KIND = "by_kind"  # channels: a level's channel hides only the same kind and name from the levels above


class Section(StrEnum):
    """The admin fieldset a field is edited in."""

    GENERAL = "general"
    DATES = "dates"
    SHARING = "sharing"
    PREMIUM = "premium"
    NOTES = "notes"

    @property
    def label(self):
        return _SECTION_LABELS[self]


_SECTION_LABELS = {
    Section.GENERAL: None,
    Section.DATES: _("有效期"),
    Section.SHARING: _("共济规则（留空表示本级未规定，沿用上级）"),
    Section.PREMIUM: _("代缴"),
    Section.NOTES: _("说明"),
}


@dataclass(frozen=True)
class Rows:
    """A collection of rule rows below a version (or below a row: pooling levels)."""

    model: type[models.Model]
    fields: tuple[str, ...]  # the keys a data file gives for a row, and what the snapshot records of it
    parent: str = "version"  # the foreign key to what the row belongs to
    unique: tuple[str, ...] = ()  # no two rows may share these; the problem names the last one
    duplicate: str = ""  # that problem, with %(name)s for the row's values
    lines: tuple[str, ...] = ()  # text fields given as text or a list of lines
    shorthand: str = ""  # a bare text item stands for {shorthand: text}: `- spouse`
    ordered: bool = False  # the row's `order` is its place in the list
    sort_by: tuple[str, ...] = ()  # the snapshot's order where stored rows come back in another one
    children: Rows | None = None
    children_key: str = ""  # the children's key in a row, and their related name

    @property
    def keys(self) -> set[str]:
        """What a data file may give for a row: its fields, the rows below, and the row's source and quote."""
        return {*self.fields, self.children_key, *ROW_QUOTE_KEYS} - {""}

    def identity(self, values: dict, index: int) -> str:
        """How a row's quote is keyed in PolicyVersion.quotes: `relationships[spouse]`, `pooling[employee/retired]`,
        `premium_amounts[2025]`; rows without a unique key by their place in the list: `channels[0]`."""
        if self.unique:
            return "/".join(str(values.get(name)) for name in self.unique if values.get(name) not in (None, ""))
        return str(index)

    def kind(self, name: str) -> Kind:
        return Kind.LINES if name in self.lines else Kind.of(self.model._meta.get_field(name))


# A row's own source quote in a data file (PremiumAmount also keeps them in its own columns).
ROW_QUOTE_KEYS = ("source", "quote")


class Row(NamedTuple):
    """A row and the rows below it, from a data file (unsaved) or from the database."""

    obj: models.Model
    children: list[models.Model]


@dataclass(frozen=True)
class VersionField:
    key: str  # in the data file and in the snapshot
    kind: Kind
    inherit: Inherit
    section: Section | None = None  # None: rows, edited in an admin inline
    carried_over: bool = True  # a later version of the region in the data file copies it unless it gives one
    attr: str = ""  # the PolicyVersion attribute where it is not the key (the related name of rows)
    rows: Rows | None = None
    quoted: bool = True  # a stated value needs its source quote (PolicyVersion.quotes), or the loader refuses it

    @property
    def name(self) -> str:
        """The PolicyVersion attribute, and the ResolvedPolicy one for an inherited field."""
        return self.attr or self.key

    @property
    def model_field(self):
        return PolicyVersion._meta.get_field(self.name)

    @property
    def label(self):
        if self.rows is not None:
            return self.rows.model._meta.verbose_name_plural
        return self.model_field.verbose_name

    def stated_by(self, version: PolicyVersion):
        """What the version states, or None where it states nothing (NULL, blank, no rows)."""
        if self.rows is not None:
            return list(getattr(version, self.name).all()) or None
        value = getattr(version, self.name)
        return None if value == "" else value


def _own(key, kind, section, *, quoted=False) -> VersionField:
    return VersionField(key, kind, Inherit.NO, section, carried_over=False, quoted=quoted)


def _rule(key, kind, section, *, quoted=True) -> VersionField:
    return VersionField(key, kind, Inherit.FIRST, section, quoted=quoted)


def _rows(key, attr, rows, inherit=Inherit.FIRST) -> VersionField:
    return VersionField(key, Kind.ROWS, inherit, attr=attr, rows=rows)


POOLING_LEVELS = Rows(
    PoolingLevel,
    ("level", "fund_share_percent", "deductible_yuan", "per_day_cap_yuan"),
    parent="rule",
    unique=("level",),
    duplicate=_("机构类别“%(level)s”重复"),
)

# The order is the snapshot's (and so the history's) and, within a section, the admin's.
VERSION_FIELDS = (
    _own("effective_from", Kind.DATE, Section.DATES, quoted=True),
    _own("effective_from_note", Kind.TEXT, Section.DATES),
    _own("effective_to", Kind.DATE, Section.DATES),
    _own("title", Kind.TEXT, Section.GENERAL),
    _own("summary", Kind.LONG_TEXT, Section.GENERAL),
    _rule("service_name", Kind.TEXT, Section.SHARING),
    _rule("at_once_limit", Kind.NUMBER, Section.SHARING),
    _rule("total_limit", Kind.NUMBER, Section.SHARING),
    _rule("pair_scope", Kind.CHOICE, Section.SHARING),
    _rule("spend_scope", Kind.CHOICE, Section.SHARING),
    _rule("rebind_wait_days", Kind.NUMBER, Section.SHARING),
    _rule("review_mode", Kind.CHOICE, Section.SHARING),
    _rule("review_working_days", Kind.NUMBER, Section.SHARING),
    _rule("dates_mode", Kind.CHOICE, Section.SHARING),
    # The hall's own wording of the rules a resident agrees to, not a value taken from a source.
    _rule("notice_text", Kind.LONG_TEXT, Section.SHARING, quoted=False),
    _rule("relative_phone_required", Kind.FLAG, Section.SHARING),
    _rule("relative_face_min_age", Kind.NUMBER, Section.SHARING),
    _rule("bind_requires_positive_balance", Kind.FLAG, Section.SHARING),
    _rule("inpatient_allowed", Kind.FLAG, Section.SHARING),
    _rule("inpatient_cross_province_filed", Kind.FLAG, Section.SHARING),
    _rule("premium_allowed", Kind.FLAG, Section.PREMIUM),
    _rule("premium_relationships", Kind.RELATIONSHIPS, Section.PREMIUM),
    _rule("premium_scheme", Kind.CHOICE, Section.PREMIUM),
    _rule("premium_scope", Kind.CHOICE, Section.PREMIUM),
    _rule("premium_needs_binding", Kind.FLAG, Section.PREMIUM),
    VersionField("notes", Kind.LINES, Inherit.EVERY, Section.NOTES, quoted=False),
    VersionField("sources", Kind.SOURCES, Inherit.EVERY, Section.GENERAL, carried_over=False, quoted=False),
    _rows(
        "relationships",
        "relationship_rules",
        Rows(
            RelationshipRule,
            ("relationship", "allowed_from", "allowed_from_precision", "note"),
            unique=("relationship",),
            duplicate=_("亲属关系“%(relationship)s”重复"),
            shorthand="relationship",
        ),
    ),
    _rows(
        "proof",
        "proof_rules",
        Rows(
            ProofRule,
            ("kind", "relationships", "min_age", "max_age", "upload_required", "pledge_allowed", "channels", "note"),
            ordered=True,
        ),
    ),
    _rows(
        "channels",
        "channels",
        Rows(
            Channel,
            ("kind", "name", "url", "entry", "steps", "materials", "note"),
            lines=("steps", "materials"),
            ordered=True,
        ),
        inherit=Inherit.BY_KIND,
    ),
    _rows(
        "pooling",
        "pooling_rules",
        Rows(
            PoolingRule,
            (
                "scheme",
                "category",
                "deductible_yuan",
                "deductible_yearly_max_yuan",
                "yearly_cap_yuan",
                "retiree_share_bonus_points",
                "retiree_yearly_cap_yuan",
                "note",
            ),
            unique=("scheme", "category"),
            duplicate=_("同一险种和人员类别的门诊统筹规则重复"),
            sort_by=("scheme", "category"),
            children=POOLING_LEVELS,
            children_key="levels",
        ),
    ),
    _rows(
        "premium_amounts",
        "premium_amounts",
        Rows(
            PremiumAmount,
            ("year", "amount_yuan", "due_on", "late_extra_yuan", "quote", "note"),
            unique=("year",),
            duplicate=_("%(year)s年度重复"),
            sort_by=("year",),
        ),
    ),
    # Where each value above is taken from; a later version keeps the quotes of what it does not restate.
    VersionField("quotes", Kind.QUOTES, Inherit.NO, Section.NOTES, quoted=False),
)
BY_KEY = {field.key: field for field in VERSION_FIELDS}
# The fields whose stated value must carry a source quote.
QUOTED = tuple(field for field in VERSION_FIELDS if field.quoted)
# The version's own columns; sources and rows are written after it is saved.
COLUMNS = tuple(field for field in VERSION_FIELDS if field.kind not in (Kind.SOURCES, Kind.ROWS))
ROW_FIELDS = tuple(field for field in VERSION_FIELDS if field.rows is not None)
# What ResolvedPolicy answers as a Stated value, from the most specific level that states it.
FIRST_STATED = tuple(field for field in VERSION_FIELDS if field.inherit is Inherit.FIRST)


def rows_prefetch() -> list:
    """The prefetch lookups that read every row of a version (and the rows below a row) in one query each."""
    lookups = []
    for field in ROW_FIELDS:
        rows = field.rows
        if rows.children is not None:
            lookups.append(models.Prefetch(field.name, queryset=rows.model.objects.prefetch_related(rows.children_key)))
        else:
            lookups.append(field.name)
    return lookups


def by_section() -> dict[Section, list[str]]:
    """The PolicyVersion fields each admin fieldset shows, in declaration order."""
    sections: dict[Section, list[str]] = {section: [] for section in Section}
    for field in VERSION_FIELDS:
        if field.section is not None:
            sections[field.section].append(field.name)
    return sections
