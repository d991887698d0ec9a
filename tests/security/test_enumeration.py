"""Hole 3 (smaller): registration and the SMS sign-in must not tell who has an account.

Before: registration answered "该身份证号码已注册账户" or "该手机号已绑定其他账户" to anyone who typed a name and ID
number (or a phone), before any code; the SMS sign-in sent codes only to registered phones, so a second request
answered "wait N seconds" for them and "sent" for others, and a guessed code answered "wrong code" for them and
"invalid or used" for others. Now the answers are the same until the phone is proved, and the sign-in counts,
and issues (without sending) a code for, every phone.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import SmsCode, SmsMessage
from tests.conftest import last_sms_code
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
REGISTER = "/accounts/register/"
SMS_LOGIN = "/accounts/login/sms/"
REVEALING = ("已注册", "已绑定", "已有账户，")


def said(response) -> tuple:
    """What a page tells: status, messages and form errors (the page itself differs only by its CSRF token)."""
    context = response.context
    if context is None:
        return (response.status_code,)
    form = context.get("form")
    found = form.errors.get_json_data() if form is not None else {}
    errors = {field: [e["message"] for e in messages] for field, messages in found.items()}
    return response.status_code, [str(m) for m in context.get("messages", [])], errors


def mask(answer: tuple, *numbers: str) -> str:
    text = repr(answer)
    for number in numbers:
        text = text.replace(number, "<n>")
    return text


# --- registration ---------------------------------------------------------------------------------------------


def send_register_code(client, person, phone):
    data = {"name": person.name, "id_number": person.id_number, "phone": phone, "action": "send_code"}
    return client.post(REGISTER, data)


def test_registration_answers_the_same_whether_the_person_has_an_account():
    registered = UserFactory().person
    newcomer = InsuredPersonFactory(phone="")
    answers = [
        said(send_register_code(Client(), p, phone))
        for p, phone in ((registered, "13700005551"), (newcomer, "13700005552"))
    ]
    assert answers[0] == answers[1]
    assert "验证码已发送到您的手机" in repr(answers[0])
    assert not any(word in repr(answers) for word in REVEALING)


def test_registration_answers_the_same_whether_the_phone_has_an_account():
    taken = UserFactory().phone
    answers = [
        said(send_register_code(Client(), InsuredPersonFactory(phone=""), phone)) for phone in (taken, "13700005553")
    ]
    assert answers[0] == answers[1]
    assert not any(word in repr(answers) for word in REVEALING)


def test_only_the_holder_of_the_phone_is_told_the_account_exists(client):
    registered = UserFactory().person
    send_register_code(client, registered, "13700005554")
    data = {
        "name": registered.name,
        "id_number": registered.id_number,
        "phone": "13700005554",
        "password1": "Kx7-blue-river",
        "password2": "Kx7-blue-river",
        "agree": "on",
        "action": "register",
    }
    wrong = "000000" if last_sms_code("13700005554") != "000000" else "111111"
    assert not any(word in repr(said(client.post(REGISTER, {**data, "sms_code": wrong}))) for word in REVEALING)
    page = client.post(REGISTER, {**data, "sms_code": last_sms_code("13700005554")}).content.decode()
    assert "该身份证号码已注册账户，请直接登录" in page
    assert 'href="/accounts/login/"' in page


# --- SMS sign-in ----------------------------------------------------------------------------------------------


def sms_conversation(phone: str) -> list[str]:
    """Everything the SMS sign-in says to someone probing one phone: sends, a resend, the hourly limit, guesses."""
    client, start = Client(), timezone.now()
    answers = []

    def post(data, at):
        with time_machine.travel(at, tick=False):
            answers.append(mask(said(client.post(SMS_LOGIN, {"phone": phone, **data})), phone))

    post({"action": "send_code"}, start)
    post({"action": "send_code"}, start + timedelta(seconds=10))  # within the resend interval
    for minute in range(2, 12, 2):
        post({"action": "send_code"}, start + timedelta(minutes=minute))  # the sixth in the hour is refused
    sent = SmsMessage.objects.filter(phone=phone).exists()
    guess = "000000" if not sent or last_sms_code(phone) != "000000" else "111111"
    for second in range(5):  # wrong guesses, then the lockout
        post({"action": "login", "sms_code": guess}, start + timedelta(minutes=12, seconds=second))
    post({"action": "login", "sms_code": guess}, start + timedelta(minutes=30))  # the lockout over: the code is dead
    return answers


def test_sms_sign_in_answers_registered_and_unregistered_phones_the_same(db):
    registered = UserFactory(phone="13911110001")
    registered_answers = sms_conversation(registered.phone)
    unknown_answers = sms_conversation("13911110002")
    assert registered_answers == unknown_answers
    joined = " ".join(registered_answers)
    for expected in ("如该手机号已注册", "秒后再重新获取", "已达5次", "验证码不正确", "429"):
        assert expected in joined, expected
    # Only the registered phone was sent anything; the unregistered one has codes nobody was told.
    assert SmsMessage.objects.filter(phone="13911110002").count() == 0
    assert SmsMessage.objects.filter(phone=registered.phone).count() == 5
    assert SmsCode.objects.filter(phone="13911110002").count() == 5
