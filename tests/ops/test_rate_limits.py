"""SMS rate limits in the database (accounts.ratelimit, RateBucket rows), and production's Redis sessions.

The limits themselves (messages, numbers) are tested from the resident's side in tests/accounts, and their
surviving a Redis restart in tests/security/test_lockout.py; here: the sliding hour, refusals that do not count,
keys that hold no phone number, clean-up, and (on PostgreSQL, tests marked `postgres`) requests that race. Tests
marked `redis` run against REDIS_URL (CI).
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from accounts import ratelimit
from accounts.models import RateBucket
from accounts.sms import SmsError, _check_rate, sms_code_send
from tests.bindings.test_concurrency import run_together

PHONE = "13712340000"


def attempt(phone=PHONE, ip="198.51.100.1", now=None):
    """True when the send is allowed (and counted), False when refused."""
    try:
        _check_rate(phone=phone, ip=ip, now=now or timezone.now())
    except SmsError:
        return False
    return True


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_a_refused_request_does_not_count(settings):
    settings.SMS_MAX_PER_IP_PER_HOUR = 1
    start = timezone.now()
    assert attempt(phone="13712340001")
    assert not attempt(phone="13712340002")  # refused for the address ...
    settings.SMS_MAX_PER_IP_PER_HOUR = 100
    settings.SMS_MAX_PER_PHONE_PER_HOUR = 1
    with time_machine.travel(start + timedelta(minutes=2)):
        assert attempt(phone="13712340002")  # ... so that phone's hour is still empty, and no resend wait


@pytest.mark.django_db
def test_the_resend_interval_ends_on_time():
    start = timezone.now()
    assert attempt(now=start)
    assert not attempt(now=start + timedelta(seconds=59))
    assert attempt(now=start + timedelta(seconds=60))


@pytest.mark.django_db
def test_the_database_holds_no_phone_number_or_address():
    assert attempt(phone=PHONE, ip="198.51.100.77")
    keys = list(RateBucket.objects.values_list("key", flat=True))
    assert len(keys) == 3  # the resend mark, the phone's minute, the address's minute
    assert not any(PHONE in key or "198.51.100.77" in key for key in keys)


@pytest.mark.django_db
def test_a_code_is_counted_once_per_send(settings):
    settings.SMS_MAX_PER_PHONE_PER_HOUR = 2
    start = timezone.now()
    sms_code_send(phone=PHONE, purpose="login")
    with time_machine.travel(start + timedelta(minutes=2)):
        sms_code_send(phone=PHONE, purpose="login")
    with time_machine.travel(start + timedelta(minutes=4)), pytest.raises(SmsError, match="已达2次"):
        sms_code_send(phone=PHONE, purpose="login")


@pytest.mark.django_db
def test_expired_windows_are_swept_when_a_new_one_opens():
    start = timezone.now().replace(second=30, microsecond=0)  # mid-minute: each step below is another window
    ratelimit.hit("old", now=start)
    ratelimit.hit("old", now=start + timedelta(minutes=1))
    assert RateBucket.objects.filter(key="old").count() == 2
    ratelimit.hit("new", now=start + ratelimit.KEEP)
    assert RateBucket.objects.filter(key="old").count() == 1  # the first has expired, the second not yet
    ratelimit.hit("new", now=start + ratelimit.KEEP + timedelta(minutes=1))
    assert not RateBucket.objects.filter(key="old").exists()


@pytest.mark.django_db
def test_a_hit_is_counted_with_the_hour_before_it():
    start = timezone.now().replace(second=30, microsecond=0)
    totals = [ratelimit.hit("k", now=start + timedelta(minutes=m)).total for m in (0, 0, 30, 60, 61)]
    assert totals == [1, 2, 3, 4, 3]  # at minute 61 the two of minute 0 have left the hour
    assert ratelimit.count("k", now=start + timedelta(minutes=61)) == 3


# --- Requests that race, on PostgreSQL ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_hits_each_get_their_own_number():
    now = timezone.now()
    outcomes = run_together(*[lambda: ratelimit.hit("race", now=now).total for _ in range(12)])
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert sorted(o.value for o in outcomes) == list(range(1, 13))
    assert RateBucket.objects.get(key="race").count == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_code_a_minute_even_when_requests_race():
    now = timezone.now()
    outcomes = run_together(*[lambda: attempt(now=now) for _ in range(8)])
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert [o.value for o in outcomes].count(True) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_per_address_limit_holds_when_requests_race(settings):
    settings.SMS_MAX_PER_IP_PER_HOUR = 3
    now = timezone.now()
    outcomes = run_together(*[lambda i=i: attempt(phone=f"1371234{i:04d}", now=now) for i in range(10)])
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert [o.value for o in outcomes].count(True) == 3
    assert ratelimit.count(ratelimit.bucket_key("sms-ip", "198.51.100.1"), now=now) == 3  # refusals taken back


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_sends_in_transactions_send_exactly_the_limit(settings):
    """sms_code_send counts inside its transaction: the row lock orders the racers until each commits."""
    settings.SMS_MAX_PER_IP_PER_HOUR = 2

    def send(i):
        try:
            sms_code_send(phone=f"1371235{i:04d}", purpose="register", ip="198.51.100.9")
        except SmsError:
            return False
        return True

    outcomes = run_together(*[lambda i=i: send(i) for i in range(6)])
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert [o.value for o in outcomes].count(True) == 2


# --- Production's Redis (CI) --------------------------------------------------------------------------------


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
