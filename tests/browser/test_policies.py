"""The policy pages in Chromium at 375 px, axe-checked on every load, in normal and 关怀模式."""

import pytest


def test_index_search_and_city_page(hall, policies):
    page = hall.visit("/policies/")
    assert page.get_by_role("heading", name="各地家庭共济政策").is_visible()
    assert page.viewport_size["width"] == 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "no sideways scrolling on a phone"
    hall.screenshot("policies-index-375")

    page.get_by_label("查找地区").fill("攀枝花")
    hall.click_and_wait(page.get_by_role("button", name="查找"))
    assert page.get_by_role("link", name="攀枝花市").is_visible()
    hall.click_and_wait(page.get_by_role("link", name="攀枝花市"))
    assert page.get_by_role("heading", name="攀枝花市家庭共济政策").is_visible()
    summary = page.locator("#summary")
    assert summary.locator('data[data-field="at_once_limit"]').inner_text() == "5"
    assert "配偶、父母、子女" in summary.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    hall.screenshot("policies-panzhihua-375")


@pytest.mark.parametrize("slug", ["panzhihua", "guigang", "yichun", "hengyang", "national"])
def test_city_page_answers_first_and_folds_the_research(hall, policies, slug):
    """At 375 px the plain answers come first and the page stays short: the sources, quotes, 未在来源中说明 and
    versions are in the collapsed 政策依据 fold, with the day picker."""
    page = hall.visit(f"/policies/{slug}/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, f"{slug}: {height}px tall at 375px"
    basis = page.locator("details#basis")
    assert basis.get_attribute("open") is None
    assert not page.get_by_label("查看某一天的规定").is_visible()
    visible = page.locator("main").inner_text()
    for research in ("未在来源中说明", "来源写", "修改记录", "数据文件导入"):
        assert research not in visible, f"{slug}: “{research}” outside the fold"
    page.locator("#basis > summary").click()
    assert page.get_by_label("查看某一天的规定").is_visible()
    assert "来源" in basis.inner_text()
    hall.screenshot(f"policies-{slug}-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#basis > summary").click()
    hall.screenshot(f"policies-{slug}-desktop")


def test_city_page_in_elder_mode(hall, policies):
    page = hall.visit("/policies/guigang/")
    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    assert "elder-mode" in page.evaluate("document.body.className")
    assert page.get_by_role("heading", name="贵港市家庭共济政策").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    hall.screenshot("policies-guigang-elder-375")
    page.locator("#basis > summary").click()
    page.locator("details[id^=channel-]").first.locator("summary").click()
    hall.check()  # the open folds are measured too (no text under 18 px, no sideways scroll)
    hall.screenshot("policies-guigang-elder-open-375")
    page = hall.visit("/policies/compare/?cities=panzhihua,hengyang,xiangtan")
    hall.screenshot("policies-compare-elder-375")


def test_compare_from_the_index(hall, policies):
    page = hall.visit("/policies/")
    page.get_by_label("比较衡阳").check()
    page.get_by_label("比较湘潭").check()
    hall.click_and_wait(page.get_by_role("button", name="对比所选城市"))
    table = page.get_by_role("table")
    assert (
        table.get_by_role("link", name="衡阳市").is_visible() and table.get_by_role("link", name="湘潭市").is_visible()
    )
    assert page.locator('data[data-field="total_limit"]').all_inner_texts() == ["20", "20"]
    hall.screenshot("policies-compare-375")

    page = hall.visit("/policies/compare/?cities=hengyang,atlantis")
    assert page.get_by_role("alert").inner_text() == "没有找到这些地区：atlantis。"


def test_guide_and_not_found(hall, policies):
    page = hall.visit("/policies/guide/?region=guigang")
    assert page.get_by_role("heading", name="“贵港市医疗保障局”微信公众号").is_visible()
    hall.screenshot("policies-guide-375")
    page = hall.visit("/policies/atlantis/")
    assert page.get_by_role("heading", name="没有找到您要的页面").is_visible()
