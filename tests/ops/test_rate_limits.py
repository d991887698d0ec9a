"""SMS rate limits in the cache, and production's Redis-backed sign-in state against a real Redis server.

The limits themselves (messages, numbers) are tested from the resident's side in tests/accounts; here: the
sliding hour, refusals that do not count, concurrency, and keys that hold no phone number. Tests marked
`redis` run against REDIS_URL (CI); the others on the test profile's local-memory cache.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from accounts.sms import SmsError, _check_rate, sms_code_send

PHONE = "13712340000"


def attempt(phone=PHONE, ip="198.51.100.1", now=None):
    """True when the send is allowed (and counted), False when refused."""
    try:
        _check_rate(phone=phone, ip=ip, now=now or timezone.now())
    except SmsError:
        return False
    return True


def test_the_hour_slides(settings):
    settings.SMS_MAX_PER_PHONE_PER_HOUR = 3
    start = timezone.now()
    for minutes in (0, 2, 4):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert attempt()
    with time_machine.travel(start + timedelta(minutes=59)):
        assert not attempt()  # three in the last hour
    with time_machine.travel(start + timedelta(minutes=61, seconds=30)):
        assert attempt()  # the first one has left the hour


def test_a_refused_request_does_not_count(settings):
    settings.SMS_MAX_PER_IP_PER_HOUR = 1
    start = timezone.now()
    assert attempt(phone="13712340001")
    assert not attempt(phone="13712340002")  # refused for the address ...
    settings.SMS_MAX_PER_IP_PER_HOUR = 100
    settings.SMS_MAX_PER_PHONE_PER_HOUR = 1
    with time_machine.travel(start + timedelta(minutes=2)):
        assert attempt(phone="13712340002")  # ... so that phone's hour is still empty, and no resend wait


def stored_keys() -> list[str]:
    """Every key in the default cache: local memory (test profile) or Redis (CI's PostgreSQL run)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return list(backend._cache)
    if isinstance(backend, RedisCache):
        return [key.decode() for key in backend._cache.get_client().scan_iter()]
    pytest.skip(f"cannot list the keys of {type(backend).__name__}")


def test_the_cache_holds_no_phone_number_or_address():
    assert attempt(phone=PHONE, ip="198.51.100.77")
    keys = stored_keys()
    assert any("sms-rate" in key for key in keys)
    assert not any(PHONE in key or "198.51.100.77" in key for key in keys)


@pytest.mark.redis
def test_the_cache_holds_no_phone_number_or_address_in_redis(live_redis):
    test_the_cache_holds_no_phone_number_or_address()


@pytest.mark.django_db
def test_a_code_is_counted_once_per_send(settings, client):
    settings.SMS_MAX_PER_PHONE_PER_HOUR = 2
    start = timezone.now()
    sms_code_send(phone=PHONE, purpose="login")
    with time_machine.travel(start + timedelta(minutes=2)):
        sms_code_send(phone=PHONE, purpose="login")
    with time_machine.travel(start + timedelta(minutes=4)), pytest.raises(SmsError, match="已达2次"):
        sms_code_send(phone=PHONE, purpose="login")


# --- Against a real Redis (CI) ---------------------------------------------------------------------------------


def concurrently(calls):
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.mark.redis
def test_one_code_a_minute_even_when_requests_race(live_redis):
    now = timezone.now()
    results = concurrently([lambda: attempt(now=now) for _ in range(8)])
    assert results.count(True) == 1


@pytest.mark.redis
def test_the_per_address_limit_holds_when_requests_race(live_redis, settings):
    settings.SMS_MAX_PER_IP_PER_HOUR = 3
    now = timezone.now()
    results = concurrently([lambda i=i: attempt(phone=f"1371234{i:04d}", now=now) for i in range(10)])
    assert results.count(True) == 3


@pytest.mark.redis
def test_time_travel_works_on_redis_too(live_redis, settings):
    """Buckets are chosen by the request's time, so the resident-side tests pass on Redis as on local memory."""
    settings.SMS_MAX_PER_PHONE_PER_HOUR = 2
    start = timezone.now()
    assert attempt(now=start)
    assert not attempt(now=start + timedelta(seconds=30))  # the resend interval
    assert attempt(now=start + timedelta(minutes=2))
    assert not attempt(now=start + timedelta(minutes=4))  # two in the hour
    assert attempt(now=start + timedelta(minutes=62))


@pytest.mark.redis
@pytest.mark.django_db
def test_lockouts_are_shared_by_every_worker(live_redis, resident, password, client, settings):
    """django-axes counts failures in Redis: a second worker (another client here) sees the lockout."""
    from django.test import Client

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"identifier": resident.phone, "password": "wrong-password"})
    other_worker = Client()
    response = other_worker.post("/accounts/login/", {"identifier": resident.phone, "password": password})
    assert response.status_code == 429
    assert "_auth_user_id" not in other_worker.session


@pytest.mark.redis
@pytest.mark.django_db
def test_sessions_live_in_redis_and_survive_its_restart(live_redis, resident, password, client):
    response = client.post("/accounts/login/", {"identifier": resident.phone, "password": password})
    assert response.status_code == 302
    key = client.cookies["sessionid"].value
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is not None
    assert Session.objects.filter(session_key=key).exists()  # written through to the database
    cache.clear()  # Redis restarted empty
    assert client.get("/bindings/mine/").status_code == 200


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_with_redis(live_redis, client):
    assert client.get("/healthz").json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
