"""The policy coverage table (docs/policy-coverage.md): every region, every declared rule, as resolved from the
loaded data, with the level that states it, its effective date, its source and the quote — or 未在来源中说明.

Written by `manage.py policy_report`; tests/policies/test_coverage.py regenerates it and fails when the committed
table no longer matches the data. Output is plain Markdown and depends on the data only (no clock, no database
ids), so the same data always gives the same file.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .choices import ChannelKind, InstitutionLevel, ProofKind
from .models import PolicyVersion, Region, Source
from .relationships import Relationship
from .rule_fields import FIRST_STATED, VERSION_FIELDS, Kind, Rows, VersionField
from .selectors import ResolvedPolicy, resolved_policy

NOT_STATED = "未在来源中说明"
EARLIEST = datetime.date(1900, 1, 1)
HEADER = """# 政策数据覆盖表

本表由 `python manage.py policy_report` 根据 `policies/data/*.yaml` 生成，请勿手工修改：改了数据之后重新生成
（`tests/policies/test_coverage.py` 检查本表与数据一致）。说明见 [policy-data.md](policy-data.md)。

每个地区按其政策（连同上级）发生变化的日期分段；每段列出每条规则按继承关系得出的取值、规定它的层级
（“沿用”表示取自上级）、该版本的生效日期、来源和来源原文。没有任何层级规定的，写“{not_stated}”。
第一段从该地区（连同上级）最早注明的生效日期算起；“政策版本”几行列出该段适用的版本及其日期的来源原文。
“告知书”是本大厅据各条规则写的告知书文本，不是来源原文。
"""


def _cell(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}元"


def _relationships(values) -> str:
    labels = []
    for value in values or []:
        try:
            labels.append(str(Relationship(value).label))
        except ValueError:
            labels.append(value)
    return "、".join(labels)


def _choice(field: VersionField, value) -> str:
    return str(dict(field.model_field.choices).get(value, value))


def _value(field: VersionField, value) -> str:
    if value is None or value == "":
        return NOT_STATED
    if field.kind is Kind.FLAG:
        return "是" if value else "否"
    if field.kind is Kind.CHOICE:
        return _choice(field, value)
    if field.kind is Kind.RELATIONSHIPS:
        return _relationships(value)
    if field.kind is Kind.LONG_TEXT:
        lines = str(value).strip().splitlines()
        return f"{lines[0]}…（共{len(lines)}行，本大厅的告知书文本）" if len(lines) > 1 else lines[0]
    return str(value)


def _row_summary(key: str, obj) -> str:
    if key == "relationships":
        text = obj.get_relationship_display()
        return f"{text}（自{obj.allowed_from.isoformat()}）" if obj.allowed_from else text
    if key == "proof":
        parts = [str(ProofKind(obj.kind).label)]
        if obj.relationships:
            parts.append(f"适用：{_relationships(obj.relationships)}")
        if obj.min_age is not None or obj.max_age is not None:
            low = f"{obj.min_age}周岁起" if obj.min_age is not None else ""
            high = f"未满{obj.max_age}周岁" if obj.max_age is not None else ""
            parts.append(low + high)
        if not obj.upload_required:
            parts.append("无须上传")
        if obj.pledge_allowed:
            parts.append("可用承诺书代替")
        if obj.channels:
            parts.append("渠道：" + "、".join(str(ChannelKind(kind).label) for kind in obj.channels))
        return "，".join(parts)
    if key == "channels":
        return f"{ChannelKind(obj.kind).label}：{obj.name}"
    if key == "pooling":
        who = obj.get_scheme_display() + (f"·{obj.get_category_display()}" if obj.category else "")
        parts = [who]
        for label, value in (
            ("起付线", obj.deductible_yuan),
            ("起付线累计上限", obj.deductible_yearly_max_yuan),
            ("年度限额", obj.yearly_cap_yuan),
            ("退休人员年度限额", obj.retiree_yearly_cap_yuan),
        ):
            if value is not None:
                parts.append(f"{label}{_money(value)}")
        if obj.retiree_share_bonus_points is not None:
            parts.append(f"退休人员比例提高{obj.retiree_share_bonus_points}个百分点")
        if obj.deductible_yuan is None and obj.deductible_yearly_max_yuan is None:
            parts.append(f"起付线{NOT_STATED}")
        for level in obj.levels.all():
            bits = [f"{level.fund_share_percent}%" if level.fund_share_percent is not None else ""]
            if level.deductible_yuan is not None:
                bits.append(f"起付线{_money(level.deductible_yuan)}")
            if level.per_day_cap_yuan is not None:
                bits.append(f"单日限额{_money(level.per_day_cap_yuan)}")
            parts.append(f"{InstitutionLevel(level.level).label}{' '.join(b for b in bits if b)}")
        return "，".join(parts)
    if key == "premium_amounts":
        text = f"{obj.year}年度个人缴费{_money(obj.amount_yuan)}"
        if obj.due_on:
            text += f"，集中缴费截止{obj.due_on.isoformat()}"
        if obj.late_extra_yuan is not None:
            text += f"，逾期另缴{_money(obj.late_extra_yuan)}"
        return text
    return str(obj)


def _row_key(key: str, spec: Rows, obj, index: int) -> str:
    values = {name: getattr(obj, name) for name in spec.unique}
    return f"{key}[{spec.identity(values, getattr(obj, 'order', index) if spec.ordered else index)}]"


def _quotes(version: PolicyVersion | None, *keys: str) -> list[dict]:
    if version is None:
        return []
    for key in keys:
        if version.quotes.get(key):
            return version.quotes[key]
    return []


class _Table:
    def __init__(self, region: Region):
        self.region = region
        self.lines = [
            "| 规则 | 取值 | 规定层级 | 生效日期 | 来源 | 来源原文 |",
            "|---|---|---|---|---|---|",
        ]

    def add(self, label, value, version: PolicyVersion | None, quotes: list[dict]):
        if version is None:
            level = date = ""
        else:
            level = version.region.name
            if version.region.pk != self.region.pk:
                level = f"沿用{level}"
            date = version.effective_from.isoformat() if version.effective_from else "未注明"
            if version.effective_from_note:
                date += f"（{version.effective_from_note}）"
        sources = "<br>".join(_cell(quote["source"]) for quote in quotes)
        texts = "<br>".join(f"“{_cell(quote['text'])}”" for quote in quotes)
        self.lines.append(f"| {_cell(label)} | {_cell(value)} | {_cell(level)} | {_cell(date)} | {sources} | {texts} |")


def _period_table(region: Region, policy: ResolvedPolicy) -> list[str]:
    table = _Table(region)
    for version in policy.versions:  # what applies in this period, and when each version starts
        start = f"{version.effective_from.isoformat()}起" if version.effective_from else "起始日期未注明"
        until = f"，至{version.effective_to.isoformat()}" if version.effective_to else ""
        table.add("政策版本", f"{version.title}（{start}{until}）", version, _quotes(version, "effective_from"))
    for field in (*FIRST_STATED, *[f for f in VERSION_FIELDS if f.key == "channels"]):
        label = str(field.label)
        if field.rows is None:
            stated = getattr(policy, field.name)
            quotes = _quotes(stated.version, field.key)
            table.add(label, _value(field, stated.value), stated.version, quotes)
            continue
        if field.key == "channels":
            rows = [(channel.version, channel) for channel in policy.channels]
        else:
            stated = getattr(policy, field.name)
            rows = [(stated.version, obj) for obj in stated.value or []]
        if not rows:
            table.add(label, NOT_STATED, None, [])
        for index, (version, obj) in enumerate(rows):
            # channels come from several levels: a row's place is its place in its own version
            place = obj.order if field.rows.ordered else index
            key = _row_key(field.key, field.rows, obj, place)
            table.add(label, _row_summary(field.key, obj), version, _quotes(version, key, field.key))
    return table.lines


def _boundaries(region: Region) -> list[datetime.date]:
    """The days the region's policy (its own or a level above) changes."""
    codes = [region.code]
    if region.parent is not None:
        codes.append(region.parent.code)
        if region.parent.parent is not None:
            codes.append(region.parent.parent.code)
    days = set()
    for version in PolicyVersion.objects.filter(region__code__in=codes):
        if version.effective_from:
            days.add(version.effective_from)
        if version.effective_to:
            days.add(version.effective_to + datetime.timedelta(days=1))
    return sorted(days) or [EARLIEST]


def _sources_table() -> list[str]:
    lines = ["## 来源", "", "| 标识 | 标题 | 发布方 | 日期 | 说明 |", "|---|---|---|---|---|"]
    for source in Source.objects.order_by("key"):
        date = source.published_on.isoformat() if source.published_on else ""
        if source.date_note:
            date = f"{date}（{source.date_note}）" if date else source.date_note
        lines.append(
            f"| {_cell(source.key)} | {_cell(source.title)} | {_cell(source.publisher or '未署名')} | "
            f"{_cell(date)} | {_cell(source.notes)} |"
        )
    return lines


def coverage_markdown() -> str:
    """The coverage table for the policy data in the database (see `manage.py load_policies`)."""
    lines = [HEADER.format(not_stated=NOT_STATED).rstrip(), "", *_sources_table()]
    for region in Region.objects.select_related("parent__parent").order_by("code"):
        lines += ["", f"## {region.name}（{region.code}）"]
        for day in _boundaries(region):
            policy = resolved_policy(region.code, day)
            heading = "起始日期未注明" if day == EARLIEST else f"自 {day.isoformat()} 起"
            lines += ["", f"### {heading}", "", *_period_table(region, policy)]
    return "\n".join(lines) + "\n"
