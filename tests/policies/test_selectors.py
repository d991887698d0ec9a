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
    assert (ChannelKind.WECHAT, "450800") in by_kind and (ChannelKind.WECHAT, "450000") not in by_kind
    assert (ChannelKind.ONLINE_HALL, "450000") in by_kind
    assert (ChannelKind.NATIONAL_APP, "000000") in by_kind
    assert (ChannelKind.COUNTER, "450800") in by_kind and (ChannelKind.COUNTER, "000000") not in by_kind


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
    assert hengyang.premium_for(2025).amount_yuan == Decimal("400")
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
