"""The rule-field declaration (policies/rule_fields.py) is the one list of what a version states.

The tests walk the declaration and check that the model, the loader, the resolved policy, the snapshot and the
admin cover exactly the declared fields, so that a field added in one place only fails here. The data they load
states every declared field, built from each field's kind (rows from the samples below).
"""

import datetime
import shutil

import pytest
import yaml
from django.contrib import admin
from django.db import models
from django.urls import reverse

from policies.datafile import PolicyDataError
from policies.loading import DATA_DIR, read_policy_data
from policies.models import PolicyRevision, PolicyVersion
from policies.rule_fields import COLUMNS, FIRST_STATED, QUOTED, ROW_FIELDS, VERSION_FIELDS, Inherit, Kind
from policies.selectors import Stated, resolved_policy
from policies.services import draft_snapshot, load_policies, stored_snapshot

pytestmark = pytest.mark.django_db

# PolicyVersion fields that are not stated by a data file: where the version belongs and its bookkeeping.
BOOKKEEPING = {"id", "region", "edited_in_admin_at", "updated_at", "revisions"}
ON = datetime.date(2020, 6, 1)
# One valid row per collection: a collection declared without a sample here fails test_samples_cover_the_rows.
ROW_SAMPLES = {
    "relationships": ["spouse", {"relationship": "child", "allowed_from": datetime.date(2020, 3, 1)}],
    "proof": [{"kind": "household_register", "max_age": 16, "pledge_allowed": True}],
    "channels": [{"kind": "counter", "name": "窗口", "steps": ["取号", "办理"]}],
    "pooling": [
        {"scheme": "employee", "deductible_yuan": 200, "levels": [{"level": "level1", "fund_share_percent": 70}]}
    ],
    "premium_amounts": [{"year": 2020, "amount_yuan": 400}],
}
SAMPLE_BY_KIND = {
    Kind.TEXT: "样例",
    Kind.LONG_TEXT: "样例说明",
    Kind.LINES: ["第一条", "第二条"],
    Kind.NUMBER: 2,
    Kind.FLAG: True,
    Kind.DATE: datetime.date(2020, 1, 1),
    Kind.RELATIONSHIPS: ["spouse", "parent_in_law"],
    Kind.SOURCES: ["sample"],
}


def quote(text="样例原文"):
    return {"source": "sample", "text": text}


def sample(field):
    if field.key == "effective_to":
        return datetime.date(2020, 12, 31)
    if field.kind is Kind.QUOTES:  # every value the sample states is quoted
        return {quoted.key: quote() for quoted in QUOTED}
    if field.kind is Kind.CHOICE:
        return field.model_field.choices[0][0]
    if field.kind is Kind.ROWS:
        return ROW_SAMPLES[field.key]
    return SAMPLE_BY_KIND[field.kind]


def write_data(directory, *versions, extra_regions=()):
    directory.mkdir()
    sources = {"sources": [{"key": "sample", "title": "样例来源"}]}
    (directory / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    national = {"code": "000000", "name": "全国", "short_name": "全国", "slug": "national", "level": "national"}
    regions = {"regions": [{**national, "versions": list(versions)}, *extra_regions]}
    (directory / "000000-national.yaml").write_text(yaml.safe_dump(regions, allow_unicode=True), encoding="utf-8")
    return directory


@pytest.fixture
def every_field(tmp_path):
    """A national version stating every declared field, and a later one stating only its dates and title."""
    later = {
        "effective_from": datetime.date(2021, 1, 1),
        "title": "第二版",
        "quotes": {"effective_from": quote("第二版")},
    }
    province = {
        "code": "110000",
        "name": "北京市",
        "short_name": "北京",
        "slug": "beijing",
        "level": "province",
        "parent": "000000",
        "versions": [{"title": "只写名称的版本"}],
    }
    first = {field.key: sample(field) for field in VERSION_FIELDS}
    return write_data(tmp_path / "data", first, later, extra_regions=[province])


def test_samples_cover_the_rows():
    assert set(ROW_SAMPLES) == {field.key for field in ROW_FIELDS}


def test_every_policy_version_field_is_declared_once_with_its_kind():
    model_fields = {field.name for field in PolicyVersion._meta.get_fields()} - BOOKKEEPING
    declared = [field.name for field in VERSION_FIELDS]
    assert sorted(declared) == sorted(set(declared)) == sorted(model_fields)
    for field in VERSION_FIELDS:
        model_field = field.model_field
        if field.kind is Kind.ROWS:
            assert model_field.related_model is field.rows.model, field.key
        elif field.kind is Kind.SOURCES:
            assert model_field.many_to_many, field.key
        elif field.kind is Kind.LINES:
            assert Kind.of(model_field) is Kind.LONG_TEXT, field.key
        elif field.kind is Kind.QUOTES:
            assert isinstance(model_field, models.JSONField), field.key
        else:
            assert Kind.of(model_field) is field.kind, field.key
        assert field.label, field.key


def test_the_loader_reads_every_declared_field_and_nothing_else(every_field):
    data = read_policy_data(every_field)
    national = data.regions[0]
    first, later = national.versions
    stated = draft_snapshot(first)
    assert list(stated) == [field.key for field in VERSION_FIELDS]
    assert [key for key, value in stated.items() if value in (None, "", [])] == []
    # A later version copies what it does not restate, except the fields that are a version's own.
    carried = draft_snapshot(later)
    # The quotes go with the values: the earlier version's, but for its own date, which the later one restates.
    assert carried["quotes"] == {**stated["quotes"], "effective_from": [quote("第二版")]}
    for field in VERSION_FIELDS:
        if field.kind is Kind.QUOTES:
            continue
        if field.carried_over:
            assert carried[field.key] == stated[field.key], field.key
        else:
            assert carried[field.key] != stated[field.key], field.key

    path = every_field / "000000-national.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["regions"][0]["versions"][1]["not_a_rule"] = 1
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyDataError) as excinfo:
        read_policy_data(every_field)
    assert [str(problem) for problem in excinfo.value.problems] == [
        "000000-national.yaml: 地区 000000 全国, 版本 2: not_a_rule: 未知字段（拼写错误？）"
    ]


def test_what_is_loaded_is_what_the_snapshot_records(every_field):
    load_policies(directory=every_field)
    first = PolicyVersion.objects.get(region__code="000000", effective_from=datetime.date(2020, 1, 1))
    data = read_policy_data(every_field)
    assert stored_snapshot(first) == draft_snapshot(data.regions[0].versions[0])
    history = PolicyRevision.objects.get(version=first).changes
    assert [change["field"] for change in history] == [field.key for field in VERSION_FIELDS]


def test_the_resolved_policy_inherits_exactly_the_declared_rules(every_field):
    load_policies(directory=every_field)
    for code in ("000000", "110000"):  # the province states nothing: every rule comes from the national level
        policy = resolved_policy(code, ON)
        stated = {name for name, value in vars(policy).items() if isinstance(value, Stated)}
        assert stated == {field.name for field in FIRST_STATED}
        for field in FIRST_STATED:
            value = getattr(policy, field.name)
            assert value.is_stated and value.region.code == "000000", (code, field.key)
        for field in VERSION_FIELDS:
            if field.inherit in (Inherit.EVERY, Inherit.BY_KIND):
                assert getattr(policy, field.name), (code, field.key)  # notes, sources, channels add up
            elif field.inherit is Inherit.NO:
                assert not hasattr(policy, field.name), field.key


def test_the_admin_edits_exactly_the_declared_fields(client, superuser, every_field):
    model_admin = admin.site._registry[PolicyVersion]
    heading = {name: label for label, options in model_admin.fieldsets for name in options["fields"]}
    assert set(heading) - BOOKKEEPING == {field.name for field in VERSION_FIELDS if field.section}
    for field in VERSION_FIELDS:
        if field.section:
            assert heading[field.name] == field.section.label, field.key
    inline_models = [inline.model for inline in model_admin.inlines]
    assert inline_models == [field.rows.model for field in ROW_FIELDS] + [PolicyRevision]

    load_policies(directory=every_field)
    version = PolicyVersion.objects.get(region__code="000000", effective_from=datetime.date(2020, 1, 1))
    client.force_login(superuser)
    form = client.get(reverse("admin:policies_policyversion_change", args=[version.pk])).context["adminform"].form
    for field in VERSION_FIELDS:
        if field.section:
            assert str(form.fields[field.name].label) == str(field.label), field.key
    assert {column.name for column in COLUMNS} <= set(form.fields)


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def problems_after(directory, **changes) -> list[str]:
    """The problems reported once 衡阳's first version is changed as given."""
    path = directory / "430000-hunan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(r for r in data["regions"] if r["code"] == "430400")["versions"][0].update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(PolicyDataError) as excinfo:
        read_policy_data(directory)
    return [f"{problem.field}: {problem.message}" for problem in excinfo.value.problems]


@pytest.mark.parametrize(
    "changes,problem",
    [
        # These crashed the loader with a TypeError (a comparison in clean(), or a set of unhashable items).
        ({"total_limit": "x"}, "total_limit: “x”的值应该是一个整型"),
        ({"effective_to": "notadate"}, "effective_to: “notadate”的值有一个错误的日期格式"),
        ({"proof": [{"kind": "household_register", "min_age": "x", "max_age": 5}]}, "proof[0].min_age: “x”"),
        ({"premium_relationships": [["spouse"]]}, "premium_relationships: 应为亲属关系列表"),
        ({"proof": [{"kind": "household_register", "relationships": [{"a": 1}]}]}, "proof[0].relationships: 应为"),
        ({"relationships": [{"relationship": ["spouse"]}]}, "relationships[0].relationship: 应为文字"),
        ({"pooling": [{"scheme": ["employee"]}]}, "pooling[0].scheme: 应为文字"),
        ({"premium_amounts": [{"year": [2025], "amount_yuan": 1}]}, "premium_amounts[0].year: 应为整数"),
        ({"sources": [{"key": "seed-004"}]}, "sources: 应为来源标识列表"),
        # These were stored silently as "['a']", 1 and 5.
        ({"title": ["a"]}, "title: 应为文字"),
        ({"at_once_limit": True}, "at_once_limit: 应为整数"),
        ({"at_once_limit": 5.5}, "at_once_limit: 应为整数"),
    ],
    ids=[
        "total_limit text",
        "effective_to text",
        "min_age text",
        "nested premium relationships",
        "proof relationships of mappings",
        "relationship list",
        "scheme list",
        "year list",
        "source mapping",
        "title list",
        "at_once_limit bool",
        "at_once_limit float",
    ],
)
def test_a_value_of_the_wrong_type_is_named_not_a_crash(data_copy, changes, problem):
    problems = problems_after(data_copy, **changes)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_quoted_dates_still_load(data_copy):
    path = data_copy / "430000-hunan.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("effective_from: 2022-12-31", 'effective_from: "2022-12-31"'), encoding="utf-8")
    hengyang = next(r for r in read_policy_data(data_copy).regions if r.code == "430400")
    assert hengyang.versions[0].version.effective_from == datetime.date(2022, 12, 31)
