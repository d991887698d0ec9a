"""忘记密码 by an SMS code to the account's confirmed phone: no account enumeration, the SMS sign-in's rate limits
and lockout, Django's password validators, other sessions signed out, audited."""

import re

import pytest
from django.test import Client

from accounts.models import AuditAction, AuditEntry, SmsMessage
from tests.conftest import last_sms_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
FORGOT, CODE, NEW = "/accounts/password/forgot/", "/accounts/password/forgot/code/", "/accounts/password/forgot/new/"
NEW_PASSWORD = "Qingshan#2027"


def ask(client, identifier):
    return client.post(FORGOT, {"identifier": identifier}, follow=True)


def test_the_password_sign_in_page_links_to_it(client):
    assert f'href="{FORGOT}"' in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize("how", ["phone", "id_number"])
def test_reset_end_to_end_ends_other_sessions(client, resident, how):
    elsewhere = Client()
    elsewhere.force_login(resident)
    assert elsewhere.get("/accounts/me/").status_code == 200
    identifier = resident.phone if how == "phone" else resident.person.id_number
    page = ask(client, identifier).content.decode()
    assert "如该账户存在，验证码已发送到账户绑定的手机号" in page
    response = client.post(CODE, {"sms_code": last_sms_code(resident.phone)})
    assert response.status_code == 302 and response["Location"] == NEW
    assert (
        "两次输入的密码不一致"
        in client.post(NEW, {"new_password1": NEW_PASSWORD, "new_password2": "x"}).content.decode()
    )
    weak = client.post(NEW, {"new_password1": "12345678", "new_password2": "12345678"}).content.decode()
    assert "全是数字" in weak or "太常见" in weak  # Django's password validators, in Chinese
    resident.refresh_from_db()
    assert resident.check_password(TEST_PASSWORD)
    response = client.post(NEW, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    # The other browser is signed out at its next click.
    assert elsewhere.get("/accounts/me/").status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_RESET)
    assert entry.actor == resident and entry.region_code == resident.person.city_code
    # And he signs in with the new password.
    response = client.post("/accounts/login/", {"identifier": resident.phone, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_an_unknown_account_gets_the_same_answers_and_no_text(client, resident):
    known = ask(Client(), resident.person.id_number).content.decode()
    unknown_id = resident.person.id_number[:-4] + ("0000" if resident.person.id_number[-4:] != "0000" else "1111")
    for identifier in (unknown_id, "13012345678"):
        other = Client()
        page = ask(other, identifier).content.decode()
        assert "如该账户存在，验证码已发送到账户绑定的手机号" in page and "如该账户存在" in known
        page = other.post(CODE, {"sms_code": "123456"}).content.decode()
        assert "验证码不正确" in page
        # asking again within the minute: the same wait for everyone
        assert "秒后再重新获取" in ask(other, identifier).content.decode()
    assert SmsMessage.objects.filter(phone="13012345678").count() == 0
    assert SmsMessage.objects.count() == 1  # only the real account's phone got a text


def test_the_sms_rate_limits_hold(client, resident, settings):
    settings.SMS_RESEND_INTERVAL = settings.SMS_RESEND_INTERVAL * 0  # count the hourly limit only
    settings.SMS_MAX_PER_PHONE_PER_HOUR = 2
    ask(client, resident.phone)
    ask(client, resident.phone)
    page = ask(client, resident.phone).content.decode()
    assert "1小时内获取验证码已达2次" in page


def test_wrong_codes_lock_the_account_like_a_sign_in(client, resident):
    ask(client, resident.person.id_number)
    code = last_sms_code(resident.phone)
    wrong = "999999" if code != "999999" else "888888"
    for _ in range(5):
        response = client.post(CODE, {"sms_code": wrong})
    assert response.status_code == 429
    # The same lockout as the sign-ins: even the right password is refused now.
    response = Client().post("/accounts/login/", {"identifier": resident.phone, "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_the_new_password_page_needs_the_code_first(client, resident):
    assert client.get(NEW)["Location"] == FORGOT
    assert client.get(CODE)["Location"] == FORGOT


def test_the_code_page_counts_down_the_resend_and_asking_too_soon_is_a_notice(client, resident):
    page = ask(client, resident.phone).content.decode()
    wait = int(re.search(r'data-sms-wait="(\d+)"', page).group(1))
    assert 0 < wait <= 60  # the server's resend interval, counted down by static/js/hall.js
    assert f'name="identifier" value="{resident.phone}"' in page
    again = ask(client, resident.phone).content.decode()
    assert "is-invalid" not in again  # too soon: a notice and the countdown, not an error on the field
    assert int(re.search(r'data-sms-wait="(\d+)"', again).group(1)) > 0
    assert SmsMessage.objects.filter(phone=resident.phone).count() == 1
