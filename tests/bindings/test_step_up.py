"""The one fresh identity check (accounts.stepup): required before submitting an application and paying a
premium, good for STEP_UP_MAX_AGE and one action, made by the signed-in user himself, and `next` kept on site."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.acting import SESSION_KEY as ACTING_KEY
from accounts.stepup import step_up_peek
from bindings.models import Application, PremiumPayment
from tests.conftest import last_sms_code
from tests.factories import UserFactory, face_photo, proxy_grant, step_up

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHILD = datetime.date(2020, 6, 1)


@pytest.fixture
def draft(hall):
    authorizer = hall.person("panzhihua")
    relative = hall.relative("panzhihua", birth=CHILD)
    return hall.draft(authorizer, relative, phone=relative.phone)


def summary(application):
    return f"/bindings/applications/{application.case_number}/summary/"


def sms_check(client, user, next_url):
    url = f"/accounts/verify/?next={next_url}"
    client.post(url, {"action": "send_code", "next": next_url})
    return client.post(url, {"action": "check", "sms_code": last_sms_code(user.phone), "next": next_url})


def test_submitting_without_a_fresh_check_goes_to_the_check_page(client, hall, draft):
    client.force_login(hall.account(draft.authorizer))
    response = client.post(summary(draft), {"commitment": "on"})
    assert response.status_code == 302
    assert (
        response["Location"] == f"/accounts/verify/?next=%2Fbindings%2Fapplications%2F{draft.case_number}%2Fsummary%2F"
    )
    draft.refresh_from_db()
    assert draft.submitted_at is None


def test_after_an_sms_check_the_submit_goes_through_once(client, hall, draft):
    user = hall.account(draft.authorizer)
    client.force_login(user)
    page = client.get(f"/accounts/verify/?next={summary(draft)}").content.decode()
    assert "再次核验本人身份" in page and "获取验证码" in page
    response = sms_check(client, user, summary(draft))
    assert response.status_code == 302 and response["Location"] == summary(draft)
    assert "本人身份已核验" in client.get(summary(draft)).content.decode()
    response = client.post(summary(draft), {"commitment": "on"})
    assert response["Location"].endswith("/done/")
    draft.refresh_from_db()
    assert draft.submitted_at is not None
    assert step_up_peek(client.session, user=user) is None  # used once


def test_a_wrong_code_is_no_check(client, hall, draft):
    user = hall.account(draft.authorizer)
    client.force_login(user)
    url = f"/accounts/verify/?next={summary(draft)}"
    client.post(url, {"action": "send_code"})
    wrong = "000000" if last_sms_code(user.phone) != "000000" else "111111"
    assert "验证码不正确" in client.post(url, {"action": "check", "sms_code": wrong}).content.decode()
    assert client.post(summary(draft), {"commitment": "on"})["Location"].startswith("/accounts/verify/")


def test_the_check_expires(client, hall, draft, settings):
    user = hall.account(draft.authorizer)
    client.force_login(user)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as clock:
        sms_check(client, user, summary(draft))
        clock.shift(settings.STEP_UP_MAX_AGE + datetime.timedelta(seconds=1))
        response = client.post(summary(draft), {"commitment": "on"})
    assert response["Location"].startswith("/accounts/verify/")
    draft.refresh_from_db()
    assert draft.submitted_at is None


def test_a_face_check_counts_too(client, hall, draft):
    user = hall.account(draft.authorizer)
    client.force_login(user)
    next_url = summary(draft)
    response = client.post(f"/accounts/verify/face/?next={next_url}", {"consent": "on", "next": next_url})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/verify/face/capture/")
    challenge = client.session["step_up_face_challenge"]
    response = client.post(response["Location"], {"challenge": challenge, "photo": face_photo()})
    assert response.status_code == 302 and response["Location"] == next_url
    assert step_up_peek(client.session, user=user).method == "face"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_stays_on_this_site(client, hall, draft, target):
    user = hall.account(draft.authorizer)
    client.force_login(user)
    response = sms_check(client, user, target)
    assert response.status_code == 302 and response["Location"] == "/"


def test_while_acting_for_someone_the_agent_checks_himself(client, hall, draft):
    agent = UserFactory()
    proxy_grant(draft.authorizer, agent.person)
    client.force_login(agent)
    session = client.session
    session[ACTING_KEY] = draft.authorizer.pk
    session.save()
    page = client.get(f"/accounts/verify/?next={summary(draft)}").content.decode()
    assert agent.phone[-4:] in page and draft.authorizer.phone[-4:] not in page
    response = sms_check(client, agent, summary(draft))
    assert response["Location"] == summary(draft)
    assert client.post(summary(draft), {"commitment": "on"})["Location"].endswith("/done/")
    assert Application.objects.get(pk=draft.pk).submitted_at is not None


def test_paying_a_premium_needs_a_fresh_check(client, hall, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: datetime.date(2024, 11, 1))
    payer = hall.person("hengyang", balance_fen=660_000)
    mother = hall.relative("hengyang", birth=datetime.date(1950, 2, 14))
    binding = hall.bind(payer, mother, "parent", phone=mother.phone)
    client.force_login(hall.account(payer))
    data = {"binding": binding.pk, "year": 2025, "confirm": "1"}
    response = client.post(reverse("ledger:premium"), data)
    assert response["Location"].startswith("/accounts/verify/?next=")
    assert not PremiumPayment.objects.exists()
    step_up(client)
    client.post(reverse("ledger:premium"), data)
    assert PremiumPayment.objects.count() == 1
