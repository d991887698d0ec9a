"""Read policies/data/*.yaml, validate every row with the models' own rules, and build unsaved rows.

Nothing is written here: services.load_policies() applies what this module returns. A problem is
reported with the file, the region and the field (e.g. ``430300-xiangtan.yaml: 地区 430300 湘潭市,
版本 1: at_once_limit: 确保该值大于或等于1``), and every problem in the data is reported at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError

from .choices import RegionLevel
from .models import (
    Channel,
    PolicyVersion,
    PoolingLevel,
    PoolingRule,
    PremiumAmount,
    ProofRule,
    Region,
    RelationshipRule,
    Source,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCES_FILE = "sources.yaml"

# Keys a version may give, besides the collections below. They are PolicyVersion's field names.
VERSION_FIELDS = [
    "effective_from",
    "effective_from_note",
    "effective_to",
    "title",
    "summary",
    "service_name",
    "at_once_limit",
    "total_limit",
    "pair_scope",
    "spend_scope",
    "rebind_wait_days",
    "review_mode",
    "review_working_days",
    "dates_mode",
    "notice_text",
    "premium_allowed",
    "premium_relationships",
    "premium_scheme",
    "premium_scope",
]
COLLECTIONS = ["sources", "notes", "relationships", "proof", "channels", "pooling", "premium_amounts"]
# A later version copies these from the previous one unless it gives them; its dates and title are its own.
NOT_CARRIED_OVER = {"effective_from", "effective_from_note", "effective_to", "title", "summary", "sources"}
REGION_KEYS = {"code", "name", "short_name", "slug", "level", "parent", "versions"}
SOURCE_KEYS = {"key", "title", "publisher", "document_number", "url", "published_on", "date_note", "notes"}
RELATIONSHIP_KEYS = {"relationship", "allowed_from", "allowed_from_precision", "note"}
PROOF_KEYS = {"kind", "relationships", "min_age", "max_age", "upload_required", "pledge_allowed", "note"}
CHANNEL_KEYS = {"kind", "name", "url", "entry", "steps", "materials", "note"}
POOLING_KEYS = {
    "scheme",
    "category",
    "deductible_yuan",
    "deductible_yearly_max_yuan",
    "yearly_cap_yuan",
    "retiree_share_bonus_points",
    "retiree_yearly_cap_yuan",
    "note",
    "levels",
}
LEVEL_KEYS = {"level", "fund_share_percent", "deductible_yuan", "per_day_cap_yuan"}
PREMIUM_KEYS = {"year", "amount_yuan", "note"}
LEVEL_RANK = {RegionLevel.NATIONAL: 0, RegionLevel.PROVINCE: 1, RegionLevel.CITY: 2}


@dataclass(frozen=True)
class Problem:
    file: str
    place: str
    field: str
    message: str

    def __str__(self):
        where = f"{self.file}: {self.place}" if self.place else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PolicyDataError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class VersionDraft:
    version: PolicyVersion
    source_keys: list[str] = field(default_factory=list)
    relationships: list[RelationshipRule] = field(default_factory=list)
    proof: list[ProofRule] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    pooling: list[tuple[PoolingRule, list[PoolingLevel]]] = field(default_factory=list)
    premium_amounts: list[PremiumAmount] = field(default_factory=list)


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


class _Collector:
    """Gathers problems so that one run reports all of them."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, file, place, field_name, message):
        self.problems.append(Problem(file, place, field_name, str(message)))

    def validation_error(self, file, place, prefix, exc: ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                label = f"{prefix}{name}" if name != "__all__" else prefix.rstrip(".") or "—"
                for message in errors:
                    self.add(file, place, label, message)
        else:
            for message in exc.messages:
                self.add(file, place, prefix.rstrip(".") or "—", message)

    def clean(self, obj, file, place, prefix, exclude=()):
        try:
            obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self.validation_error(file, place, prefix, exc)
            return False
        return True


def _unknown_keys(collector, data: dict, allowed: set, file, place, prefix=""):
    for key in data:
        if key not in allowed:
            collector.add(file, place, f"{prefix}{key}", "未知字段（拼写错误？）")


def _read_yaml(path: Path, collector: _Collector) -> dict | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        collector.add(path.name, "", "", f"YAML 格式错误：{exc}")
        return None
    if not isinstance(data, dict):
        collector.add(path.name, "", "", "文件应为映射（mapping），顶层为 sources: 或 regions:")
        return None
    return data


def _lines(value, collector, file, place, name) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "\n".join(item.strip() for item in value)
    collector.add(file, place, name, "应为文字或文字列表")
    return ""


def _mapping(item, collector, file, place, name) -> dict | None:
    if isinstance(item, dict):
        return item
    collector.add(file, place, name, "应为映射（key: value）")
    return None


def _entries(items, collector, file, place, name: str, keys: set, *, coerce=None):
    """Yield (index, prefix, mapping) for each well-formed entry of a list field; report everything else."""
    if not isinstance(items, list):
        collector.add(file, place, name, "应为列表")
        return
    for index, item in enumerate(items):
        prefix = f"{name}[{index}]."
        if coerce is not None:
            item = coerce(item)
        item = _mapping(item, collector, file, place, prefix.rstrip("."))
        if item is None:
            continue
        _unknown_keys(collector, item, keys, file, place, prefix)
        yield index, prefix, item


def read_sources(path: Path, collector: _Collector) -> list[Source]:
    data = _read_yaml(path, collector)
    if data is None:
        return []
    sources, seen = [], set()
    for index, item in enumerate(data.get("sources") or [], start=1):
        place = f"来源 {index}"
        item = _mapping(item, collector, path.name, place, "sources")
        if item is None:
            continue
        _unknown_keys(collector, item, SOURCE_KEYS, path.name, place)
        values = {key: item.get(key) for key in SOURCE_KEYS if key in item}
        values = {key: ("" if value is None and key != "published_on" else value) for key, value in values.items()}
        source = Source(**values)
        place = f"来源 {source.key or index}"
        collector.clean(source, path.name, place, "")
        if source.key in seen:
            collector.add(path.name, place, "key", "来源标识重复")
        seen.add(source.key)
        sources.append(source)
    return sources


def _relationship_shorthand(item):
    """`- spouse` in a data file means `- {relationship: spouse}`."""
    return {"relationship": item} if isinstance(item, str) else item


def _relationship_rules(items, collector, file, place) -> list[RelationshipRule]:
    rules, seen = [], set()
    for _index, prefix, item in _entries(
        items, collector, file, place, "relationships", RELATIONSHIP_KEYS, coerce=_relationship_shorthand
    ):
        rule = RelationshipRule(
            relationship=item.get("relationship") or "",
            allowed_from=item.get("allowed_from"),
            allowed_from_precision=item.get("allowed_from_precision") or "day",
            note=item.get("note") or "",
        )
        collector.clean(rule, file, place, prefix, exclude=["version"])
        if rule.relationship in seen:
            collector.add(file, place, f"{prefix}relationship", f"亲属关系“{rule.relationship}”重复")
        seen.add(rule.relationship)
        rules.append(rule)
    return rules


def _proof_rules(items, collector, file, place) -> list[ProofRule]:
    rules = []
    for index, prefix, item in _entries(items, collector, file, place, "proof", PROOF_KEYS):
        rule = ProofRule(
            order=index,
            kind=item.get("kind") or "",
            relationships=item.get("relationships") or [],
            min_age=item.get("min_age"),
            max_age=item.get("max_age"),
            upload_required=item.get("upload_required", True),
            pledge_allowed=item.get("pledge_allowed", False),
            note=item.get("note") or "",
        )
        collector.clean(rule, file, place, prefix, exclude=["version"])
        rules.append(rule)
    return rules


def _channels(items, collector, file, place) -> list[Channel]:
    channels = []
    for index, prefix, item in _entries(items, collector, file, place, "channels", CHANNEL_KEYS):
        channel = Channel(
            order=index,
            kind=item.get("kind") or "",
            name=item.get("name") or "",
            url=item.get("url") or "",
            entry=item.get("entry") or "",
            steps=_lines(item.get("steps"), collector, file, place, f"{prefix}steps"),
            materials=_lines(item.get("materials"), collector, file, place, f"{prefix}materials"),
            note=item.get("note") or "",
        )
        collector.clean(channel, file, place, prefix, exclude=["version"])
        channels.append(channel)
    return channels


def _pooling(items, collector, file, place) -> list[tuple[PoolingRule, list[PoolingLevel]]]:
    result, seen = [], set()
    for _index, prefix, item in _entries(items, collector, file, place, "pooling", POOLING_KEYS):
        values = {key: item.get(key) for key in POOLING_KEYS - {"levels"}}
        values["category"] = values["category"] or ""
        values["note"] = values["note"] or ""
        values["scheme"] = values["scheme"] or ""
        rule = PoolingRule(**values)
        collector.clean(rule, file, place, prefix, exclude=["version"])
        if (rule.scheme, rule.category) in seen:
            collector.add(file, place, f"{prefix}category", "同一险种和人员类别的门诊统筹规则重复")
        seen.add((rule.scheme, rule.category))
        levels, seen_levels = [], set()
        level_items = item.get("levels") or []
        for _level_index, level_prefix, level_item in _entries(
            level_items, collector, file, place, f"{prefix}levels", LEVEL_KEYS
        ):
            level = PoolingLevel(**{key: level_item.get(key) for key in LEVEL_KEYS})
            level.level = level.level or ""
            collector.clean(level, file, place, level_prefix, exclude=["rule"])
            if level.level in seen_levels:
                collector.add(file, place, f"{level_prefix}level", f"机构类别“{level.level}”重复")
            seen_levels.add(level.level)
            levels.append(level)
        result.append((rule, levels))
    return result


def _premium_amounts(items, collector, file, place) -> list[PremiumAmount]:
    amounts, seen = [], set()
    for _index, prefix, item in _entries(items, collector, file, place, "premium_amounts", PREMIUM_KEYS):
        amount = PremiumAmount(year=item.get("year"), amount_yuan=item.get("amount_yuan"), note=item.get("note") or "")
        collector.clean(amount, file, place, prefix, exclude=["version"])
        if amount.year in seen:
            collector.add(file, place, f"{prefix}year", f"{amount.year}年度重复")
        seen.add(amount.year)
        amounts.append(amount)
    return amounts


def _version(data: dict, collector, file, place, source_keys: set[str]) -> VersionDraft:
    _unknown_keys(collector, data, set(VERSION_FIELDS) | set(COLLECTIONS), file, place)
    values = {}
    for name in VERSION_FIELDS:
        value = data.get(name)
        model_field = PolicyVersion._meta.get_field(name)
        if value is None and not model_field.null:
            value = ""
        if isinstance(value, str) and model_field.get_internal_type() == "TextField":
            value = value.strip()
        values[name] = value
    values["notes"] = _lines(data.get("notes"), collector, file, place, "notes")
    version = PolicyVersion(**values)
    collector.clean(version, file, place, "", exclude=["region"])
    draft = VersionDraft(version=version)
    keys = data.get("sources") or []
    if not isinstance(keys, list):
        collector.add(file, place, "sources", "应为来源标识列表")
        keys = []
    for key in keys:
        if key not in source_keys:
            collector.add(file, place, "sources", f"未知的来源“{key}”（见 {SOURCES_FILE}）")
    draft.source_keys = list(keys)
    if "relationships" in data:
        draft.relationships = _relationship_rules(data["relationships"], collector, file, place)
    if "proof" in data:
        draft.proof = _proof_rules(data["proof"], collector, file, place)
    if "channels" in data:
        draft.channels = _channels(data["channels"], collector, file, place)
    if "pooling" in data:
        draft.pooling = _pooling(data["pooling"], collector, file, place)
    if "premium_amounts" in data:
        draft.premium_amounts = _premium_amounts(data["premium_amounts"], collector, file, place)
    return draft


def _region(item: dict, collector, file, index, source_keys) -> RegionDraft | None:
    code = item.get("code")
    place = f"地区 {code} {item.get('name', '')}".strip()
    if not isinstance(code, str):
        collector.add(file, f"地区 {index}", "code", '行政区划代码须写成带引号的6位数字，如 "360900"')
        return None
    _unknown_keys(collector, item, REGION_KEYS, file, place)
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
        data = _mapping(data, collector, file, version_place, "versions")
        if data is None:
            continue
        merged = {key: value for key, value in previous.items() if key not in NOT_CARRIED_OVER}
        merged.update(data)
        previous = merged
        region.versions.append(_version(merged, collector, file, version_place, source_keys))
    _check_version_dates(region, collector, place)
    return region


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
    collector = _Collector()
    sources_path = directory / SOURCES_FILE
    sources = read_sources(sources_path, collector) if sources_path.exists() else []
    if not sources_path.exists():
        collector.add(SOURCES_FILE, "", "", "缺少来源文件")
    source_keys = {source.key for source in sources}
    regions = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == SOURCES_FILE:
            continue
        data = _read_yaml(path, collector)
        if data is None:
            continue
        _unknown_keys(collector, data, {"regions"}, path.name, "")
        items = data.get("regions") or []
        if not isinstance(items, list):
            collector.add(path.name, "", "regions", "应为列表")
            continue
        for index, item in enumerate(items, start=1):
            item = _mapping(item, collector, path.name, f"地区 {index}", "regions")
            if item is not None and (region := _region(item, collector, path.name, index, source_keys)):
                regions.append(region)
    known = set(Region.objects.values_list("code", flat=True))
    _check_regions(regions, known, collector)
    if collector.problems:
        raise PolicyDataError(collector.problems)
    regions.sort(key=lambda r: (LEVEL_RANK.get(r.level, 9), r.code))
    return PolicyData(sources=sources, regions=regions)


def iso(value) -> str | None:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
