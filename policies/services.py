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
from .loading import DATA_DIR, SOURCE_FIELDS, RegionDraft, VersionDraft, read_policy_data
from .models import PolicyRevision, PolicyVersion, Region, Source
from .rule_fields import COLUMNS, ROW_FIELDS, VERSION_FIELDS, Kind, Row, Rows, VersionField

SOURCE_COLUMNS = [name for name in SOURCE_FIELDS if name != "key"]


def _plain(value):
    """A JSON-friendly, comparable form: dates as ISO text, money with two decimals."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _row(obj, names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def _rows_snapshot(spec: Rows, rows: list[Row]) -> list[dict]:
    items = []
    for obj, children in rows:
        item = _row(obj, spec.fields)
        if spec.children is not None:
            item[spec.children_key] = _rows_snapshot(spec.children, [Row(child, []) for child in children])
        items.append(item)
    if spec.sort_by:
        items.sort(key=lambda item: tuple(item[name] for name in spec.sort_by))
    return items


def snapshot(version: PolicyVersion, *, source_keys, rows: dict[str, list[Row]]) -> dict:
    """Everything a version states (rule_fields.VERSION_FIELDS), as plain data: used to compare, and to
    record what changed."""
    data = {}
    for version_field in VERSION_FIELDS:
        if version_field.kind is Kind.SOURCES:
            data[version_field.key] = sorted(source_keys)
        elif version_field.rows is not None:
            data[version_field.key] = _rows_snapshot(version_field.rows, rows[version_field.key])
        else:
            data[version_field.key] = _plain(getattr(version, version_field.name))
    return data


def _stored_rows(rows_field: VersionField, version: PolicyVersion) -> list[Row]:
    spec, stored = rows_field.rows, getattr(version, rows_field.name).all()
    if spec.children is None:
        return [Row(obj, []) for obj in stored]
    stored = stored.prefetch_related(spec.children_key)
    return [Row(obj, list(getattr(obj, spec.children_key).all())) for obj in stored]


def stored_snapshot(version: PolicyVersion) -> dict:
    rows = {rows_field.key: _stored_rows(rows_field, version) for rows_field in ROW_FIELDS}
    return snapshot(version, source_keys=version.sources.values_list("key", flat=True), rows=rows)


def draft_snapshot(draft: VersionDraft) -> dict:
    return snapshot(draft.version, source_keys=draft.source_keys, rows=draft.rows)


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


def _write_rows(version: PolicyVersion, draft: VersionDraft, sources: dict[str, Source]):
    """Replace the version's rule rows with the draft's: a collection is stated as a whole."""
    for rows_field in ROW_FIELDS:
        spec = rows_field.rows
        getattr(version, rows_field.name).all().delete()
        rows = draft.rows[rows_field.key]
        for obj, _children in rows:
            obj.pk = None
            setattr(obj, spec.parent, version)
            if getattr(obj, "source_key", None):
                obj.source = sources[obj.source_key]  # a row with its own source column (PremiumAmount)
        if spec.children is None:
            spec.model.objects.bulk_create([obj for obj, _children in rows])
            continue
        children = []
        for obj, row_children in rows:
            obj.save()  # the rows below need its key
            for child in row_children:
                child.pk = None
                setattr(child, spec.children.parent, obj)
                children.append(child)
        spec.children.model.objects.bulk_create(children)


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
        elif _row(existing, SOURCE_COLUMNS) != _row(source, SOURCE_COLUMNS):
            for name in SOURCE_COLUMNS:
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
        for column in COLUMNS:
            setattr(version, column.name, getattr(draft.version, column.name))
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
    _write_rows(version, draft, sources)
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
