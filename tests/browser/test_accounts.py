"""A resident registers, signs in each way, switches 关怀模式 and signs out, at phone width."""

import pytest

from tests.conftest import last_sms_code
from tests.factories import FACE_COLOUR, FACE_SIZE, TEST_PASSWORD, InsuredPersonFactory, UserFactory, browser_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_then_sign_out(hall):
    person = InsuredPersonFactory(name="李秀英", resident=True)
    page = hall.visit("/accounts/register/")
    page.get_by_label("姓名").fill("李秀英")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("手机号码").fill("13700005555")
    hall.click_and_wait(page.get_by_role("button", name="获取验证码"))
    assert page.get_by_text("验证码已发送到您的手机").is_visible()
    page.get_by_label("短信验证码").fill(last_sms_code("13700005555"))
    page.get_by_label("设置密码").fill("Kx7-blue-river")
    page.get_by_label("再次输入密码").fill("Kx7-blue-river")
    page.get_by_label("我已阅读并同意").check()
    hall.screenshot("register-filled-375")
    hall.click_and_wait(page.get_by_role("button", name="注册并登录"))
    assert page.get_by_text("登录成功").is_visible()
    assert page.get_by_role("link", name="李秀英").is_visible()  # his own name in full to himself
    hall.screenshot("home-signed-in-375")
    hall.click_and_wait(page.get_by_role("button", name="退出登录"))
    assert page.get_by_role("banner").get_by_role("link", name="登录", exact=True).is_visible()


def test_register_with_a_mismatched_name_says_why(hall):
    person = InsuredPersonFactory(name="李秀英", resident=True)
    page = hall.visit("/accounts/register/")
    page.get_by_label("姓名").fill("李秀")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("手机号码").fill("13700005555")
    hall.click_and_wait(page.get_by_role("button", name="获取验证码"))
    assert page.get_by_text("姓名与身份证号码不匹配").is_visible()
    hall.screenshot("register-error-375")


def test_password_sign_in(hall):
    user = UserFactory()
    hall.sign_in(user.person.id_number, TEST_PASSWORD)
    assert hall.page.get_by_text("登录成功").is_visible()
    hall.screenshot("login-password-done-375")


def test_wrong_password_message(hall):
    user = UserFactory()
    page = hall.visit("/accounts/login/")
    hall.screenshot("login-password-375")
    page.get_by_label("身份证号码或手机号码").fill(user.phone)
    page.get_by_label("密码").fill("wrong-one")
    hall.click_and_wait(page.get_by_role("button", name="登录", exact=True))
    assert page.get_by_text("账号或密码不正确").is_visible()


def test_sms_sign_in(hall):
    user = UserFactory()
    page = hall.visit("/accounts/login/")
    hall.click_and_wait(page.get_by_role("link", name="短信验证码登录"))
    page.get_by_label("手机号码").fill(user.phone)
    hall.click_and_wait(page.get_by_role("button", name="获取验证码"))
    page.get_by_label("短信验证码").fill(last_sms_code(user.phone))
    hall.screenshot("login-sms-375")
    hall.click_and_wait(page.get_by_role("button", name="登录", exact=True))
    assert page.get_by_text("登录成功").is_visible()


def _start_face(hall, user):
    page = hall.visit("/accounts/login/")
    hall.click_and_wait(page.get_by_role("link", name="人脸识别登录"))
    page.get_by_label("身份证号码").fill(user.person.id_number)
    page.get_by_label("我已阅读《人脸识别信息处理告知书》").check()
    hall.click_and_wait(page.get_by_role("button", name="开始人脸识别"))
    return page


def test_face_sign_in_with_the_camera(hall, context):
    context.grant_permissions(["camera"])
    user = UserFactory()
    page = _start_face(hall, user)
    capture = page.get_by_role("button", name="拍照并核验")
    capture.wait_for(state="visible")
    hall.screenshot("login-face-camera-375")
    hall.click_and_wait(capture)
    assert page.get_by_text("登录成功").is_visible()


def test_face_sign_in_with_the_upload_fallback(hall):
    user = UserFactory()
    page = _start_face(hall, user)
    page.get_by_label("摄像头不可用时").set_input_files(browser_file("me.jpg", size=FACE_SIZE, colour=FACE_COLOUR))
    hall.click_and_wait(page.get_by_role("button", name="上传并核验"))
    assert page.get_by_text("登录成功").is_visible()


def test_face_check_refuses_a_file_that_is_not_a_photo(hall):
    user = UserFactory()
    page = _start_face(hall, user)
    page.get_by_label("摄像头不可用时").set_input_files(
        {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}
    )
    hall.click_and_wait(page.get_by_role("button", name="上传并核验"))
    assert page.get_by_text("无法识别该照片").is_visible()
    hall.screenshot("login-face-error-375")


def test_elder_mode_switch(hall):
    user = UserFactory()
    hall.sign_in(user.phone, TEST_PASSWORD)
    page = hall.page
    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    assert "elder-mode" in page.locator("body").get_attribute("class")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20
    hall.screenshot("home-elder-375")
    hall.visit("/accounts/login/sms/")
    hall.screenshot("login-sms-elder-375")
    hall.click_and_wait(page.get_by_role("button", name="退出关怀模式"))
    assert "elder-mode" not in (page.locator("body").get_attribute("class") or "")
