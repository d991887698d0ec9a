"""Issue 12 in the browser: the under-14 refusal, the 14-year-old's waiting page, the guardian's consent page and
the minor's 请监护人办理 button, each checked with axe-core at phone width."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.conftest import last_sms_code
from tests.factories import TEST_PASSWORD, UserFactory, guardianship, person_in

pytestmark = pytest.mark.django_db(transaction=True)


def born(years: int, days: int = 40) -> date:
    today = timezone.localdate()
    return date(today.year - years, today.month, 1) - timedelta(days=days)


def fill_identity(page, person, phone):
    page.get_by_label("姓名").fill(person.name)
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("手机号码").fill(phone)


def test_under_fourteen_is_pointed_to_the_guardian(hall):
    child = person_in("yichun", birth=born(12), resident=True, name="王小宇", phone="")
    page = hall.visit("/accounts/register/")
    fill_identity(page, child, "13700004444")
    hall.click_and_wait(page.get_by_role("button", name="获取验证码"))
    assert page.get_by_text("未满14周岁的未成年人不能自行注册账号").is_visible()
    assert page.get_by_role("link", name="去“家庭成员”为孩子办理").get_attribute("href") == "/family/"
    hall.screenshot("register-under-14-375")


def test_fourteen_waits_then_the_guardian_consents(hall):
    teen = person_in("yichun", birth=born(15), resident=True, name="王小宇", phone="")
    father = UserFactory(person=person_in("yichun", name="王建国"))
    guardianship(father.person, teen)
    page = hall.visit("/accounts/register/")
    fill_identity(page, teen, "13700004445")
    hall.click_and_wait(page.get_by_role("button", name="获取验证码"))
    page.get_by_label("短信验证码").fill(last_sms_code("13700004445"))
    page.get_by_label("设置密码").fill("Kx7-blue-river")
    page.get_by_label("再次输入密码").fill("Kx7-blue-river")
    page.get_by_label("我已阅读并同意").check()
    hall.click_and_wait(page.get_by_role("button", name="注册并登录"))
    assert page.get_by_role("heading", name="注册成功，等待监护人同意").is_visible()
    hall.screenshot("register-waiting-for-guardian-375")
    hall.sign_in("13700004445", "Kx7-blue-river")
    assert page.get_by_role("heading", name="您的账户正在等待监护人同意").is_visible()
    hall.sign_in(father.phone, TEST_PASSWORD)
    hall.visit("/accounts/guardian-consent/")
    assert page.locator(".guardian-consent-row").get_by_text("王小宇").is_visible()
    hall.screenshot("guardian-consent-375")
    hall.click_and_wait(page.get_by_role("button", name="同意", exact=True))
    assert page.get_by_text("您已同意王小宇使用自己的账户").is_visible()
    hall.click_and_wait(page.get_by_role("button", name="退出登录"))
    hall.sign_in("13700004445", "Kx7-blue-river")
    assert page.get_by_text("登录成功").is_visible()
