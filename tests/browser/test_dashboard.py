"""The clerks' dashboard in a browser: the charts load as images, the tables behind them are there, the page
passes axe, and a 宜春 clerk sees no 湘潭 counts."""

import pytest
from django.utils import timezone

from bindings.models import Status
from tests.clerk.dashboard_data import case
from tests.factories import TEST_PASSWORD, clerk

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_renders_charts_and_tables(hall, policies):
    case("yichun", channel="counter")
    case("yichun", channel="app", status=Status.ACTIVE, decided=timezone.now())
    case("xiangtan")
    clerk("360900", "审核员", username="reviewer_yichun")
    page = hall.page
    page.set_viewport_size({"width": 1280, "height": 900})
    hall.visit("/admin/")
    page.get_by_label("用户名").fill("reviewer_yichun")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    hall.click_and_wait(page.get_by_role("button", name="登录"))
    assert page.locator("#dashboard-summary").get_by_text("待审核 1 件").is_visible()
    hall.click_and_wait(page.get_by_role("link", name="查看工作台（各统筹区待办和统计图）"))

    charts = page.locator("figure.dashboard-chart img")
    assert charts.count() == 3
    for index in range(3):
        chart = charts.nth(index)
        assert chart.get_attribute("alt")
        # The SVG loaded and was drawn: an image that failed has no natural width.
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    for table in ("#waiting-table", "#channel-table", "#outcome-table", "#decision-table"):
        assert page.locator(table).is_visible()
    waiting = page.locator("#waiting-table")
    assert "宜春" in waiting.inner_text() and "湘潭" not in page.content()
    assert page.locator("#channel-table").get_by_role("rowheader", name="医保经办窗口").is_visible()
    hall.screenshot("admin-dashboard")
