"""Writes to policy data: the file loader and the admin's edit history. Both go through here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .cache import policies_changed
from .choices import RevisionVia
from .loading import DATA_DIR, VERSION_FIELDS, RegionDraft, VersionDraft, read_policy_data
from .models import (
    Channel,
    PolicyRevision,
    PolicyVersion,
    PoolingLevel,
    PremiumAmount,
    ProofRule,
    Region,
    RelationshipRule,
    Source,
)

SCALAR_FIELDS = [*VERSION_FIELDS, "notes"]
SOURCE_FIELDS = ["title", "publisher", "document_number", "url", "published_on", "date_note", "notes"]
REGION_FIELDS = ["name", "short_name", "slug", "level"]


def _plain(value):
    """A JSON-friendly, comparable form: dates as ISO text, money with two decimals."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _row(obj, names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def snapshot(
    version: PolicyVersion,
    *,
    source_keys,
    relationships,
    proof,
    channels,
    pooling,
    premium_amounts,
) -> dict:
    """Everything a version states, as plain data: used to compare, and to record what changed."""
    data = {name: _plain(getattr(version, name)) for name in SCALAR_FIELDS}
    data["sources"] = sorted(source_keys)
    data["relationships"] = [
        _row(r, ["relationship", "allowed_from", "allowed_from_precision", "note"]) for r in relationships
    ]
    data["proof"] = [
        _row(p, ["kind", "relationships", "min_age", "max_age", "upload_required", "pledge_allowed", "note"])
        for p in proof
    ]
    data["channels"] = [_row(c, ["kind", "name", "url", "entry", "steps", "materials", "note"]) for c in channels]
    data["pooling"] = sorted(
        (
            {
                **_row(
                    rule,
                    [
                        "scheme",
                        "category",
                        "deductible_yuan",
                        "deductible_yearly_max_yuan",
                        "yearly_cap_yuan",
                        "retiree_share_bonus_points",
                        "retiree_yearly_cap_yuan",
                        "note",
                    ],
                ),
                "levels": [
                    _row(level, ["level", "fund_share_percent", "deductible_yuan", "per_day_cap_yuan"])
                    for level in levels
                ],
            }
            for rule, levels in pooling
        ),
        key=lambda item: (item["scheme"], item["category"]),
    )
    data["premium_amounts"] = sorted(
        (_row(a, ["year", "amount_yuan", "note"]) for a in premium_amounts), key=lambda item: item["year"]
    )
    return data


def stored_snapshot(version: PolicyVersion) -> dict:
    return snapshot(
        version,
        source_keys=version.sources.values_list("key", flat=True),
        relationships=version.relationship_rules.all(),
        proof=version.proof_rules.all(),
        channels=version.channels.all(),
        pooling=[(rule, list(rule.levels.all())) for rule in version.pooling_rules.prefetch_related("levels")],
        premium_amounts=version.premium_amounts.all(),
    )


def draft_snapshot(draft: VersionDraft) -> dict:
    return snapshot(
        draft.version,
        source_keys=draft.source_keys,
        relationships=draft.relationships,
        proof=draft.proof,
        channels=draft.channels,
        pooling=draft.pooling,
        premium_amounts=draft.premium_amounts,
    )


def diff_snapshots(before: dict, after: dict) -> list[dict]:
    names = list(dict.fromkeys([*before, *after]))
    return [
        {"field": name, "before": before.get(name), "after": after.get(name)}
        for name in names
        if before.get(name) != after.get(name)
    ]


def _record(*, version, via, before, after, actor=None) -> PolicyRevision | None:
    changes = diff_snapshots(before, after)
    if not changes:
        return None
    return PolicyRevision.objects.create(
        version=version,
        region=version.region,
        version_label=f"{version.region.name} {version.title}",
        via=via,
        changed_by=actor,
        changes=changes,
    )


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _write_children(version: PolicyVersion, draft: VersionDraft):
    for collection in (
        version.relationship_rules,
        version.proof_rules,
        version.channels,
        version.pooling_rules,
        version.premium_amounts,
    ):
        collection.all().delete()
    for model, rows in (
        (RelationshipRule, draft.relationships),
        (ProofRule, draft.proof),
        (Channel, draft.channels),
        (PremiumAmount, draft.premium_amounts),
    ):
        for row in rows:
            row.pk = None
            row.version = version
        model.objects.bulk_create(rows)
    levels = []
    for rule, rule_levels in draft.pooling:
        rule.pk = None
        rule.version = version
        rule.save()
        for level in rule_levels:
            level.pk = None
            level.rule = rule
            levels.append(level)
    PoolingLevel.objects.bulk_create(levels)


def _apply_region(draft: RegionDraft, regions: dict[str, Region]) -> Region:
    region = regions.get(draft.code)
    parent = regions.get(draft.parent_code) if draft.parent_code else None
    if parent is None and draft.parent_code:
        parent = Region.objects.get(code=draft.parent_code)
    wanted = {"name": draft.name, "short_name": draft.short_name, "slug": draft.slug, "level": draft.level}
    if region is None:
        region = Region.objects.create(code=draft.code, parent=parent, **wanted)
    elif any(getattr(region, k) != v for k, v in wanted.items()) or region.parent_id != (parent and parent.pk):
        for name, value in wanted.items():
            setattr(region, name, value)
        region.parent = parent
        region.save()
    regions[draft.code] = region
    return region


@transaction.atomic
def load_policies(*, directory: Path = DATA_DIR, overwrite: bool = False) -> LoadReport:
    """Make the database say what the data files say. Running it twice changes nothing the second time.

    A version edited in admin since it was loaded is left alone (with a warning) unless overwrite is set,
    so that `make seed` never silently undoes a clerk's correction.
    """
    data = read_policy_data(directory)
    report = LoadReport()

    stored_sources = {source.key: source for source in Source.objects.all()}
    sources = {}
    for source in data.sources:
        existing = stored_sources.get(source.key)
        if existing is None:
            source.save()
            existing = source
        elif _row(existing, SOURCE_FIELDS) != _row(source, SOURCE_FIELDS):
            for name in SOURCE_FIELDS:
                setattr(existing, name, getattr(source, name))
            existing.save()
        sources[source.key] = existing

    regions = {region.code: region for region in Region.objects.all()}
    for draft in data.regions:
        _apply_region(draft, regions)

    for draft in data.regions:
        region = regions[draft.code]
        stored = {version.effective_from: version for version in region.versions.all()}
        wanted = {version_draft.version.effective_from for version_draft in draft.versions}
        for start, version in stored.items():
            if start in wanted:
                continue
            if version.edited_in_admin_at and not overwrite:
                report.warnings.append(f"{region.name}「{version.title}」不在数据文件中，但在管理后台修改过，已保留。")
                continue
            report.deleted.append(f"{region.name} {version.title}")
            version.delete()
        for version_draft in draft.versions:
            _apply_version(
                region, version_draft, stored.get(version_draft.version.effective_from), sources, report, overwrite
            )
    policies_changed()
    return report


def _apply_version(region, draft: VersionDraft, existing, sources, report: LoadReport, overwrite: bool):
    label = f"{region.name} {draft.version.title}"
    after = draft_snapshot(draft)
    if existing is not None:
        before = stored_snapshot(existing)
        if before == after:
            report.unchanged.append(label)
            return
        if existing.edited_in_admin_at and not overwrite:
            report.warnings.append(f"{label}：在管理后台修改过，未用数据文件覆盖（加 --overwrite 可覆盖）。")
            return
        version = existing
        for name in SCALAR_FIELDS:
            setattr(version, name, getattr(draft.version, name))
        version.edited_in_admin_at = None
        version.save()
        report.updated.append(label)
    else:
        before = {}
        version = draft.version
        version.pk = None
        version.region = region
        version.save()
        report.created.append(label)
    version.sources.set([sources[key] for key in draft.source_keys])
    _write_children(version, draft)
    _record(version=version, via=RevisionVia.LOADER, before=before, after=after)


def policy_version_record_edit(*, version: PolicyVersion, before: dict, actor) -> PolicyRevision | None:
    """Called by the admin after a version and its rows were saved: keeps the history and marks the edit."""
    after = stored_snapshot(version)
    policies_changed()
    revision = _record(version=version, via=RevisionVia.ADMIN, before=before, after=after, actor=actor)
    if revision is not None:
        version.edited_in_admin_at = timezone.now()
        version.save(update_fields=["edited_in_admin_at"])
    return revision
