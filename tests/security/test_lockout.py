"""Hole 3: sign-in lockout per account, whatever was typed and however; per network address; kept in the database.

Before: django-axes counted per typed string, so the phone number, the ID number and their full-width spellings
each had five guesses of their own (five wrong on the phone, then the right one through the ID number signed
in), and production kept the counts, and the SMS limits, in Redis, which a restart empties.
"""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import SmsMessage
from tests.conftest import last_sms_code
from tests.factories import TEST_PASSWORD, UserFactory, face_photo
from tests.ops.test_production_settings import run_production
from tests.security.test_identifiers import full_width

pytestmark = pytest.mark.django_db
WRONG = "not-the-password"
NAT = "203.0.113.7"


def login(client, identifier, password=TEST_PASSWORD, ip="198.51.100.20"):
    return client.post("/accounts/login/", {"identifier": identifier, "password": password}, REMOTE_ADDR=ip)


def spellings(user) -> dict[str, str]:
    number = user.person.id_number
    return {
        "phone": user.phone,
        "id_number": number,
        "full_width_phone": full_width(user.phone),
        "full_width_id_number": full_width(number.lower()),
    }


def assert_locked(response, client):
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("then", ["id_number", "full_width_phone", "full_width_id_number"])
def test_five_wrong_on_the_phone_number_lock_every_other_spelling(client, resident, then):
    for _ in range(5):
        login(client, resident.phone, WRONG)
    assert_locked(login(client, spellings(resident)[then]), client)


def test_guesses_spread_over_spellings_share_one_count(client, resident):
    """12 guesses over 3 spellings gave no lockout: now the fifth, wherever it falls, locks the account."""
    ways = spellings(resident)
    tries = [ways["phone"], ways["id_number"], ways["full_width_phone"], ways["full_width_id_number"], ways["phone"]]
    for i, identifier in enumerate(tries, start=1):
        response = login(client, identifier, WRONG)
        assert (response.status_code == 429) == (i == 5), i
    assert_locked(login(client, ways["full_width_id_number"]), client)


def test_sms_and_face_failures_count_for_the_same_account(client, resident):
    login(client, resident.person.id_number, WRONG)
    login(client, full_width(resident.phone), WRONG)
    client.post("/accounts/login/sms/", {"phone": resident.phone, "action": "send_code"})
    wrong_code = "000000" if last_sms_code(resident.phone) != "000000" else "111111"
    for _ in range(2):
        client.post("/accounts/login/sms/", {"phone": resident.phone, "sms_code": wrong_code, "action": "login"})
    # A face check that fails (the photo is too small) is the fifth failure.
    client.post("/accounts/login/face/", {"identifier": resident.person.id_number, "consent": "on"})
    response = client.post(
        "/accounts/login/face/capture/",
        {"challenge": client.session["face_challenge"], "photo": face_photo(size=(60, 60))},
    )
    assert response.status_code == 429
    assert_locked(login(client, resident.phone), client)


def test_a_sign_in_clears_the_account_count_whatever_was_typed(client, resident):
    for _ in range(4):
        login(client, resident.phone, WRONG)
    assert login(client, full_width(resident.person.id_number)).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        login(client, resident.person.id_number, WRONG)
    assert login(client, resident.phone).status_code == 302


def test_an_unknown_identifier_is_counted_across_its_spellings_too(client, resident):
    for identifier in ["13000000000", full_width("13000000000")] * 2:
        assert "账号或密码不正确" in login(client, identifier, WRONG).content.decode()
    assert_locked(login(client, full_width("1300000 0000"), WRONG), client)
    assert login(client, resident.phone).status_code == 302  # another account is not affected


def test_lockout_rows_hold_no_identifier(client, resident):
    for identifier in (resident.phone, resident.person.id_number, "13000000000"):
        login(client, identifier, WRONG)
    rows = list(AccessAttempt.objects.values_list("username", "post_data", "get_data"))
    assert {row[0].split(":")[0] for row in rows} == {"account", "unknown"}
    stored = " ".join(" ".join(row) for row in rows)
    for number in (resident.phone, resident.person.id_number, "13000000000", WRONG):
        assert number not in stored


# --- per network address --------------------------------------------------------------------------------------


def test_one_address_failing_on_many_accounts_is_stopped(client, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP_PER_HOUR = 6
    users = [UserFactory() for _ in range(4)]
    for user in users[:3]:
        for _ in range(2):  # below the per-account limit on each
            response = login(client, user.phone, WRONG, ip=NAT)
    response = login(client, users[3].phone, ip=NAT)  # even the right password is not checked
    assert response.status_code == 429
    assert "您所在网络" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Other addresses are not affected, and the refusals did not count against the accounts.
    assert login(Client(), users[3].phone, ip="198.51.100.99").status_code == 302
    later = timezone.now() + timedelta(hours=1, minutes=2)
    with time_machine.travel(later):
        other = Client()
        assert login(other, users[0].phone, ip=NAT).status_code == 302


def test_the_address_limit_is_far_above_the_account_limit(client, settings):
    assert settings.LOGIN_MAX_FAILURES_PER_IP_PER_HOUR >= 10 * settings.AXES_FAILURE_LIMIT
    users = [UserFactory() for _ in range(3)]
    for user in users:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            login(client, user.phone, WRONG, ip=NAT)
    assert login(client, users[0].phone, ip=NAT).status_code == 302  # a busy counter PC is not locked out


# --- a Redis restart ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production_axes_handler() -> str:
    """The handler production runs with (read from the production profile, in a process of its own)."""
    result = run_production("from django.conf import settings; print(settings.AXES_HANDLER)")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_lockout_survives_a_redis_restart(client, resident, production_axes_handler):
    with override_settings(AXES_HANDLER=production_axes_handler):
        for _ in range(5):
            login(client, resident.phone, WRONG)
        cache.clear()  # Redis restarted empty
        other = Client()
        assert_locked(login(other, resident.person.id_number), other)


def test_the_address_count_survives_a_redis_restart(client, settings, production_axes_handler):
    settings.LOGIN_MAX_FAILURES_PER_IP_PER_HOUR = 2
    users = [UserFactory() for _ in range(3)]
    with override_settings(AXES_HANDLER=production_axes_handler):
        login(client, users[0].phone, WRONG, ip=NAT)
        login(client, users[1].phone, WRONG, ip=NAT)
        cache.clear()
        assert login(Client(), users[2].phone, ip=NAT).status_code == 429


def test_sms_limits_survive_a_redis_restart(client, resident, settings):
    def send():
        return client.post("/accounts/login/sms/", {"phone": resident.phone, "action": "send_code"})

    start = timezone.now()
    send()
    cache.clear()
    assert "秒后再重新获取" in send().content.decode()  # the resend interval
    for minute in range(2, 10, 2):
        with time_machine.travel(start + timedelta(minutes=minute)):
            send()
    assert SmsMessage.objects.filter(phone=resident.phone).count() == settings.SMS_MAX_PER_PHONE_PER_HOUR
    cache.clear()
    with time_machine.travel(start + timedelta(minutes=12)):
        assert "1小时内获取验证码已达5次" in send().content.decode()
    assert SmsMessage.objects.filter(phone=resident.phone).count() == settings.SMS_MAX_PER_PHONE_PER_HOUR
