"""The 家庭成员 switcher costs no query for a resident who acts for nobody (once cached), and appears as soon as
a guardianship or proxy grant names him."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from policies.selectors import resolved_policy
from tests.factories import InsuredPersonFactory, UserFactory, guardianship, proxy_grant

pytestmark = pytest.mark.django_db


def _queries(client, url="/"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.usefixtures("uncached_pages")  # what building the page costs
def test_a_resident_who_acts_for_nobody_pays_for_the_switcher_once(client):
    user = UserFactory()
    client.force_login(user)
    # The home page also shows his quota, from the city's policy: resolved once per process and kept.
    resolved_policy(user.person.city_code, timezone.localdate())
    first, page = _queries(client)
    second, _page = _queries(client)
    assert "hall-household-select" not in page  # no switcher (the word 家庭成员 may be in the page text)
    assert second == first - 2  # the guardianship and grant look-ups, answered from the cache


def test_the_switcher_appears_as_soon_as_a_guardianship_is_recorded(client):
    parent = UserFactory()
    client.force_login(parent)
    _queries(client)  # caches "acts for nobody"
    guardianship(parent.person, InsuredPersonFactory(birth=date(2016, 1, 1), resident=True))
    _count, page = _queries(client)
    assert "hall-household-select" in page


def test_the_switcher_appears_as_soon_as_a_proxy_is_granted(client):
    son = UserFactory()
    client.force_login(son)
    _queries(client)
    proxy_grant(InsuredPersonFactory(), son.person)
    _count, page = _queries(client)
    assert "hall-household-select" in page
