import datetime
from decimal import Decimal

import pytest

from policies.choices import ChannelKind, InstitutionLevel
from policies.selectors import resolved_policies, resolved_policy

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 6, 1)


def test_a_city_inherits_what_it_does_not_state(policies):
    policy = resolved_policy("510500", ON)  # 泸州
    assert [r.code for r in policy.chain] == ["510500", "510000", "000000"]
    assert policy.relationship_rules.region.code == "000000"
    assert policy.review_mode.value == "clerk" and policy.review_mode.region.code == "510000"
    assert policy.at_once_limit.value is None and not policy.at_once_limit.is_stated
    assert policy.pooling_rules.region.code == "510500"


def test_channels_add_up_by_kind(policies):
    policy = resolved_policy("450800", ON)  # 贵港
    by_kind = {(c.kind, c.version.region.code) for c in policy.channels}
    # seed 003 names both WeChat accounts: the city's does not hide the province's
    wechat = [c.name for c in policy.channels if c.kind == ChannelKind.WECHAT]
    assert wechat == ["“贵港市医疗保障局”微信公众号", "“广西医保”微信公众号"]
    assert (ChannelKind.ONLINE_HALL, "450000") in by_kind
    assert (ChannelKind.NATIONAL_APP, "000000") in by_kind
    assert (ChannelKind.COUNTER, "450800") in by_kind
    # a level's channel hides only the same channel (kind and name) above it
    (national_app,) = [c for c in policy.channels if c.kind == ChannelKind.NATIONAL_APP]
    national_app.pk = None
    national_app.version = policy.versions[0]  # 贵港 restates the national app
    national_app.save()
    policy = resolved_policies(["450800"], datetime.date(2025, 6, 2))["450800"]
    apps = [(c.name, c.version.region.code) for c in policy.channels if c.kind == ChannelKind.NATIONAL_APP]
    assert apps == [("国家医保服务平台APP", "450800")]


def test_sichuan_lists_the_apps_its_source_names(policies):
    names = [c.name for c in resolved_policy("510400", ON).channels]
    assert "四川医保APP" in names  # seed 002: 通过国家医保APP、四川医保APP等上传相关佐证材料
    (national,) = [c for c in resolved_policy("510400", ON).channels if c.kind == ChannelKind.NATIONAL_APP]
    assert national.entry == "亲情账户"  # seeds 002 and 003: bind in the national app's 亲情账户


def test_pooling_for_retirees_and_flexible_workers(policies):
    yichun = resolved_policy("360900", ON)
    employed = yichun.pooling_for("employee", "employed")
    retired = yichun.pooling_for("employee", "retired")
    assert employed.deductible_yuan == Decimal("600") and employed.yearly_cap_yuan == Decimal("1800")
    assert [employed.fund_share_percent(level) for level in ("level1", "level2", "level3")] == [60, 55, 50]
    assert [retired.fund_share_percent(level) for level in ("level1", "level2", "level3")] == [65, 60, 55]
    assert retired.yearly_cap_yuan == Decimal("2000") and retired.retiree_adjusted

    panzhihua = resolved_policy("510400", ON)
    assert panzhihua.pooling_for("employee", "retired").deductible_yuan == Decimal("150")
    flexible = panzhihua.pooling_for("employee", "flexible")
    assert flexible.deductible_yuan == Decimal("200") and flexible.fund_share_percent(InstitutionLevel.PHARMACY) == 50

    luzhou = resolved_policy("510500", ON).pooling_for("employee", "retired")
    assert luzhou.fund_share_percent("level3") == 60 and luzhou.yearly_cap_yuan is None

    hengyang = resolved_policy("430400", ON).pooling_for("employee", "employed")
    assert hengyang.levels["level2"].deductible_yuan == Decimal("200")
    assert hengyang.deductible_yearly_max_yuan == Decimal("300")

    guigang = resolved_policy("450800", ON)
    assert guigang.pooling_for("employee", "employed") is None
    assert guigang.pooling_for("resident").levels["village_clinic"].per_day_cap_yuan == Decimal("70")


def test_premium_scope_and_amounts(policies):
    hengyang = resolved_policy("430400", ON)
    premium = hengyang.premium_for(2025)
    assert premium.amount_yuan == Decimal("400")
    # seed 002 (湖南 2025): 400 元 within the period; after 12月31日 400 plus 670 元
    assert premium.due_on == datetime.date(2024, 12, 31) and premium.late_extra_yuan == Decimal("670")
    assert premium.source.key == "seed-002-hunan-premium" and "财政补助标准(670元)" in premium.quote
    assert hengyang.premium_for(2026) is None
    guigang = resolved_policy("450800", datetime.date(2024, 8, 1))
    assert guigang.premium_relationships.value == ["spouse", "child", "parent", "parent_in_law"]
    assert guigang.premium_scope.value == "same_province"


def test_before_any_city_version_the_province_applies(policies):
    policy = resolved_policy("360900", datetime.date(2022, 6, 1))  # 宜春's version starts 2023-01-01
    assert [v.region.code for v in policy.versions] == ["360000", "000000"]
    assert policy.pooling_rules.value is None


def test_many_cities_in_a_fixed_number_of_queries(policies, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        result = resolved_policies(["360900", "510400", "510500", "450800", "430400", "430300"], ON)
        for policy in result.values():
            list(policy.channels), policy.sources, policy.pooling_for("employee", "retired")
