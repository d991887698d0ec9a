from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import SmsCode, SmsMessage
from tests.conftest import last_sms_code
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/accounts/register/"
PASSWORD = "Kx7-blue-river"


@pytest.fixture
def person():
    return InsuredPersonFactory(name="李秀英", resident=True, phone="")


def form(person, **extra):
    data = {"name": person.name, "id_number": person.id_number, "phone": "13700001111"}
    data.update(extra)
    return data


def send_code(client, person, **extra):
    return client.post(URL, {**form(person, **extra), "action": "send_code"})


def register(client, person, code, **extra):
    data = {**form(person), "sms_code": code, "password1": PASSWORD, "password2": PASSWORD, "agree": "on"}
    data.update(extra)
    return client.post(URL, {**data, "action": "register"})


def test_register_happy_path_signs_in(client, person):
    response = send_code(client, person)
    assert response.status_code == 200
    assert "验证码已发送" in response.content.decode()
    code = last_sms_code("13700001111")
    assert not SmsCode.objects.filter(code_hash__contains=code).exists()  # stored hashed only

    response = register(client, person, code)
    assert response.status_code == 302
    user = User.objects.get(person=person)
    assert user.phone == "13700001111"
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_name_and_number_must_match_the_registry(client, person):
    response = send_code(client, person, name="李秀")
    assert "姓名与身份证号码不匹配" in response.content.decode()
    assert SmsMessage.objects.count() == 0


def test_unknown_person_gets_the_same_message(client):
    from accounts.idnumbers import make_id_number

    stranger = InsuredPersonFactory.build(
        name="张三", id_number=make_id_number("360902", timezone.localdate().replace(year=1980), 5)
    )
    response = send_code(client, stranger)
    assert "姓名与身份证号码不匹配" in response.content.decode()


@pytest.mark.parametrize(
    ("id_number", "words"),
    [("36090219750312011", "18位"), ("360902197503120119", "校验位"), ("360902197502300110", "校验位")],
)
def test_invalid_id_numbers(client, person, id_number, words):
    response = send_code(client, person, id_number=id_number)
    assert words in response.content.decode()
    assert SmsMessage.objects.count() == 0


def test_registry_person_with_an_account_cannot_register_twice(client):
    """Said only once the phone is proved (tests/security/test_enumeration.py: not before)."""
    existing = UserFactory()
    send_code(client, existing.person, phone="13700002222")
    response = register(client, existing.person, last_sms_code("13700002222"), phone="13700002222")
    page = response.content.decode()
    assert "该身份证号码已注册账户，请直接登录" in page
    assert 'href="/accounts/login/sms/"' in page
    assert User.objects.filter(person=existing.person).count() == 1


def test_phone_taken_by_another_account(client, person):
    UserFactory(phone="13700001111")
    send_code(client, person)
    response = register(client, person, last_sms_code("13700001111"))
    assert "该手机号已绑定其他账户" in response.content.decode()
    assert not User.objects.filter(person=person).exists()


def test_wrong_code_creates_nothing(client, person):
    send_code(client, person)
    response = register(client, person, "000000" if last_sms_code("13700001111") != "000000" else "111111")
    assert "验证码不正确" in response.content.decode()
    assert not User.objects.filter(person=person).exists()


def test_reused_code_is_refused(client, person):
    send_code(client, person)
    code = last_sms_code("13700001111")
    register(client, person, code, password2="different-Pass-1")  # form error: code not consumed
    assert not User.objects.filter(person=person).exists()
    assert register(client, person, code).status_code == 302
    client.logout()
    User.objects.filter(person=person).delete()
    response = register(client, person, code)
    assert "验证码无效或已使用" in response.content.decode()
    assert not User.objects.filter(person=person).exists()


def test_expired_code_is_refused(client, person):
    send_code(client, person)
    code = last_sms_code("13700001111")
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        response = register(client, person, code)
    assert "验证码已过期" in response.content.decode()
    assert not User.objects.filter(person=person).exists()


def test_too_many_wrong_codes_kill_the_code(client, person):
    send_code(client, person)
    code = last_sms_code("13700001111")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = register(client, person, wrong)
    assert "输错次数过多" in response.content.decode()
    response = register(client, person, code)
    assert "验证码无效或已使用" in response.content.decode()


def test_resend_interval_and_hourly_limit_per_phone(client, person):
    send_code(client, person)
    response = send_code(client, person)
    assert "秒后再重新获取" in response.content.decode()
    assert SmsMessage.objects.count() == 1
    start = timezone.now()
    for minute in range(1, 6):
        with time_machine.travel(start + timedelta(minutes=minute * 2)):
            response = send_code(client, person)
    assert "1小时内获取验证码已达5次" in response.content.decode()
    assert SmsMessage.objects.count() == 5


def test_hourly_limit_per_ip(client, settings):
    settings.SMS_MAX_PER_IP_PER_HOUR = 3
    people = [InsuredPersonFactory(resident=True) for _ in range(4)]
    for i, someone in enumerate(people):
        response = send_code(client, someone, phone=f"1370000300{i}")
    assert "您所在网络获取验证码过于频繁" in response.content.decode()
    assert SmsMessage.objects.count() == 3


def test_weak_or_mismatched_passwords(client, person):
    send_code(client, person)
    code = last_sms_code("13700001111")
    response = register(client, person, code, password1="12345678", password2="12345678")
    assert response.status_code == 200
    response = register(client, person, code, password2="Other-pass-99")
    assert "两次输入的密码不一致" in response.content.decode()
    response = register(client, person, code, agree="")
    assert "请阅读并勾选同意" in response.content.decode()
    assert not User.objects.filter(person=person).exists()
    # the code survives form errors that come before it is checked
    assert register(client, person, code).status_code == 302


def test_post_without_csrf_token_is_refused_and_saves_nothing(person):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {**form(person), "action": "send_code"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert SmsMessage.objects.count() == 0


def test_a_region_code_newer_than_the_table_registers_with_a_warning(client):
    from datetime import date

    from accounts.idnumbers import make_id_number

    # An adult: a child under 14 may not register at all (issue 12, tests/delegation/test_minor_registration.py).
    person = InsuredPersonFactory(
        name="周新", id_number=make_id_number("360999", date(1996, 3, 3), 8), resident=True, phone=""
    )
    response = send_code(client, person)
    page = response.content.decode()
    assert "不在本系统的行政区划表中" in page
    assert "验证码已发送" in page
