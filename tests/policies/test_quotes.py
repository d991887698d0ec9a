"""Every stated value carries its source quote, and every quote stands in its source (issue 15).

The seed articles and the project's domain brief are copied into policies/data/seeds/ so that CI, which has only
the repository, can check each quote against the text it claims to come from.
"""

import datetime
import re
import shutil
from pathlib import Path

import pytest
import yaml

from policies.datafile import PolicyDataError
from policies.loading import DATA_DIR, MISSING_QUOTE, read_policy_data
from policies.selectors import resolved_policy

pytestmark = pytest.mark.django_db
SEEDS = DATA_DIR / "seeds"
ON = datetime.date(2025, 6, 1)


def normalised(text: str) -> str:
    return " ".join(text.split())


def source_text(key: str) -> str:
    """The text a source's quotes must stand in: seed-NNN[-part] → seeds/NNN_*.txt; gbf-* → seeds/DOMAIN.md."""
    if match := re.fullmatch(r"seed-(\d{3})(-[a-z-]+)?", key):
        (path,) = SEEDS.glob(f"{match.group(1)}_*.txt")
    elif key.startswith("gbf-"):
        path = SEEDS / "DOMAIN.md"
    else:
        raise AssertionError(f"no text behind source {key}")
    return normalised(Path(path).read_text(encoding="utf-8"))


def every_quote():
    data = read_policy_data()
    for region in data.regions:
        for number, draft in enumerate(region.versions, start=1):
            for key, quotes in draft.version.quotes.items():
                for quote in quotes:
                    yield f"{region.name} 版本{number} {key}", quote["source"], quote["text"]


def test_every_quote_stands_in_its_source():
    missing = [
        (place, source, text) for place, source, text in every_quote() if normalised(text) not in source_text(source)
    ]
    assert missing == []


def test_every_source_has_text_behind_it():
    data = read_policy_data()
    for source in data.sources:
        assert source_text(source.key), source.key
    assert "hunan-premium-notice" not in {source.key for source in data.sources}


def test_publishers_are_only_those_the_sources_name():
    publishers = {source.key: source.publisher for source in read_policy_data().sources}
    assert publishers["seed-000"] == "有家健康网"  # "有家健康网 2025-03-11" heads the article
    assert "健康新闻" not in publishers.values()  # a label beside related links, not a byline
    assert publishers["seed-003"] == publishers["seed-004"] == ""


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit_hengyang(directory, change):
    path = directory / "430000-hunan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(next(r for r in data["regions"] if r["code"] == "430400")["versions"][0])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(PolicyDataError) as excinfo:
        read_policy_data(directory)
    return [str(problem) for problem in excinfo.value.problems]


PLACE = "430000-hunan.yaml: 地区 430400 衡阳市, 版本 1: "


@pytest.mark.parametrize(
    "change,problem",
    [
        (lambda v: v["quotes"].pop("spend_scope"), "spend_scope: 已填写的值没有来源原文"),
        (lambda v: v["quotes"]["spend_scope"][0].update(source=""), "quotes.spend_scope: 缺少来源标识（source）"),
        (lambda v: v["quotes"]["spend_scope"][0].pop("source"), "quotes.spend_scope: 缺少来源标识（source）"),
        (
            lambda v: v["quotes"]["spend_scope"][0].update(source="seed-999"),
            "quotes.spend_scope: 来源“seed-999”不在 sources.yaml 中",
        ),
        (lambda v: v["quotes"]["spend_scope"][0].update(text=" "), "quotes.spend_scope: 来源原文（text）为空"),
        (lambda v: [v["pooling"][0].pop(key) for key in ("source", "quote")], "pooling: 已填写的值没有来源原文"),
        (lambda v: v["pooling"][0].update(source="nope"), "quotes.pooling[employee]: 来源“nope”不在"),
        (
            lambda v: v["quotes"].update(dates_mode=list(v["quotes"]["spend_scope"])),
            "quotes.dates_mode: 引用的字段或行未在本版本",
        ),
    ],
    ids=["no quote", "empty source", "no source", "unknown source", "empty text", "row", "row source", "unstated"],
)
def test_a_value_without_its_quote_is_refused(data_copy, change, problem):
    problems = edit_hengyang(data_copy, change)
    assert problems == [PLACE + problem] or any(p.startswith(PLACE + problem) for p in problems), problems
    assert len(problems) == 1, problems


def test_a_later_version_needs_a_quote_for_what_it_restates(data_copy):
    path = data_copy / "450000-guangxi.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    later = data["regions"][0]["versions"][1]
    later["quotes"].pop("relationships")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(PolicyDataError) as excinfo:
        read_policy_data(data_copy)
    assert [str(p) for p in excinfo.value.problems] == [
        "450000-guangxi.yaml: 地区 450000 广西壮族自治区, 版本 2: relationships: " + MISSING_QUOTE
    ]


def test_quotes_are_stored_with_the_version(policies):
    policy = resolved_policy("450800", ON)
    version = policy.at_once_limit.version
    assert version.quotes["at_once_limit"] == [
        {
            "source": "seed-003",
            "text": "一个医保个人账户最多可以同时绑定7名近亲属,每名近亲属仅限接受一个参保人的授权绑定。",
        }
    ]
    # 广西's second version copies its first one's quotes for what it does not restate
    assert policy.spend_scope.version.quotes["spend_scope"][0]["source"] == "seed-003"
