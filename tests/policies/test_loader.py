import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from policies.loading import DATA_DIR
from policies.models import PolicyRevision, PolicyVersion, Region, RelationshipRule, Source
from policies.services import load_policies

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("load_policies", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_loads_every_region_with_codes_and_slugs(policies):
    regions = {r.code: (r.name, r.slug, r.level, r.parent.code if r.parent else None) for r in Region.objects.all()}
    assert regions == {
        "000000": ("全国", "national", "national", None),
        "360000": ("江西省", "jiangxi", "province", "000000"),
        "360900": ("宜春市", "yichun", "city", "360000"),
        "510000": ("四川省", "sichuan", "province", "000000"),
        "510400": ("攀枝花市", "panzhihua", "city", "510000"),
        "510500": ("泸州市", "luzhou", "city", "510000"),
        "450000": ("广西壮族自治区", "guangxi", "province", "000000"),
        "450800": ("贵港市", "guigang", "city", "450000"),
        "430000": ("湖南省", "hunan", "province", "000000"),
        "430400": ("衡阳市", "hengyang", "city", "430000"),
        "430300": ("湘潭市", "xiangtan", "city", "430000"),
    }
    assert PolicyVersion.objects.filter(region__code="450000").count() == 2
    assert PolicyVersion.objects.filter(region__code="000000").count() == 2
    assert Source.objects.filter(key="gbf-2024-38", document_number="国办发〔2024〕38号").exists()


def test_loading_twice_changes_nothing(policies):
    revisions = PolicyRevision.objects.count()
    rows = RelationshipRule.objects.count()
    out, _ = run()
    assert "0 created, 0 updated, 13 unchanged, 0 deleted" in out
    assert PolicyRevision.objects.count() == revisions
    assert RelationshipRule.objects.count() == rows


def test_a_later_version_carries_over_what_it_does_not_restate(policies):
    before, after = PolicyVersion.objects.filter(region__code="450000")  # Meta.ordering: NULL start first
    assert after.effective_from.isoformat() == "2024-09-01"
    assert before.effective_to.isoformat() == "2024-08-31"
    assert after.spend_scope == before.spend_scope == "province"
    assert after.channels.count() == before.channels.count() > 0
    assert after.relationship_rules.count() == 8 and before.relationship_rules.count() == 3


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def region(data, code):
    return next(r for r in data["regions"] if r["code"] == code)


def load_error(directory) -> str:
    with pytest.raises(CommandError) as excinfo:
        run("--dir", str(directory))
    return str(excinfo.value)


def test_unknown_relationship_names_file_region_and_field(no_policies, data_copy):
    edit(
        data_copy / "510000-sichuan.yaml",
        lambda d: region(d, "510400")["versions"][0]["relationships"].append("cousin"),
    )
    message = load_error(data_copy)
    assert "510000-sichuan.yaml: 地区 510400 攀枝花市, 版本 1: relationships[3].relationship" in message
    assert "cousin" in message
    assert not Region.objects.exists()  # nothing half-loaded


def test_negative_limit_is_refused(db, data_copy):
    edit(data_copy / "430000-hunan.yaml", lambda d: region(d, "430400")["versions"][0].update(at_once_limit=-1))
    message = load_error(data_copy)
    assert "430000-hunan.yaml: 地区 430400 衡阳市, 版本 1: at_once_limit" in message


def test_total_below_at_once_is_refused(db, data_copy):
    edit(data_copy / "430000-hunan.yaml", lambda d: region(d, "430300")["versions"][0].update(total_limit=5))
    message = load_error(data_copy)
    assert "地区 430300 湘潭市, 版本 1: total_limit: 累计绑定上限（5）不能小于同时绑定上限（10）" in message


def test_overlapping_versions_are_refused(db, data_copy):
    edit(data_copy / "450000-guangxi.yaml", lambda d: region(d, "450000")["versions"][0].update(effective_to=None))
    message = load_error(data_copy)
    assert "450000-guangxi.yaml: 地区 450000 广西壮族自治区: versions[1].effective_from: 与版本 1" in message


def test_dates_out_of_order_are_refused(db, data_copy):
    def change(d):
        region(d, "000000")["versions"][0]["effective_to"] = "2020-01-01"

    edit(data_copy / "000000-national.yaml", change)
    assert "地区 000000 全国, 版本 1: effective_to: 失效日期早于生效日期" in load_error(data_copy)


def test_typos_unquoted_codes_and_unknown_sources_are_named(db, data_copy):
    def change(d):
        city = region(d, "360900")
        city["versions"][0]["at_once_limt"] = 3
        city["versions"][0]["sources"] = ["seed-999"]
        region(d, "360000")["code"] = 360000

    edit(data_copy / "360000-jiangxi.yaml", change)
    message = load_error(data_copy)
    assert "地区 360900 宜春市, 版本 1: at_once_limt: 未知字段" in message
    assert "sources: 未知的来源“seed-999”" in message
    assert "360000-jiangxi.yaml: 地区 1: code: 行政区划代码须写成带引号的6位数字" in message


def test_admin_edits_survive_a_reload_unless_overwritten(policies):
    version = PolicyVersion.objects.get(region__code="510400")
    version.at_once_limit = 6
    version.edited_in_admin_at = version.updated_at
    version.save()
    report = load_policies()
    assert any("管理后台修改过" in warning for warning in report.warnings)
    version.refresh_from_db()
    assert version.at_once_limit == 6
    load_policies(overwrite=True)
    version.refresh_from_db()
    assert version.at_once_limit == 5 and version.edited_in_admin_at is None
    revision = PolicyRevision.objects.filter(version=version).first()
    assert {"field": "at_once_limit", "before": 6, "after": 5} in revision.changes


def test_versions_removed_from_the_file_are_removed(policies, data_copy):
    edit(data_copy / "450000-guangxi.yaml", lambda d: region(d, "450000")["versions"].pop(0))
    report = load_policies(directory=data_copy)
    assert report.deleted == ["广西壮族自治区 广西个账共济（扩围前）"]
    assert PolicyVersion.objects.filter(region__code="450000").count() == 1
