"""Kept resident pages (config.pagecache): served again without a query, and never once out of date.

Every test reads a page, changes something through the hall's own services (or the admin), and reads it again.
"""

import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bindings import page_versions
from bindings.ledger import services as ledger
from bindings.models import Notice, Status
from bindings.services import binding_dissolve_by_party
from config import pagecache
from tests.factories import InsuredPersonFactory, UserFactory, guardianship, proxy_grant

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def hit(response) -> bool:
    return getattr(response, "viewer_page_hit", False)


def test_every_model_is_decided():
    """A new model of accounts or bindings must say whose pages show it, or that none does."""
    models = {m for app in ("accounts", "bindings") for m in apps.get_app_config(app).get_models()}
    undecided = models - set(page_versions.PEOPLE_OF) - page_versions.EXEMPT
    assert not undecided, sorted(m.__name__ for m in undecided)
    assert not set(page_versions.PEOPLE_OF) & page_versions.EXEMPT


@pytest.mark.parametrize(
    "url",
    ["/", "/bindings/mine/", "/bindings/notices/", "/bindings/apply/?new=1", "/ledger/usage/", "/ledger/statement/",
     "/ledger/simulator/", "/ledger/premium/"],
)  # fmt: skip
def test_second_view_is_kept_and_costs_only_the_session(client, rows, url):
    rows.binding(status=Status.ACTIVE)
    client.force_login(rows.authorizer_user)
    first = get(client, url)
    assert not hit(first)
    with CaptureQueriesContext(connection) as queries:
        second = get(client, url)
    assert hit(second)
    # The session and the signed-in user (the same as /bench/bare/'s): nothing of the page itself.
    assert len(queries) <= 2, [q["sql"][:80] for q in queries.captured_queries]
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", second.content.decode())


def test_kept_page_carries_a_working_csrf_token(rows):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rows.authorizer_user)
    get(client, "/bindings/apply/?new=1")
    kept = get(client, "/bindings/apply/?new=1")
    assert hit(kept)
    tokens = set(TOKEN.findall(kept.content.decode()))
    assert len(tokens) == 1 and pagecache.CSRF_PLACEHOLDER not in kept.content.decode()
    response = client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/"}, follow=False)
    assert response.status_code == 403  # no token: refused, so the next check means something
    response = client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/", "csrfmiddlewaretoken": tokens.pop()})
    assert response.status_code == 302


def test_elder_mode_is_its_own_page(client, rows):
    client.force_login(rows.authorizer_user)
    get(client, "/bindings/mine/")
    assert hit(get(client, "/bindings/mine/"))
    client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/"})
    page = get(client, "/bindings/mine/")
    assert not hit(page) and "elder-mode" in page.content.decode()


def test_a_clerks_decision_shows_at_once(client, rows, clerk):
    binding = rows.binding(status=Status.SUBMITTED)
    client.force_login(rows.authorizer_user)
    get(client, "/bindings/mine/")
    assert hit(get(client, "/bindings/mine/"))
    from bindings.services import binding_approve

    binding_approve(binding=binding, clerk=clerk)
    page = get(client, "/bindings/mine/")
    assert not hit(page)
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE
    assert str(binding.shown_status()) in page.content.decode()


def test_the_other_partys_change_shows_on_both_sides(rows):
    """The relative ends the binding: the authorizer's kept pages are out of date too."""
    relative_user = UserFactory(person=InsuredPersonFactory(district="360902", resident=True))
    binding = rows.binding(status=Status.ACTIVE, relative=relative_user.person)
    authorizer = Client()
    authorizer.force_login(rows.authorizer_user)
    get(authorizer, f"/bindings/{binding.pk}/")
    assert hit(get(authorizer, f"/bindings/{binding.pk}/"))
    binding_dissolve_by_party(binding=binding, user=relative_user)
    page = get(authorizer, f"/bindings/{binding.pk}/")
    assert not hit(page) and "已解除" in page.content.decode()


def test_a_ledger_entry_shows_on_the_home_and_statement(client, rows):
    person = rows.authorizer
    client.force_login(rows.authorizer_user)
    for url in ("/", "/ledger/statement/"):
        get(client, url)
        assert hit(get(client, url))
    before = person.balance_fen
    ledger.ledger_credit_month(person=person, month=timezone.localdate(), own_contribution_fen=12345)
    person.refresh_from_db()
    assert person.balance_fen > before
    for url in ("/", "/ledger/statement/"):
        assert not hit(get(client, url))


def test_notices_read_marks(client, rows):
    Notice.objects.create(person=rows.authorizer, title="审核通过", body="b")
    client.force_login(rows.authorizer_user)
    first = get(client, "/bindings/notices/")
    new = '<span class="badge text-bg-danger">新</span>'
    assert new in first.content.decode()
    second = get(client, "/bindings/notices/")  # the update() marked them read: rebuilt without the mark
    assert not hit(second) and new not in second.content.decode()
    assert hit(get(client, "/bindings/notices/"))


def test_people_do_not_see_each_others_pages(rows):
    other = UserFactory(person=InsuredPersonFactory(district="360902", name="李四"))
    mine, theirs = Client(), Client()
    mine.force_login(rows.authorizer_user)
    theirs.force_login(other)
    get(mine, "/bindings/mine/")
    assert hit(get(mine, "/bindings/mine/"))
    page = get(theirs, "/bindings/mine/")
    assert not hit(page)
    assert rows.authorizer.name not in page.content.decode() or rows.authorizer.name == other.person.name


def test_a_page_that_showed_a_message_is_not_kept(client, rows):
    client.force_login(rows.authorizer_user)
    rows.binding(status=Status.DRAFT)
    client.get("/bindings/apply/")  # resumes the draft: a message, then a redirect
    page = get(client, "/bindings/mine/")  # shows the message
    assert "未提交的申请" in page.content.decode()
    again = get(client, "/bindings/mine/")
    assert not hit(again) and "未提交的申请，已为您继续" not in again.content.decode()


def test_acting_for_a_ward_is_another_page_and_ends_at_once(client, rows):
    ward = InsuredPersonFactory(district="360902", birth=date(timezone.localdate().year - 10, 1, 1), resident=True)
    ward_of = guardianship(rows.authorizer, ward)
    client.force_login(rows.authorizer_user)
    get(client, "/")
    own = get(client, "/")
    assert hit(own)
    response = client.post("/accounts/acting/", {"person": ward.pk, "next": "/"})
    assert response.status_code == 302
    as_ward = get(client, "/")  # with the message saying for whom he acts now: not kept
    assert not hit(as_ward) and ward.name in as_ward.content.decode()
    get(client, "/")
    assert hit(get(client, "/"))
    ward_of.delete()
    ended = get(client, "/")
    assert not hit(ended)
    assert ward.name not in ended.content.decode().split("<main", 1)[0]  # no longer in the banner or switcher


def test_a_cache_outage_builds_every_page(client, rows, settings):
    client.force_login(rows.authorizer_user)
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    first, second = get(client, "/bindings/mine/"), get(client, "/bindings/mine/")
    assert not hit(first) and not hit(second)


def test_proxy_grant_scope_changes_show(client, rows):
    """A proxy's pages follow the grant: revoked, the principal's page is no longer his."""
    principal = InsuredPersonFactory(district="360902", name="赵委托")
    agent = rows.authorizer_user
    grant = proxy_grant(principal, agent.person)
    client.force_login(agent)
    client.post("/accounts/acting/", {"person": principal.pk, "next": "/"})
    get(client, "/bindings/mine/")  # the message saying for whom he acts now
    get(client, "/bindings/mine/")
    assert hit(get(client, "/bindings/mine/"))
    grant.ends_on = timezone.localdate() - timedelta(days=1)
    grant.starts_on = grant.ends_on
    grant.save()
    page = get(client, "/bindings/mine/")
    assert not hit(page)


def test_a_policy_write_rebuilds_a_residents_policy_page(client, rows):
    """The city page a resident keeps rereading is kept whole; any policy write (a new generation token) ends it."""
    from policies.cache import policies_changed

    client.force_login(rows.authorizer_user)
    get(client, "/policies/yichun/")
    assert hit(get(client, "/policies/yichun/"))
    policies_changed()
    assert not hit(get(client, "/policies/yichun/"))
    assert hit(get(client, "/policies/yichun/"))
