"""What every resident page pays for its chrome (base.html, the 家庭成员 switcher, the cache client), and that the
savings keep the page exactly right: fragments rendered once per process see no page data, the switcher's cache
follows every change to what it shows and is never another resident's."""

import re
from datetime import date
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.template import engines
from django.templatetags.static import StaticNode
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from tests.factories import InsuredPersonFactory, UserFactory, guardianship, proxy_grant

pytestmark = pytest.mark.django_db

REDIS_TEST_DB = "redis://127.0.0.1:6379/7"  # this part's Redis database (never 0-6)
SWITCHER = "hall-household-select"


def _delegation_queries(client, url="/accounts/me/"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    tables = ("accounts_guardianship", "accounts_proxygrant")
    return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in tables)], response.content.decode()


# --- the cache client -------------------------------------------------------------------------------------------


def test_the_redis_cache_reuses_one_client():
    redis_cache = {"default": {"BACKEND": "config.cache.HallRedisCache", "LOCATION": REDIS_TEST_DB,
                               "KEY_PREFIX": "hall-test-chrome"}}  # fmt: skip
    with override_settings(CACHES=redis_cache):
        cache = caches["default"]
        try:
            client = cache._cache.get_client()
            assert cache._cache.get_client() is client
            assert cache._cache.get_client(write=True) is client  # one server: one pool, one client
            cache.set("chrome-probe", {"a": 1}, 30)
            assert cache.get("chrome-probe") == {"a": 1}
            assert cache._cache.get_client() is client
        finally:
            cache.delete("chrome-probe")


# --- the 家庭成员 switcher ---------------------------------------------------------------------------------------


@pytest.fixture
def guardian(client):
    """A father with a ward (his son, 9) and a proxy from his own father: a switcher of three."""
    user = UserFactory(person__name="王建国")
    ward = InsuredPersonFactory(name="王小宇", birth=date(2017, 6, 1), resident=True)
    guardianship(user.person, ward)
    grant = proxy_grant(InsuredPersonFactory(name="王德福"), user.person)
    client.force_login(user)
    return user, ward, grant


def test_a_guardians_switcher_costs_no_query_once_cached(client, guardian):
    first, page = _delegation_queries(client)
    assert SWITCHER in page and "王小宇（被监护人）" in page and "王德福（委托人）" in page
    assert len(first) <= 2
    again, page = _delegation_queries(client)
    assert again == []
    assert "王小宇（被监护人）" in page and "王德福（委托人）" in page


def test_a_renamed_ward_shows_on_the_next_page(client, guardian):
    _user, ward, _grant = guardian
    _delegation_queries(client)
    ward.name = "王小明"
    ward.save()
    _queries, page = _delegation_queries(client)
    assert "王小明（被监护人）" in page and "王小宇" not in page
    assert _delegation_queries(client)[0] == []  # cached again


def test_a_balance_update_keeps_the_switcher_cached(client, guardian):
    _user, _ward, grant = guardian
    _delegation_queries(client)
    grant.principal.balance_fen = 100
    grant.principal.save(update_fields=["balance_fen"])
    queries, _page = _delegation_queries(client)
    assert queries == []


def test_a_revoked_grant_leaves_the_switcher_on_the_next_page(client, guardian):
    _user, _ward, grant = guardian
    _delegation_queries(client)
    grant.revoked_at = timezone.now()
    grant.save()
    _queries, page = _delegation_queries(client)
    assert "王小宇（被监护人）" in page and "王德福" not in page
    assert _delegation_queries(client)[0] == []  # cached again


def test_another_resident_never_gets_the_guardians_switcher(client, guardian):
    _delegation_queries(client)  # the guardian's switcher is cached
    client.force_login(UserFactory(person__name="李秀英"))
    _delegation_queries(client)
    queries, page = _delegation_queries(client)
    assert queries == []  # his own cached answer: himself only
    assert SWITCHER not in page and "王小宇" not in page and "王德福" not in page


# --- markup rendered once per process ------------------------------------------------------------------------


def _without_csrf(page):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _render(source, context=None):
    return engines["django"].from_string("{% load hall static %}" + source).render(context or {})


def test_a_constant_fragment_sees_only_its_flags():
    source = '{% constant "probe-flags" flag %}[{{ secret }}|{% if flag %}on{% else %}off{% endif %}]{% endconstant %}'
    assert _render(source, {"secret": "王建国", "flag": True}) == "[|on]"
    assert _render(source, {"secret": "李秀英", "flag": False}) == "[|off]"
    assert _render(source, {"flag": True}) == "[|on]"


def test_a_constant_fragment_is_rendered_once_and_again_after_a_settings_change():
    source = '{% constant "probe-static" %}{% static "css/hall.css" %}{% endconstant %}'
    with mock.patch.object(StaticNode, "handle_simple", wraps=StaticNode.handle_simple) as looked_up:
        first = _render(source)
        assert _render(source) == first
        assert looked_up.call_count == 1
        with override_settings(STATIC_URL="/elsewhere/"):
            assert _render(source).startswith("/elsewhere/")


def test_the_chrome_follows_elder_mode_and_the_demo_flag_in_one_process(client):
    user = UserFactory(person__name="王建国")
    client.force_login(user)
    page = client.get("/accounts/me/").content.decode()
    assert 'aria-pressed="false"' in page and "退出关怀模式" not in page and 'class="elder-mode"' not in page
    user.elder_mode = True
    user.save(update_fields=["elder_mode"])
    page = client.get("/accounts/me/").content.decode()
    assert 'aria-pressed="true"' in page and "退出关怀模式" in page and "拨打12393" in page
    assert 'class="elder-mode"' in page and "王建国" in page
    with mock.patch.object(StaticNode, "handle_simple", wraps=StaticNode.handle_simple) as looked_up:
        assert _without_csrf(client.get("/accounts/me/").content.decode()) == _without_csrf(page)
        assert looked_up.call_count == 0  # base.html's assets: rendered on the first page of the process
    with override_settings(HALL_DEMO_DEVICES=True):
        assert 'id="demo-banner"' in client.get("/accounts/me/").content.decode()
    with override_settings(HALL_DEMO_DEVICES=False, DEBUG=False):
        page = client.get("/accounts/me/").content.decode()
        assert 'id="demo-banner"' not in page and "本服务大厅为演示系统" not in page
