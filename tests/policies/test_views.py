import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from policies.models import Region
from policies.selectors import resolved_policy

pytestmark = pytest.mark.django_db
DATA_TAG = re.compile(r'<data value="([^"]*)" data-field="([^"]+)">')


def test_index_groups_cities_by_province(client, policies, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("policies:index"))
    assert response.status_code == 200
    groups = {group.province.short_name: [c.short_name for c in group.cities] for group in response.context["groups"]}
    assert groups == {"湖南": ["湘潭", "衡阳"], "江西": ["宜春"], "广西": ["贵港"], "四川": ["攀枝花", "泸州"]}
    assert 'name="q"' in response.content.decode()


def test_index_search(client, policies):
    response = client.get(reverse("policies:index"), {"q": "贵港"})
    groups = response.context["groups"]
    assert [(g.province.short_name, [c.short_name for c in g.cities]) for g in groups] == [("广西", ["贵港"])]
    assert "没有找到与“火星”相符的地区" in client.get(reverse("policies:index"), {"q": "火星"}).content.decode()


@pytest.mark.parametrize(
    "slug",
    [
        "national",
        "jiangxi",
        "yichun",
        "sichuan",
        "panzhihua",
        "luzhou",
        "guangxi",
        "guigang",
        "hunan",
        "hengyang",
        "xiangtan",
    ],
)
def test_every_region_page_is_public(client, policies, slug, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = client.get(reverse("policies:detail", args=[slug]))
    assert response.status_code == 200
    assert response.context["region"].slug == slug


def test_unknown_city_is_a_hall_404(client, policies):
    response = client.get("/policies/atlantis/")
    assert response.status_code == 404
    assert "没有找到您要的页面" in response.content.decode()


def expected_numbers(policy) -> list[tuple[str, str]]:
    """Every (field, value) pair the detail page should show, straight from the rule rows."""
    pairs = []
    for name in (
        "at_once_limit",
        "total_limit",
        "rebind_wait_days",
        "pair_scope",
        "spend_scope",
        "review_mode",
        "dates_mode",
        "premium_scope",
        "review_working_days",
        "relative_face_min_age",
    ):
        stated = getattr(policy, name)
        if stated.is_stated:
            pairs.append((name, str(stated.value)))
    for amount in policy.premium_amounts.value or []:
        pairs.append(("amount_yuan", str(amount.amount_yuan)))
    for rule in policy.pooling_rules.value or []:
        for name in (
            "deductible_yuan",
            "deductible_yearly_max_yuan",
            "yearly_cap_yuan",
            "retiree_share_bonus_points",
            "retiree_yearly_cap_yuan",
        ):
            if getattr(rule, name) is not None:
                pairs.append((name, str(getattr(rule, name))))
        for level in rule.levels.all():
            for name in ("fund_share_percent", "deductible_yuan", "per_day_cap_yuan"):
                if getattr(level, name) is not None:
                    pairs.append((name, str(getattr(level, name))))
    return sorted(pairs)


@pytest.mark.parametrize("slug", ["yichun", "panzhihua", "luzhou", "guigang", "hengyang", "xiangtan", "hunan"])
def test_every_number_on_a_city_page_equals_its_rule_row(client, policies, slug):
    region = Region.objects.get(slug=slug)
    html = client.get(reverse("policies:detail", args=[slug])).content.decode()
    # A number may show twice (the plain summary at the top and the 政策依据 fold): each must be its rule row's.
    shown = {(field, value) for value, field in DATA_TAG.findall(html)}
    assert shown == set(expected_numbers(resolved_policy(region.code, timezone.localdate())))


def test_detail_shows_rules_in_plain_chinese(client, policies):
    html = client.get(reverse("policies:detail", args=["panzhihua"])).content.decode()
    assert '<data value="5" data-field="at_once_limit">5</data>名' in html
    assert "攀枝花市规定" in html and "沿用四川省规定" in html and "沿用国家政策" in html
    # 累计上限: no source states one
    total_row = html.split("累计绑定人数上限", 1)[1].split("</dd>", 1)[0]
    assert "未在来源中说明" in total_row
    assert "“四川医保局”微信公众号" in html and "《职工医保门诊共济家庭账户绑定告知书》" in html
    assert "2025四川攀枝花医保门诊共济怎么绑定" in html and "文章未注明发布日期" in html


def test_detail_on_a_past_day_shows_the_version_then(client, policies):
    url = reverse("policies:detail", args=["guigang"])
    before = client.get(url, {"on": "2024-08-31"})
    after = client.get(url, {"on": "2024-09-01"})
    assert [r.relationship for r in before.context["policy"].relationship_rules.value] == ["spouse", "parent", "child"]
    assert len(after.context["policy"].relationship_rules.value) == 8
    assert "广西个账共济（扩围前）" in before.content.decode()
    assert "日期“x”格式不正确" in client.get(url, {"on": "x"}).content.decode()


def test_version_history_and_sources_with_dates(client, policies):
    html = client.get(reverse("policies:detail", args=["guigang"])).content.decode()
    assert "广西个账共济扩大到近亲属" in html and "2024年9月1日起" in html and "至2024年8月31日止" in html
    assert "国办发〔2024〕38号" in html and "2024年7月23日" in html


def test_compare_side_by_side(client, policies, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get(reverse("policies:compare"), {"cities": "panzhihua,hengyang,xiangtan,guigang,yichun"})
    assert response.status_code == 200
    assert [region.slug for region, _ in response.context["columns"]] == [
        "panzhihua",
        "hengyang",
        "xiangtan",
        "guigang",
        "yichun",
    ]
    html = response.content.decode()
    for value in ("5", "10", "7"):
        assert f'<data value="{value}" data-field="at_once_limit">' in html


def test_compare_accepts_repeated_parameters(client, policies):
    response = client.get(reverse("policies:compare") + "?cities=luzhou&cities=guigang")
    assert [region.slug for region, _ in response.context["columns"]] == ["luzhou", "guigang"]


def test_compare_names_unknown_cities(client, policies):
    response = client.get(reverse("policies:compare"), {"cities": "yichun,atlantis,gotham"})
    assert response.status_code == 400
    assert "没有找到这些地区：atlantis、gotham。" in response.content.decode()


def test_compare_refuses_too_many(client, policies):
    cities = "yichun,panzhihua,luzhou,guigang,hengyang,xiangtan"
    response = client.get(reverse("policies:compare"), {"cities": cities})
    assert response.status_code == 400
    assert f"一次最多比较5个地区，您选择了6个：{cities.replace(',', '、')}。" in response.content.decode()


def test_guide_lists_channels_steps_and_materials(client, policies, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get(reverse("policies:guide"), {"region": "guigang"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<details class="card-hall mb-2 guide-city" id="guide-guigang" open>' in html
    assert "“贵港市医疗保障局”微信公众号" in html and "点击“增加授权”" in html
    assert "户口簿、出生医学证明，或签署承诺书" in html
    assert "江西智慧医保APP" in html and "“湘医保”APP" in html


def test_home_tiles_resolve(client, policies):
    assert reverse("policies:guide") == "/policies/guide/" and reverse("policies:index") == "/policies/"


def test_templates_type_no_numbers():
    """Policy numbers come from rule rows: a digit in template text would be a number typed in by hand."""
    for path in Path(settings.BASE_DIR, "templates", "policies").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", text, flags=re.S)
        text = re.sub(r"<[^>]*>", "", text, flags=re.S)
        typed = re.findall(r".{0,20}\d.{0,20}", text)
        assert not typed, f"{path.name}: {typed}"


def test_city_page_answers_in_plain_words_and_folds_the_research(client, policies):
    """What, for whom, how many, where, how and what to bring come first, with only what the sources state; the
    sources, 未在来源中说明, versions and the day picker are in the collapsed 政策依据 fold."""
    html = client.get(reverse("policies:detail", args=["panzhihua"])).content.decode()
    top, fold = html.split('id="basis"', 1)
    fold = fold.split("</details>", 1)[0]
    summary = top.split('id="summary"', 1)[1].split("</section>", 1)[0]
    opening = top.rsplit("<", 1)[1]
    assert opening.startswith("details") and " open" not in opening  # the fold is a <details>, collapsed
    for answer in ("能做什么", "可以帮谁", "最多帮几人", "在哪里能用", "到哪里办", "要准备什么"):
        assert answer in summary
    assert "配偶、父母、子女" in summary
    assert '同时最多<data value="5" data-field="at_once_limit">5</data>名' in summary
    assert "累计最多" not in summary  # 攀枝花 states no total: left out of the answers, shown in the fold
    assert "“四川医保局”微信公众号" in summary
    # 四川's proof rules name every close relative; 攀枝花 allows three, so only they are listed to bring proof for
    assert "兄弟姐妹" not in summary.split("要准备什么", 1)[1]
    for research in ("未在来源中说明", 'name="on"', "来源写", "修改记录"):
        assert research not in top
    assert "未在来源中说明" in fold and 'name="on"' in fold and "2025四川攀枝花医保门诊共济怎么绑定" in fold


def test_a_past_day_opens_the_fold_with_the_day_picker(client, policies):
    html = client.get(reverse("policies:detail", args=["guigang"]), {"on": "2024-08-31"}).content.decode()
    assert 'id="basis" open' in html
    assert "以下为2024年8月31日适用的规定" in html.split('id="basis"', 1)[0]
