"""The signed-in home: balance, relatives with their status words and quota, the tracker of a case in progress
with its expected completion date, in a fixed number of queries; the anonymous home as before."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHILD = datetime.date(2020, 6, 1)


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


def flat(html: str) -> str:
    return " ".join(html.split())


@pytest.fixture
def family(hall):
    """A 攀枝花 member (1,234.56 元) with one child bound and a second case submitted on Friday 2026-03-06."""
    with time_machine.travel(at(2026, 3, 6), tick=False):
        authorizer = hall.person("panzhihua", balance_fen=123_456, name="王建国")
        first = hall.relative("panzhihua", birth=CHILD, name="王小明")
        second = hall.relative("panzhihua", birth=CHILD, name="王小红")
        hall.bind(authorizer, first, phone=first.phone)
        pending = hall.apply(authorizer, second, phone=second.phone)
    return authorizer, pending


def test_home_shows_where_the_resident_stands(client, hall, family):
    authorizer, pending = family
    client.force_login(hall.account(authorizer))
    with time_machine.travel(at(2026, 3, 9), tick=False):
        page = flat(client.get("/").content.decode())
    assert '<strong class="standing-amount" id="standing-balance">1,234.56</strong>' in page
    assert "王小明（子女）" in page and 'class="status status-active">已生效</span>' in page
    assert "王小红（子女）" in page and 'class="status status-submitted">待审核</span>' in page
    assert "已绑定 <strong>2/5</strong>" in page and "还可绑定 <strong>3</strong>" in page
    tracker = re.search(r'<ol class="tracker".*?</ol>', page).group(0)
    steps = re.findall(r"<li class=\"tracker-step tracker-(\w+)\"( aria-current=\"step\")?", tracker)
    assert steps == [("done", ""), ("current", ' aria-current="step"'), ("todo", "")]
    assert "已受理" in tracker and "审核中" in tracker and "办结" in tracker
    # Submitted on Friday 6 March; 3 working days (settings.REVIEW_WORKING_DAYS, no city states its own) skip
    # the weekend: Monday 9, Tuesday 10, Wednesday 11.
    assert "预计 2026年3月11日 前办结" in page
    for tile in ["家庭账户共济授权登记", "我的共济关系", "代缴居民医保"]:
        assert tile in page  # the tiles stay below


def test_the_tracker_waits_for_the_resident_when_proof_is_asked(client, hall, family):
    from bindings import services

    authorizer, pending = family
    services.binding_request_more(binding=pending, clerk=hall.clerk("510400"), missing_note="户口簿照片不清晰")
    client.force_login(hall.account(authorizer))
    page = flat(client.get("/").content.decode())
    assert '<li class="tracker-step tracker-current" aria-current="step">' in page and "待补充材料" in page
    assert "预计" not in page


def test_a_resident_scheme_member_sees_no_balance(client, hall):
    relative = hall.relative("panzhihua")
    client.force_login(hall.account(relative))
    page = client.get("/").content.decode()
    assert "standing-balance" not in page and "没有个人账户" in page


def test_anonymous_home_is_unchanged(client, db):
    page = client.get("/").content.decode()
    assert "standing-heading" not in page and "办理前请先登录" in page


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


@pytest.mark.usefixtures("uncached_pages")  # what building the page costs
def test_home_query_count_does_not_grow_with_relatives(client, hall, family):
    authorizer, _pending = family
    client.force_login(hall.account(authorizer))
    _home_queries(client)  # warm the policy memo
    few = _home_queries(client)
    for _ in range(3):
        extra = hall.relative("panzhihua", birth=CHILD)
        hall.apply(authorizer, extra, phone=extra.phone)
    many = _home_queries(client)
    assert many == few
    assert many <= 8, many
