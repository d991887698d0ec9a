"""The policy pages keep their main content per policy generation (policies/views.py, policies.cache.fragment).

A repeated page reads no policy row; a policy write (the admin, load_policies) shows at once; the kept content
of one page, day, mode or viewer is never served for another.
"""

import datetime
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from policies import cache as policy_cache
from policies.cache import policies_changed
from policies.models import PolicyVersion, Region
from tests.factories import InsuredPersonFactory, UserFactory
from tests.policies.test_admin import version_form

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')

PAGES = {
    "index": ("/policies/", {}),
    "index search": ("/policies/", {"q": "贵港"}),
    "city": ("/policies/yichun/", {}),
    "city on a past day": ("/policies/guigang/", {"on": "2024-08-31"}),
    "province": ("/policies/hunan/", {}),
    "compare": ("/policies/compare/", {"cities": "panzhihua,hengyang,guigang"}),
    "guide": ("/policies/guide/", {"region": "guigang"}),
}
# Policy queries when the content is built again while the resolved policies are memoized.
BUILD_QUERIES = {
    "index": 1,
    "index search": 1,
    "city": 0,
    "city on a past day": 0,
    "province": 0,
    "compare": 2,
    "guide": 1,
}


def get(client, url, params=None):
    """The response and the queries it ran on policy tables."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    return response, [q["sql"] for q in queries.captured_queries if '"policies_' in q["sql"]]


def text(response) -> str:
    """The page, less the csrf token base.html's forms carry (new on every request)."""
    return CSRF.sub("", response.content.decode())


@pytest.fixture
def resident(db):
    return UserFactory(person=InsuredPersonFactory(name="欧阳明远", district="360902"))


@pytest.mark.parametrize("viewer", ["anonymous", "resident", "resident in 关怀模式"])
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("uncached_pages")  # the fragment layer; a resident's whole page kept: test_page_cache.py
def test_a_repeated_policy_page_reads_no_policy_row(client, policies, resident, viewer, page):
    if viewer != "anonymous":
        resident.elder_mode = viewer.endswith("关怀模式")
        resident.save(update_fields=["elder_mode"])
        client.force_login(resident)
    url, params = PAGES[page]
    first, built = get(client, url, params)
    policy_cache._fragments.clear()  # built again, from the memoized resolved policies this time
    again, rebuilt = get(client, url, params)
    repeated, none = get(client, url, params)
    assert first.status_code == again.status_code == repeated.status_code == 200
    assert len(rebuilt) <= len(built) and len(rebuilt) == BUILD_QUERIES[page], (len(built), len(rebuilt))
    assert none == [], none
    assert text(repeated) == text(again)  # kept: the same as built
    assert ("欧阳明远" in text(repeated)) == (viewer != "anonymous")
    assert ('class="elder-mode"' in text(repeated)) == viewer.endswith("关怀模式")


def test_compare_refusal_is_kept_with_its_status(client, policies):
    params = {"cities": "yichun,atlantis"}
    get(client, "/policies/compare/", params)
    response, queries = get(client, "/policies/compare/", params)
    assert response.status_code == 400 and queries == []
    assert "没有找到这些地区：atlantis。" in text(response)


def test_a_bad_date_is_echoed_and_not_kept(client, policies):
    get(client, "/policies/guigang/")
    bad, _ = get(client, "/policies/guigang/", {"on": "x<b>"})
    assert "日期“x&lt;b&gt;”格式不正确" in text(bad)  # today's rules, with the warning
    plain, queries = get(client, "/policies/guigang/")
    assert queries == [] and "格式不正确" not in text(plain)  # never kept as today's page


@pytest.fixture
def bare_version(policies):
    """A version with no rows below it, so the admin form needs no inline data (as in tests/policies/test_admin)."""
    region = Region.objects.create(
        code="430500",
        name="邵阳市",
        short_name="邵阳",
        slug="shaoyang",
        level="city",
        parent=Region.objects.get(code="430000"),
    )
    version = PolicyVersion.objects.create(region=region, title="测试版本", at_once_limit=8, total_limit=16)
    policies_changed()
    return version


def shown_limit(client, slug):
    response, queries = get(client, f"/policies/{slug}/")
    marker = 'data-field="at_once_limit">'
    html = text(response)
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else None, queries


def test_an_admin_edit_shows_at_once(client, superuser, bare_version):
    client.force_login(superuser)
    assert shown_limit(client, "shaoyang")[0] == "8"
    assert shown_limit(client, "shaoyang") == ("8", [])  # kept
    url = reverse("admin:policies_policyversion_change", args=[bare_version.pk])
    assert client.post(url, version_form(bare_version, at_once_limit=9)).status_code == 302
    limit, queries = shown_limit(client, "shaoyang")
    assert limit == "9" and queries  # built again from the rows
    assert shown_limit(client, "shaoyang") == ("9", [])


def test_load_policies_shows_at_once(client, policies):
    version = Region.objects.get(slug="panzhihua").versions.get(effective_to__isnull=True)
    PolicyVersion.objects.filter(pk=version.pk).update(at_once_limit=6)  # a row changed behind the loader's back
    policies_changed()
    assert shown_limit(client, "panzhihua")[0] == "6"
    assert shown_limit(client, "panzhihua") == ("6", [])  # kept
    call_command("load_policies", verbosity=0)  # the data says 5 (and the loader replaces the token)
    limit, queries = shown_limit(client, "panzhihua")
    assert limit == "5" and queries


def test_each_day_gets_its_own_page(client, policies):
    url = "/policies/guigang/"
    before, _ = get(client, url, {"on": "2024-08-31"})
    after, built = get(client, url, {"on": "2024-09-01"})
    assert built  # not the other day's page
    assert "广西个账共济（扩围前）" in text(before) and 'id="basis" open' in text(before)
    assert "以下为2024年9月1日适用的规定" in text(after) and "当日适用" in text(after)
    today, built = get(client, url)
    assert built and 'id="basis" open' not in text(today) and "看今天的规定" not in text(today)
    assert get(client, url, {"on": "2024-08-31"})[1] == []
    assert text(get(client, url, {"on": "2024-08-31"})[0]) == text(before)


def test_another_day_reads_only_that_days_rules(client, policies):
    url = "/policies/guigang/"
    get(client, url)
    response, queries = get(client, url, {"on": "2024-08-31"})
    assert "广西个账共济（扩围前）" in text(response)
    assert queries and not [sql for sql in queries if "policies_policyrevision" in sql]  # history kept


def test_the_next_day_is_not_served_yesterdays_page(client, policies):
    url = "/policies/guigang/"
    day = timezone.localdate()
    get(client, url)
    with time_machine.travel(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(10))):
        response, _ = get(client, url, {"on": day.isoformat()})
        html = text(response)
        assert get(client, url, {"on": day.isoformat()})[1] == []
    assert "看今天的规定" in html and 'id="basis" open' in html  # yesterday, seen from today


def test_kept_content_is_never_another_viewers(client, policies, resident):
    url = "/policies/yichun/"
    client.force_login(resident)
    mine, _ = get(client, url)
    assert "欧阳明远" in text(mine)
    client.logout()
    other = UserFactory(person=InsuredPersonFactory(name="司马青山", district="360902"))
    client.force_login(other)
    theirs, queries = get(client, url)
    assert queries == [] and "司马青山" in text(theirs) and "欧阳明远" not in text(theirs)
    client.logout()
    anonymous, queries = get(client, url)
    assert queries == [] and "欧阳明远" not in text(anonymous) and "司马青山" not in text(anonymous)


def test_each_mode_gets_its_own_content(client, policies, resident):
    url = "/policies/guide/"
    client.force_login(resident)
    get(client, url)
    assert get(client, url)[1] == []
    resident.elder_mode = True
    resident.save(update_fields=["elder_mode"])
    elder, built = get(client, url)
    assert built  # the 关怀模式 content is its own
    assert 'class="elder-mode"' in text(elder) and "“贵港市医疗保障局”微信公众号" in text(elder)
    assert get(client, url)[1] == []
