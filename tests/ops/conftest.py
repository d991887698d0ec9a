"""Fixtures for the operations tests: production-like backends, dead ports, a binding with a proof document."""

import os
import socket

import pytest

from tests.factories import InsuredPersonFactory, UserFactory, clerk, submitted_binding
from tests.workers import redis_url_for_worker

REDIS_URL = redis_url_for_worker(os.environ.get("REDIS_URL", ""))  # the tests flush it: one per xdist worker


def pytest_collection_modifyitems(config, items):
    """Tests marked `redis` need a real server: CI sets REDIS_URL, `make test` on a bare machine skips them."""
    if REDIS_URL:
        return
    skip = pytest.mark.skip(reason="needs Redis (REDIS_URL=redis://127.0.0.1:6379/2)")
    for item in items:
        if "redis" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_cache(location: str) -> dict:
    """The production cache entry (config/settings/production.py) pointed somewhere else."""
    return {
        "default": {
            "BACKEND": "config.cache.HallRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "hall-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }


@pytest.fixture
def production_backends(settings):
    """Sessions and the cache as production has them, returning a function that points the cache at a URL.
    (Lockouts and SMS limits are in the database in every profile: accounts.lockout, accounts.ratelimit.)"""

    def use(location: str) -> None:
        settings.CACHES = redis_cache(location)
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

    return use


@pytest.fixture
def dead_redis(production_backends):
    """Production's backends with Redis down (a port nothing listens on)."""
    production_backends(f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def live_redis(production_backends):
    """Production's backends on the real Redis at REDIS_URL (tests marked `redis`), flushed before and after."""
    from django.core.cache import cache

    production_backends(REDIS_URL)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def document(policies):
    """A submitted binding in 攀枝花 (a child: the household register is required) with its uploaded proof."""
    binding = submitted_binding()
    doc = binding.documents.first()
    assert doc is not None
    doc.owner = binding.application.created_by
    return doc


@pytest.fixture
def outsider(db):
    return UserFactory(person=InsuredPersonFactory(district="510402"))


@pytest.fixture
def region_clerk(db):
    return clerk("510400")
