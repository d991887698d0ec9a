"""Fixtures for every test, and the test database every test starts from.

The database is migrated once per session (per xdist worker) and the real policy data is loaded into it once, by
the real loader: an ordinary test runs in a transaction that is rolled back, so it sees the data and cannot
change it for the next test. A transactional test (live_server, transactional_db, the PostgreSQL concurrency
tests) ends with a flush that empties every table; the data is then put back before the next test runs.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from config import pagecache
from tests.baseline import Baseline
from tests.factories import TEST_PASSWORD, InsuredPersonFactory, StaffFactory, UserFactory
from tests.workers import redis_url_for_worker

baseline = Baseline()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real row locks and concurrent connections: skipped on SQLite."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def worker_cache():
    """Every test clears the cache before and after it: on Redis (CACHE_URL) each xdist worker needs a database
    of its own, or one would flush the other's keys mid-test (see tests/workers.py)."""
    default = settings.CACHES["default"]
    location = redis_url_for_worker(default["LOCATION"]) if default["BACKEND"].endswith("RedisCache") else None
    if location in (None, default["LOCATION"]):
        yield
        return
    with override_settings(CACHES={**settings.CACHES, "default": {**default, "LOCATION": location}}):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, worker_cache):
    """pytest-django's test database, plus the policy data every test may read."""
    with django_db_blocker.unblock():
        baseline.load()
    baseline.blocker = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (part of its teardown), put back what the next test starts from."""
    try:
        return (yield)
    finally:
        if nextitem is not None and baseline.flushed_by(item):
            baseline.restore()


@pytest.fixture
def policies(db):
    """The real policy data, loaded by the real loader (once per session; see tests/baseline.py)."""
    baseline.ensure()


@pytest.fixture
def no_policies(db):
    """No policy data at all, as before the first `load_policies` (rolled back with the test)."""
    baseline.empty()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and lockouts start at zero, and the policy generation token (policies/cache.py) is new: a policy
    memoized by an earlier test, whose edits were rolled back, is never read by this one; nor is a page kept by
    config.pagecache (SQLite reuses the primary keys of rolled-back rows)."""
    cache.clear()
    pagecache.clear()
    yield
    cache.clear()
    pagecache.clear()


@pytest.fixture
def uncached_pages(monkeypatch):
    """Every request builds its page (config.pagecache off): for tests that count what building a page costs."""
    monkeypatch.setattr(pagecache, "enabled", False)


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def resident(db):
    """A signed-up 职工医保 member in 宜春 with a personal-account balance."""
    return UserFactory(person=InsuredPersonFactory(name="王建国", phone="13911112222"))


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def clerk(db):
    return StaffFactory(region_code="360900")


@pytest.fixture
def superuser(django_user_model, db):
    return django_user_model.objects.create_superuser("root", "root@example.invalid", TEST_PASSWORD)


def last_sms_code(phone: str) -> str:
    """Read the code out of the simulated gateway's outbox, as a resident reads his phone."""
    import re

    from accounts.models import SmsMessage

    message = SmsMessage.objects.filter(phone=phone).order_by("-id").first()
    assert message is not None, f"no SMS sent to {phone}"
    return re.search(r"(\d{6})", message.body).group(1)
