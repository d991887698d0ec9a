"""Read policies/data/*.yaml, validate every row with the models' own rules, and build unsaved rows.

Nothing is written here: services.load_policies() applies what this module returns. What a version may
state, and what the loader accepts for each key, is declared in rule_fields.py; datafile.py reports the
problems (with the file, the region and the field), and every problem in the data is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from .choices import RegionLevel
from .datafile import (
    Collector,
    PolicyDataError,
    entries,
    mapping,
    read_value,
    read_yaml,
    unknown_keys,
)
from .models import PolicyVersion, Region, Source
from .rule_fields import BY_KEY, COLUMNS, QUOTED, ROW_FIELDS, ROW_QUOTE_KEYS, Kind, Row, Rows

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCES_FILE = "sources.yaml"
SOURCE_FIELDS = ("key", "title", "publisher", "document_number", "url", "published_on", "date_note", "notes")
REGION_KEYS = {"code", "name", "short_name", "slug", "level", "parent", "versions"}
# A later version copies the previous one's keys unless it gives them; its dates and title are its own.
NOT_CARRIED_OVER = {version_field.key for version_field in BY_KEY.values() if not version_field.carried_over}
LEVEL_RANK = {RegionLevel.NATIONAL: 0, RegionLevel.PROVINCE: 1, RegionLevel.CITY: 2}
QUOTES = BY_KEY["quotes"]
MISSING_QUOTE = "已填写的值没有来源原文：请在 quotes 中写明 source 和 text，或在该行写明 source 和 quote"


@dataclass
class VersionDraft:
    version: PolicyVersion
    source_keys: list[str] = field(default_factory=list)
    rows: dict[str, list[Row]] = field(default_factory=lambda: {rows.key: [] for rows in ROW_FIELDS})
    row_quotes: dict[str, list] = field(default_factory=dict)  # the rows' own quotes, by Rows.identity


@dataclass
class RegionDraft:
    file: str
    code: str
    name: str
    short_name: str
    slug: str
    level: str
    parent_code: str | None
    versions: list[VersionDraft] = field(default_factory=list)


@dataclass
class PolicyData:
    sources: list[Source]
    regions: list[RegionDraft]


def read_sources(path: Path, collector: Collector) -> list[Source]:
    data = read_yaml(path, collector)
    if data is None:
        return []
    sources, seen = [], set()
    for index, item in enumerate(data.get("sources") or [], start=1):
        place = f"来源 {index}"
        item = mapping(item, collector, path.name, place, "sources")
        if item is None:
            continue
        unknown_keys(collector, item, set(SOURCE_FIELDS), path.name, place)
        values = {key: item.get(key) for key in SOURCE_FIELDS if key in item}
        values = {key: ("" if value is None and key != "published_on" else value) for key, value in values.items()}
        source = Source(**values)
        place = f"来源 {source.key or index}"
        collector.clean(source, path.name, place, "")
        if source.key in seen:
            collector.add(path.name, place, "key", "来源标识重复")
        seen.add(source.key)
        sources.append(source)
    return sources


def _rows(spec: Rows, items, collector, file, place, name: str, quotes: dict | None = None) -> list[Row]:
    """The rows of one collection (and the rows below each), validated by their models. A row's own `source`
    and `quote` go into `quotes` under the row's key (Rows.identity)."""
    rows, seen = [], set()
    for index, prefix, item in entries(items, collector, file, place, name, spec.keys, shorthand=spec.shorthand):
        values, refused = {}, []
        for key in spec.fields:
            model_field = spec.model._meta.get_field(key)
            raw = item.get(key)
            values[key], accepted = read_value(raw, spec.kind(key), model_field, collector, file, place, prefix + key)
            if not accepted:
                refused.append(key)
        if spec.ordered:
            values["order"] = index
        if quotes is not None and any(key in item for key in ROW_QUOTE_KEYS):
            quote = {"source": item.get("source"), "text": item.get("quote")}
            quotes[f"{name}[{spec.identity(values, index)}]"] = [quote]
        obj = spec.model(**values)
        if "source" in item and "source" in {f.name for f in spec.model._meta.fields}:
            obj.source_key = item.get("source")  # PremiumAmount.source, set by services._write_rows
        collector.clean(obj, file, place, prefix, exclude=[spec.parent, *refused])
        if spec.unique and not set(spec.unique) & set(refused):
            identity = tuple(values[key] for key in spec.unique)
            if identity in seen:
                collector.add(file, place, prefix + spec.unique[-1], str(spec.duplicate) % values)
            seen.add(identity)
        children = []
        if spec.children is not None:
            children_name = prefix + spec.children_key
            child_items = item.get(spec.children_key) or []
            children = [
                row.obj for row in _rows(spec.children, child_items, collector, file, place, children_name, quotes)
            ]
        rows.append(Row(obj, children))
    return rows


def _source_keys(data: dict, collector, file, place, source_keys: set[str]) -> list[str]:
    keys = data.get("sources")
    if keys is None:
        return []
    if not Kind.SOURCES.accepts(keys):
        collector.add(file, place, "sources", Kind.SOURCES.expected)
        return []
    for key in keys:
        if key not in source_keys:
            collector.add(file, place, "sources", f"未知的来源“{key}”（见 {SOURCES_FILE}）")
    return list(keys)


def _quote_entries(raw) -> list:
    """A quote as the data file gives it ({source, text} or a list of them), as a list."""
    return raw if isinstance(raw, list) else [raw]


def _row_key_field(key: str) -> str:
    """The field a quote key belongs to: `relationships[spouse]` → relationships."""
    return key.split("[", 1)[0]


def _stated_row_keys(draft: VersionDraft) -> dict[str, list[str]]:
    """The quote key of every stated row, by collection."""
    keys = {}
    for rows_field in ROW_FIELDS:
        spec = rows_field.rows
        keys[rows_field.key] = [
            f"{rows_field.key}[{spec.identity(_row_values(spec, obj), index)}]"
            for index, (obj, _children) in enumerate(draft.rows[rows_field.key])
        ]
    return keys


def _row_values(spec: Rows, obj) -> dict:
    return {name: getattr(obj, name) for name in spec.unique}


def _check_quotes(draft: VersionDraft, raw_quotes, collector, file, place, source_keys: set[str]) -> dict:
    """PolicyVersion.quotes from the data file: every stated value (rule_fields.QUOTED) must carry at least one
    quote naming a source of sources.yaml, with the text as the source has it. A row is quoted by its own quote
    or by one for its whole collection. Returns {key: [{"source": key, "text": quote}, ...]}."""
    quotes: dict[str, list] = {}
    if raw_quotes is not None and not Kind.QUOTES.accepts(raw_quotes):
        collector.add(file, place, "quotes", Kind.QUOTES.expected)
        raw_quotes = {}
    row_keys = _stated_row_keys(draft)
    stated = draft_stated(draft)
    known = {field.key for field in QUOTED if field.key in stated or row_keys.get(field.key)}
    known |= {key for keys in row_keys.values() for key in keys}
    for key, raw in {**(raw_quotes or {}), **draft.row_quotes}.items():
        label = f"quotes.{key}"
        if key not in known:
            collector.add(file, place, label, "引用的字段或行未在本版本中填写（拼写错误？）")
            continue
        entries_ = []
        for entry in _quote_entries(raw):
            if not isinstance(entry, dict) or set(entry) - {"source", "text"}:
                collector.add(file, place, label, "应为 {source: 来源标识, text: 来源原文}")
                continue
            source, text = entry.get("source"), entry.get("text")
            if not isinstance(source, str) or not source.strip():
                collector.add(file, place, label, "缺少来源标识（source）")
            elif source not in source_keys:
                collector.add(file, place, label, f"来源“{source}”不在 {SOURCES_FILE} 中")
            if not isinstance(text, str) or not text.strip():
                collector.add(file, place, label, "来源原文（text）为空")
                continue
            entries_.append({"source": source, "text": " ".join(text.split())})
        quotes[key] = entries_
    for version_field in QUOTED:
        if version_field.rows is not None:
            if version_field.key in quotes:
                continue
            unquoted = [key for key in row_keys[version_field.key] if key not in quotes]
            if unquoted and len(unquoted) == len(row_keys[version_field.key]):
                unquoted = [version_field.key]  # the collection states nothing quoted: one problem, not one a row
            for key in unquoted:
                collector.add(file, place, key, MISSING_QUOTE)
        elif version_field.key in stated and version_field.key not in quotes:
            collector.add(file, place, version_field.key, MISSING_QUOTE)
    return quotes


def draft_stated(draft: VersionDraft) -> set[str]:
    """The keys of the version's columns that state a value (not NULL, not blank)."""
    return {
        column.key
        for column in COLUMNS
        if column.kind is not Kind.QUOTES and getattr(draft.version, column.name) not in (None, "")
    }


def _version(data: dict, collector, file, place, source_keys: set[str]) -> VersionDraft:
    problems_before = len(collector.problems)
    unknown_keys(collector, data, set(BY_KEY), file, place)
    values, refused = {}, []
    for column in COLUMNS:
        if column is QUOTES:
            continue
        model_field = column.model_field
        raw = data.get(column.key)
        values[column.name], accepted = read_value(raw, column.kind, model_field, collector, file, place, column.key)
        if not accepted:
            refused.append(column.name)
    version = PolicyVersion(**values)
    collector.clean(version, file, place, "", exclude=["region", *refused])
    draft = VersionDraft(version=version, source_keys=_source_keys(data, collector, file, place, source_keys))
    for rows_field in ROW_FIELDS:
        if rows_field.key in data:
            rows = _rows(
                rows_field.rows, data[rows_field.key], collector, file, place, rows_field.key, draft.row_quotes
            )
            draft.rows[rows_field.key] = rows
    if len(collector.problems) == problems_before:
        # Quotes are checked once the values load: a refused value is reported as such, not also as unquoted.
        version.quotes = _check_quotes(draft, data.get(QUOTES.key), collector, file, place, source_keys)
    return draft


def _region(item: dict, collector, file, index, source_keys) -> RegionDraft | None:
    code = item.get("code")
    place = f"地区 {code} {item.get('name', '')}".strip()
    if not isinstance(code, str):
        collector.add(file, f"地区 {index}", "code", '行政区划代码须写成带引号的6位数字，如 "360900"')
        return None
    unknown_keys(collector, item, REGION_KEYS, file, place)
    parent = item.get("parent")
    if parent is not None and not isinstance(parent, str):
        collector.add(file, place, "parent", "上级代码须写成带引号的6位数字")
        parent = None
    region = RegionDraft(
        file=file,
        code=code,
        name=item.get("name") or "",
        short_name=item.get("short_name") or "",
        slug=item.get("slug") or "",
        level=item.get("level") or "",
        parent_code=parent,
    )
    probe = Region(code=region.code, name=region.name, short_name=region.short_name, slug=region.slug)
    probe.level = region.level
    try:
        probe.clean_fields(exclude=["parent"])
    except ValidationError as exc:
        collector.validation_error(file, place, "", exc)
    versions = item.get("versions")
    if not isinstance(versions, list) or not versions:
        collector.add(file, place, "versions", "至少要有一个版本")
        return region
    previous: dict[str, Any] = {}
    for number, data in enumerate(versions, start=1):
        version_place = f"{place}, 版本 {number}"
        data = mapping(data, collector, file, version_place, "versions")
        if data is None:
            continue
        merged = {key: value for key, value in previous.items() if key not in NOT_CARRIED_OVER}
        merged.update(data)
        merged[QUOTES.key] = _carried_quotes(previous, data)
        previous = merged
        region.versions.append(_version(merged, collector, file, version_place, source_keys))
    _check_version_dates(region, collector, place)
    return region


def _carried_quotes(previous: dict, data: dict) -> dict:
    """A later version keeps the quotes of what it copies, not of what it restates or of the earlier version's
    own dates and title."""
    earlier = previous.get(QUOTES.key)
    kept = {
        key: value
        for key, value in (earlier.items() if isinstance(earlier, dict) else ())
        if _row_key_field(key) not in data and _row_key_field(key) not in NOT_CARRIED_OVER
    }
    given = data.get(QUOTES.key)
    if given is None:
        return kept
    if not isinstance(given, dict):
        return given  # reported by _check_quotes
    return {**kept, **given}


def _check_version_dates(region: RegionDraft, collector, place):
    versions = [draft.version for draft in region.versions]
    for i, first in enumerate(versions):
        for j in range(i + 1, len(versions)):
            second = versions[j]
            if first.overlaps(second):
                collector.add(
                    region.file,
                    place,
                    f"versions[{j}].effective_from",
                    f"与版本 {i + 1}（{first.effective_from or '—'} 至 {first.effective_to or '—'}）的有效期重叠",
                )


def _check_regions(regions: list[RegionDraft], known_codes: set[str], collector):
    by_code: dict[str, RegionDraft] = {}
    slugs: dict[str, str] = {}
    for region in regions:
        place = f"地区 {region.code} {region.name}"
        if region.code in by_code:
            collector.add(region.file, place, "code", f"代码重复（另见 {by_code[region.code].file}）")
        by_code[region.code] = region
        if region.slug in slugs:
            collector.add(region.file, place, "slug", f"网址标识“{region.slug}”已被 {slugs[region.slug]} 使用")
        slugs[region.slug] = region.code
    expected = {RegionLevel.PROVINCE: RegionLevel.NATIONAL, RegionLevel.CITY: RegionLevel.PROVINCE}
    for region in regions:
        place = f"地区 {region.code} {region.name}"
        if region.level == RegionLevel.NATIONAL:
            if region.parent_code:
                collector.add(region.file, place, "parent", "国家层级没有上级")
            continue
        if not region.parent_code:
            collector.add(region.file, place, "parent", "须填写上级地区代码")
            continue
        parent = by_code.get(region.parent_code)
        if parent is None:
            if region.parent_code not in known_codes:
                collector.add(region.file, place, "parent", f"上级地区 {region.parent_code} 不存在")
            continue
        if region.level in expected and parent.level != expected[region.level]:
            collector.add(region.file, place, "parent", f"上级地区 {parent.name} 的层级不对")
        if region.level == RegionLevel.CITY and region.code[:2] != parent.code[:2]:
            collector.add(region.file, place, "code", f"代码不属于上级 {parent.name}")


def read_policy_data(directory: Path = DATA_DIR) -> PolicyData:
    """Parse and validate every file; raise PolicyDataError listing all problems."""
    collector = Collector()
    sources_path = directory / SOURCES_FILE
    sources = read_sources(sources_path, collector) if sources_path.exists() else []
    if not sources_path.exists():
        collector.add(SOURCES_FILE, "", "", "缺少来源文件")
    source_keys = {source.key for source in sources}
    regions = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == SOURCES_FILE:
            continue
        data = read_yaml(path, collector)
        if data is None:
            continue
        unknown_keys(collector, data, {"regions"}, path.name, "")
        items = data.get("regions") or []
        if not isinstance(items, list):
            collector.add(path.name, "", "regions", "应为列表")
            continue
        for index, item in enumerate(items, start=1):
            item = mapping(item, collector, path.name, f"地区 {index}", "regions")
            if item is not None and (region := _region(item, collector, path.name, index, source_keys)):
                regions.append(region)
    known = set(Region.objects.values_list("code", flat=True))
    _check_regions(regions, known, collector)
    if collector.problems:
        raise PolicyDataError(collector.problems)
    regions.sort(key=lambda r: (LEVEL_RANK.get(r.level, 9), r.code))
    return PolicyData(sources=sources, regions=regions)
