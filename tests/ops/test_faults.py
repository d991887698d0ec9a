"""Faults: PostgreSQL or Redis down. Pages answer the friendly 503 page, sign-in fails closed, nothing is lost.

The database is taken down with an execute wrapper that refuses statements the way a dead server does
(OperationalError / InterfaceError), savepoint statements excepted so the test's own transaction survives.
Redis is "down" by pointing production's cache settings at a loopback port nothing listens on.
"""

from contextlib import contextmanager

import pytest
from django.contrib.sessions.models import Session
from django.db import InterfaceError, OperationalError, connection

from accounts.models import SmsCode
from bindings.models import BindingEvent, Status
from tests.ops.conftest import free_port

pytestmark = pytest.mark.django_db

OUTAGE_TEXT = "服务暂时不可用"


@contextmanager
def database_down(error=OperationalError, only=None):
    """Refuse every statement (or those `only` accepts) as a database that went away would."""

    def refuse(execute, sql, params, many, context):
        transaction_control = sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
        if not transaction_control and (only is None or only(sql)):
            raise error("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def assert_outage_page(response):
    assert response.status_code == 503
    page = response.content.decode()
    assert OUTAGE_TEXT in page
    assert "已提交的申请和材料都已保存" in page
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# --- PostgreSQL down -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_signed_in_page_answers_503_when_the_database_is_down(resident_client, error):
    # The session and the user are loaded by middleware before the view: handler500 turns it into the 503 page.
    resident_client.raise_request_exception = False
    with database_down(error):
        response = resident_client.get("/bindings/mine/")
    assert_outage_page(response)


def test_a_view_whose_queries_fail_answers_503(resident_client, resident):
    # The session loads; the view's own query fails: ServiceUnavailableMiddleware answers.
    with database_down(only=lambda sql: "bindings_binding" in sql):
        response = resident_client.get("/bindings/mine/")
    assert_outage_page(response)


def test_the_outage_page_needs_no_database(rf, django_assert_num_queries):
    from config.views import service_unavailable

    with database_down(), django_assert_num_queries(0):
        response = service_unavailable(rf.get("/"))
    assert response.status_code == 503


def test_public_pages_without_a_session_still_answer(client):
    with database_down():
        assert client.get("/").status_code == 200


def test_password_sign_in_fails_closed_when_the_database_is_down(client, resident, password):
    client.raise_request_exception = False
    with database_down():
        response = client.post("/accounts/login/", {"identifier": resident.phone, "password": password})
    assert response.status_code == 503
    assert "sessionid" not in response.cookies
    assert "_auth_user_id" not in client.session


def test_nothing_submitted_is_lost_when_the_database_fails_mid_request(client, document):
    """The withdrawal updates the binding, then fails writing its audit row: the whole change rolls back."""
    binding = document.binding
    events = BindingEvent.objects.filter(binding=binding).count()
    client.force_login(document.owner)
    with database_down(only=lambda sql: sql.lstrip().upper().startswith('INSERT INTO "BINDINGS_BINDINGEVENT"')):
        response = client.post(f"/bindings/{binding.pk}/withdraw/")
    assert_outage_page(response)
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    assert BindingEvent.objects.filter(binding=binding).count() == events
    # Once the database is back, the resident finds the application where he left it.
    page = client.get("/bindings/mine/").content.decode()
    assert binding.application.case_number in page
    assert client.get(f"/bindings/documents/{document.pk}/").status_code == 200


def test_healthz_names_the_database_when_it_is_down(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "down: OperationalError", "cache": "ok"}


@pytest.mark.urls("tests.ops.urls")
def test_a_bug_is_still_a_500_not_disguised_as_an_outage(client):
    client.raise_request_exception = False
    response = client.get("/fail/bug/")
    assert response.status_code == 500
    assert "系统繁忙" in response.content.decode()


@pytest.mark.urls("tests.ops.urls")
def test_a_redis_error_in_a_view_answers_503(client):
    assert_outage_page(client.get("/fail/redis/"))


# --- Redis down ------------------------------------------------------------------------------------------------


def test_healthz_names_the_cache_when_redis_is_down(client, dead_redis):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "down: ConnectionError"}


def test_public_pages_answer_without_redis(client, dead_redis):
    assert client.get("/").status_code == 200
    assert client.get("/policies/").status_code == 200


def test_password_sign_in_fails_closed_when_lockouts_cannot_be_checked(client, resident, password, dead_redis):
    """Unable to write the session to Redis, nobody is signed in (lockouts themselves are in the database)."""
    response = client.post("/accounts/login/", {"identifier": resident.phone, "password": password})
    assert_outage_page(response)
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
    resident.refresh_from_db()
    assert resident.last_login is None


def test_sms_sign_in_failures_are_counted_when_redis_is_down(client, resident, dead_redis):
    """Lockouts are kept in the database (accounts.lockout): a wrong code is counted with Redis down too."""
    from axes.models import AccessAttempt

    response = client.post("/accounts/login/sms/", {"phone": resident.phone, "sms_code": "123456"})
    assert response.status_code == 200 and "验证码" in response.content.decode()
    assert AccessAttempt.objects.get().failures_since_start == 1
    assert not Session.objects.exists()


def test_sms_limits_hold_when_redis_is_down(resident, dead_redis):
    """The limits are counted in the database (accounts.ratelimit): Redis being down neither stops nor frees them."""
    from accounts.sms import SmsError, sms_code_send

    sms_code_send(phone=resident.phone, purpose="login")
    with pytest.raises(SmsError, match="秒后再重新获取"):
        sms_code_send(phone=resident.phone, purpose="login")
    assert SmsCode.objects.count() == 1


def test_signed_in_pages_answer_503_and_the_session_survives_redis(client, resident, settings, production_backends):
    client.force_login(resident)  # signed in while Redis was up; the session row is in PostgreSQL
    production_backends(f"redis://127.0.0.1:{free_port()}/0")
    client.raise_request_exception = False
    assert_outage_page(client.get("/bindings/mine/"))
    # Redis is back (empty, as after a restart): the session is read from the database; nobody was signed out.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get("/bindings/mine/")
    assert response.status_code == 200
    assert "_auth_user_id" in client.session
