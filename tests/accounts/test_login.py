import pytest
from django.contrib.auth import get_user_model

from tests.conftest import last_sms_code
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def login(client, identifier, password=TEST_PASSWORD):
    return client.post("/accounts/login/", {"identifier": identifier, "password": password})


@pytest.mark.parametrize("how", ["id_number", "id_number_lower", "phone"])
def test_password_sign_in_by_id_number_or_phone(client, resident, how):
    identifier = {
        "id_number": resident.person.id_number,
        "id_number_lower": resident.person.id_number.lower(),
        "phone": resident.phone,
    }[how]
    response = login(client, identifier)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_sign_in_rotates_the_session_key(client, resident):
    client.get("/")
    client.post("/accounts/elder-mode/", {"enabled": "1"})
    before = client.session.session_key
    login(client, resident.phone)
    assert client.session.session_key != before


def test_unknown_account_and_wrong_password_get_the_same_message(client, resident):
    wrong = login(client, resident.phone, "not-the-password").content.decode()
    unknown = login(client, "13000000000", "not-the-password").content.decode()
    message = "账号或密码不正确"
    assert message in wrong and message in unknown
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures_even_with_the_right_password(client, resident):
    for _ in range(5):
        login(client, resident.phone, "bad-password")
    response = login(client, resident.phone)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert resident.phone not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_when_it_is_local(client, resident):
    response = client.post(
        "/accounts/login/?next=/accounts/me/", {"identifier": resident.phone, "password": TEST_PASSWORD}
    )
    assert response["Location"] == "/accounts/me/"
    client.logout()
    response = client.post(
        "/accounts/login/", {"identifier": resident.phone, "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_sign_out_is_post_only(resident_client):
    assert resident_client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in resident_client.session
    response = resident_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in resident_client.session


def test_password_change(resident_client, resident):
    response = resident_client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("Brand-new-2026")
    # still signed in: Django updates the session hash
    assert resident_client.get("/accounts/me/").status_code == 200


def test_password_change_with_wrong_old_password(resident_client, resident):
    response = resident_client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"},
    )
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.check_password(TEST_PASSWORD)


def test_profile_shows_own_data(resident_client, resident):
    page = resident_client.get("/accounts/me/").content.decode()
    assert resident.person.name in page
    assert "江西省宜春市" in page
    assert "1,000.00" in page


# --- SMS code sign-in -------------------------------------------------------------------------------


def sms(client, phone, code=None):
    data = {"phone": phone, "action": "send_code" if code is None else "login"}
    if code is not None:
        data["sms_code"] = code
    return client.post("/accounts/login/sms/", data)


def test_sms_sign_in(client, resident):
    response = sms(client, resident.phone)
    assert "如该手机号已注册，验证码已发送" in response.content.decode()
    response = sms(client, resident.phone, last_sms_code(resident.phone))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_sms_to_unknown_phone_says_the_same_and_sends_nothing(client, db):
    from accounts.models import SmsMessage

    response = sms(client, "13012345678")
    assert "如该手机号已注册，验证码已发送" in response.content.decode()
    assert SmsMessage.objects.count() == 0


def test_sms_code_cannot_be_reused(client, resident):
    sms(client, resident.phone)
    code = last_sms_code(resident.phone)
    assert sms(client, resident.phone, code).status_code == 302
    client.post("/accounts/logout/")
    response = sms(client, resident.phone, code)
    assert "验证码无效或已使用" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sms_sign_in_requires_a_code_and_a_real_phone(client, resident):
    assert "请输入短信验证码" in sms(client, resident.phone, "").content.decode()
    assert "11位" in client.post("/accounts/login/sms/", {"phone": "12345", "action": "send_code"}).content.decode()


def test_sms_failures_count_towards_lockout(client, resident):
    sms(client, resident.phone)
    for _ in range(5):
        sms(client, resident.phone, "999999" if last_sms_code(resident.phone) != "999999" else "888888")
    response = login(client, resident.phone)
    assert response.status_code == 429


def test_staff_sign_in_by_user_name(client, clerk):
    response = login(client, clerk.username)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_inactive_account_cannot_sign_in(client):
    user = UserFactory(is_active=False)
    assert "账号或密码不正确" in login(client, user.phone).content.decode()
