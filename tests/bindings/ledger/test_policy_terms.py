"""The terms the simulator reads from the real policy data are the ones the plain-number tests use."""

import datetime

import pytest

from bindings.ledger.selectors import pooling_terms, spend_scope
from tests.factories import InsuredPersonFactory

from . import test_settlement as plain

ON = datetime.date(2025, 6, 1)


def _person(district, **kwargs):
    return InsuredPersonFactory(district=district, **kwargs)


@pytest.mark.parametrize(
    "district, kwargs, table",
    [
        ("360902", {}, plain.YICHUN),
        ("360902", {"retired": True}, plain.YICHUN_RETIRED),
        ("510402", {}, plain.PZH),
        ("510402", {"flexible": True}, plain.PZH),  # flexibly employed: the employed rule
        ("510402", {"retired": True}, plain.PZH_RETIRED),
        ("430405", {}, plain.HY),
        ("510502", {}, plain.LZ),
        ("510502", {"retired": True}, plain.LZ_RETIRED),
        ("450802", {"resident": True}, plain.GG_STATED),  # seed 003 states no 起付线
    ],
)
def test_terms_from_the_data_match_the_worked_examples(policies, district, kwargs, table):
    person = _person(district, **kwargs)
    for level, expected in table.items():
        got = pooling_terms(person, level, ON)
        fields = ("share_percent", "deductible_fen", "deductible_yearly_max_fen", "yearly_cap_fen", "per_day_cap_fen")
        assert {f: getattr(got, f) for f in fields} == {f: getattr(expected, f) for f in fields}, level
        assert got.retiree_bonus_points == expected.retiree_bonus_points, level


def test_retirees_in_hengyang_use_the_general_rule(policies):
    retired = pooling_terms(_person("430405", retired=True), "level2", ON)
    assert retired.share_percent == 60 and retired.retiree_bonus_points is None


def test_a_level_the_region_does_not_list_is_unstated(policies):
    assert pooling_terms(_person("360902"), "pharmacy", ON).share_percent is None  # 宜春 lists levels 1-3 only
    assert not pooling_terms(_person("360902", resident=True), "level1", ON).stated  # no 居民医保 terms in 宜春


def test_spend_scopes_from_the_data(policies):
    assert spend_scope(_person("360902"), ON).value == "province"  # 江西
    assert spend_scope(_person("510402"), ON).value == "nationwide_with_filing"  # 攀枝花
    assert spend_scope(_person("430405"), ON).value == "province"  # 衡阳
    assert spend_scope(_person("450802"), ON).value == "province"  # 广西
    luzhou = spend_scope(_person("510502"), ON)  # 四川 and 泸州 state none: the cautious reading
    assert luzhou.value == "city" and not luzhou.stated and "未在来源中说明" in luzhou.label
