"""The clerks' dashboard: counts per region the viewer covers, the charts and the tables behind them."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bindings.admin.dashboard import review_limits, waiting_counts
from bindings.models import Status
from tests.clerk.dashboard_data import case, first_approval, oldest_on_time
from tests.factories import clerk

pytestmark = pytest.mark.django_db

# A Wednesday, Asia/Shanghai.
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def counts_by_city(user):
    return {row.code: row for row in waiting_counts(user)}


@time_machine.travel(NOW, tick=False)
def test_overdue_is_the_queues_working_day_rule_per_region(policies):
    today = timezone.localdate()
    limit = review_limits(["360900"], today)["360900"]
    boundary = oldest_on_time(today, limit)
    case("yichun", submitted=boundary)  # waited exactly the limit: not overdue
    case("yichun", submitted=boundary - datetime.timedelta(days=1))  # one working day more: overdue
    case("yichun", submitted=today - datetime.timedelta(days=60), status=Status.RETURNED)  # resident's turn
    row = counts_by_city(clerk("360900", "审核员"))["360900"]
    assert (row.pending, row.overdue, row.returned, row.limit) == (2, 1, 1, limit)


@time_machine.travel(NOW, tick=False)
def test_waiting_for_second_clerk_is_counted(policies):
    waiting = case("yichun")
    case("yichun")
    first_approval(waiting, clerk("360900", "审核员"))
    row = counts_by_city(clerk("360900", "审核员"))["360900"]
    assert (row.pending, row.second) == (2, 1)


@time_machine.travel(NOW, tick=False)
def test_counts_come_from_one_query_whatever_the_number_of_regions(policies):
    for city in ("yichun", "xiangtan", "guigang"):
        case(city)
    supervisor = clerk("", "主管")
    with CaptureQueriesContext(connection) as queries:
        counts = counts_by_city(supervisor)
    assert {code for code, row in counts.items() if row.pending} == {"360900", "430300", "450800"}
    assert len(counts) > 3  # every city the supervisor covers, with zeros
    on_cases = [query["sql"] for query in queries.captured_queries if "bindings_binding" in query["sql"]]
    assert len(on_cases) == 1 and "COUNT" in on_cases[0]


@time_machine.travel(NOW, tick=False)
def test_a_yichun_clerk_sees_no_xiangtan_counts(policies):
    case("yichun")
    for _ in range(3):
        case("xiangtan", submitted=timezone.localdate() - datetime.timedelta(days=30))
    client = signed_in(clerk("360900", "审核员"))
    page = client.get(reverse("admin:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "宜春" in html and "湘潭" not in html
    assert [row.code for row in page.context["counts"]] == ["360900"]
    assert page.context["totals"]["pending"] == 1 and page.context["totals"]["overdue"] == 0
    decided = case("xiangtan", status=Status.REJECTED, decided=timezone.now())
    assert decided.application.city_code == "430300"
    assert client.get(reverse("admin:dashboard")).context["decisions"] == []


@time_machine.travel(NOW, tick=False)
def test_dashboard_shows_charts_and_the_tables_behind_them(policies):
    case("yichun", channel="counter")
    case("yichun", channel="app", status=Status.ACTIVE, decided=timezone.now())
    client = signed_in(clerk("360900", "审核员"))
    html = client.get(reverse("admin:dashboard")).content.decode()
    for name in ("channel", "outcome", "decision"):
        assert reverse("admin:dashboard_chart", args=[name]) in html
    for table in ("waiting-table", "channel-table", "outcome-table", "decision-table"):
        assert f'id="{table}"' in html
    assert "医保经办窗口" in html and "手机APP" in html and "已通过" in html
    assert "<style" not in html and "<script>" not in html


@time_machine.travel(NOW, tick=False)
def test_chart_is_an_svg_without_script(policies):
    case("yichun", channel="counter")
    client = signed_in(clerk("360900", "审核员"))
    for name in ("channel", "outcome", "decision"):
        response = client.get(reverse("admin:dashboard_chart", args=[name]))
        assert response["Content-Type"].startswith("image/svg+xml")
        svg = response.content.decode()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert "<script" not in svg
        # Opened on its own, the SVG's <style> applies; scripts stay refused.
        policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert "'unsafe-inline'" in policy["style-src"] and "unsafe" not in policy["script-src"]
    assert "医保经办窗口" in client.get(reverse("admin:dashboard_chart", args=["channel"])).content.decode()
    assert client.get("/admin/dashboard/chart/other.svg").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_weekly_table_counts_by_week_channel_and_outcome(policies):
    today = timezone.localdate()
    case("yichun", channel="counter", submitted=today)
    case("yichun", channel="counter", submitted=today - datetime.timedelta(weeks=1), status=Status.REJECTED)
    case("yichun", channel="counter", submitted=today - datetime.timedelta(weeks=13))  # too old
    client = signed_in(clerk("360900", "审核员"))
    context = client.get(reverse("admin:dashboard")).context
    assert dict(context["channel_rows"])["医保经办窗口"][-2:] == [1, 1]
    assert sum(dict(context["channel_rows"])["医保经办窗口"]) == 2
    outcomes = dict(context["outcome_rows"])
    assert outcomes["已驳回"][-2:] == [1, 0] and outcomes["办理中"][-1] == 1


@time_machine.travel(NOW, tick=False)
def test_days_to_decision_against_the_limit(policies):
    today = timezone.localdate()
    limit = review_limits(["360900"], today)["360900"]
    late = oldest_on_time(today, limit) - datetime.timedelta(days=1)
    case("yichun", status=Status.ACTIVE, submitted=late, decided=timezone.now())
    case("yichun", status=Status.REJECTED, submitted=today, decided=timezone.now())
    client = signed_in(clerk("360900", "审核员"))
    (row,) = client.get(reverse("admin:dashboard")).context["decisions"]
    assert (row.count, row.within, row.limit) == (2, 1, limit)
    assert row.longest == limit + 1


def test_the_admin_index_links_to_the_dashboard_with_counts(policies):
    case("yichun")
    html = signed_in(clerk("360900", "审核员")).get(reverse("admin:index")).content.decode()
    assert reverse("admin:dashboard") in html
    assert "待审核 1 件" in html


def test_residents_and_anonymous_visitors_are_turned_away(policies):
    assert Client().get(reverse("admin:dashboard")).status_code == 302
    assert Client().get(reverse("admin:dashboard_chart", args=["channel"])).status_code == 302
    no_perm = clerk("360900")
    assert signed_in(no_perm).get(reverse("admin:dashboard")).status_code == 403
