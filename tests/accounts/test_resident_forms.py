"""Issue 14, forms everywhere: the 获取验证码 countdown from the server's interval, the error summary, the hall's own
words instead of Django's defaults, and identifier fields that take what their label says."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings

from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

SMS_LOGIN = "/accounts/login/sms/"
# Django's own Chinese, which reads like a translation and says 你 to a resident.
DJANGO_PHRASES = ["这个字段是必填项", "输入一个有效的", "选择一个有效的选项", "你的", "你"]


def errors_text(page: str) -> str:
    """The text of every error the page shows: the summary and the messages under the fields."""
    parts = re.findall(r'<div class="alert alert-danger error-summary".*?</div>', page, re.S)
    parts += re.findall(r'<div id="[^"]*_error" class="invalid-feedback">.*?</div>', page, re.S)
    return re.sub(r"<[^>]+>", " ", " ".join(parts))


def test_asking_for_a_second_code_too_soon_does_not_mark_the_phone_wrong(client):
    user = UserFactory(phone="13900000011")
    client.post(SMS_LOGIN, {"phone": user.phone, "action": "send_code"})
    page = client.post(SMS_LOGIN, {"phone": user.phone, "action": "send_code"}).content.decode()
    assert "秒后再重新获取" in page  # said as a notice
    phone_input = re.search(r'<input[^>]*name="phone"[^>]*>', page).group(0)
    assert "is-invalid" not in phone_input and "aria-invalid" not in phone_input
    assert "error-summary" not in page


@override_settings(SMS_RESEND_INTERVAL=timedelta(seconds=90))
def test_the_countdown_starts_from_the_servers_resend_interval(client):
    user = UserFactory(phone="13900000012")
    page = client.post(SMS_LOGIN, {"phone": user.phone, "action": "send_code"}).content.decode()
    button = re.search(r"<button[^>]*data-sms-send[^>]*>", page).group(0)
    wait = int(re.search(r'data-sms-wait="(\d+)"', button).group(1))
    assert 'data-sms-interval="90"' in button and 85 <= wait <= 90
    assert f"请在{wait}秒后重新获取" in page  # the no-JS hint says when


def test_before_any_code_the_button_has_nothing_to_count(client):
    page = client.get(SMS_LOGIN).content.decode()
    assert 'data-sms-wait="0"' in page and "sms-resend-hint" not in page


def test_a_failed_submit_shows_the_summary_that_links_to_each_field(client):
    page = client.post("/accounts/login/", {"identifier": "", "password": ""}).content.decode()
    assert page.count("data-error-summary") == 1
    assert 'role="alert"' in page and "提交未成功，请修改以下2项" in page
    assert 'href="#id_identifier"' in page and 'href="#id_password"' in page
    field = re.search(r'<input[^>]*name="identifier"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_identifier_error"' in field
    assert 'id="id_identifier_error"' in page


def test_the_register_page_summary_counts_its_fields(client, policies):
    page = client.post("/accounts/register/", {"action": "register"}).content.decode()
    summary = re.search(r"提交未成功，请修改以下(\d+)项", page)
    assert summary and int(summary.group(1)) == page.count('<li><a href="#id_')


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/login/", {"identifier": "", "password": ""}),
        ("/accounts/login/sms/", {"phone": "", "action": "login"}),
        ("/accounts/login/sms/", {"phone": "1390000", "action": "send_code"}),
        ("/accounts/login/face/", {"identifier": ""}),
        ("/accounts/login/face/", {"identifier": "12345"}),
        ("/accounts/register/", {"action": "register"}),
        ("/accounts/register/", {"action": "send_code", "name": "王", "id_number": "1", "phone": "2"}),
        (
            "/accounts/register/",
            {
                "action": "register",
                "name": "王建国",
                "id_number": "110101199003070011",
                "phone": "13900000099",
                "sms_code": "123456",
                "password1": "12345678",
                "password2": "12345678",
                "agree": "on",
            },
        ),
    ],
)
def test_resident_forms_speak_the_halls_words_not_djangos(client, policies, url, data):
    page = client.post(url, data).content.decode()
    text = errors_text(page)
    assert text.strip(), "the form should have shown errors"
    for phrase in DJANGO_PHRASES:
        assert phrase not in text, f"{phrase!r} in {url}: {text}"


def test_required_fields_are_named(client):
    page = client.post("/accounts/login/", {"identifier": "", "password": ""}).content.decode()
    assert "请填写身份证号码或手机号码。" in page and "请填写密码。" in page


def test_password_validators_say_you_politely(client, policies):
    from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
    from django.core.exceptions import ValidationError

    helps = " ".join(str(h) for h in password_validators_help_texts())
    assert "你" not in helps and "您的密码" in helps
    with pytest.raises(ValidationError) as refused:
        validate_password("12345678")
    assert "你" not in " ".join(refused.value.messages) and "全是数字" in " ".join(refused.value.messages)


def test_face_sign_in_takes_a_phone_number_as_its_label_says(client, policies):
    person = InsuredPersonFactory()
    user = UserFactory(person=person, phone="13900000013")
    start = client.get("/accounts/login/face/").content.decode()
    assert "身份证号码或手机号码" in start
    for identifier in (user.phone, person.id_number):
        response = client.post("/accounts/login/face/", {"identifier": identifier, "consent": "on"})
        assert response.status_code == 302, identifier
        assert response["Location"].startswith("/accounts/login/face/capture/")
    page = client.post("/accounts/login/face/", {"identifier": "13900", "consent": "on"}).content.decode()
    assert "请输入18位身份证号码或11位手机号码" in page and "应为18位" not in page


def test_password_change_speaks_the_halls_words(client):
    user = UserFactory()
    client.force_login(user)
    page = client.post(
        "/accounts/password/", {"old_password": "wrong", "new_password1": "12345678", "new_password2": "1234"}
    ).content.decode()
    text = errors_text(page)
    assert "原密码不正确" in text and "两次输入的密码不一致" in text
    for phrase in DJANGO_PHRASES:
        assert phrase not in text, f"{phrase!r}: {text}"
    empty = client.post("/accounts/password/", {}).content.decode()
    assert "请填写原密码。" in errors_text(empty)
