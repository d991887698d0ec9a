"""Issue 14, the resident's experience in a browser: the home that shows where he stands, 忘记密码 by the demo
SMS outbox, the fresh identity check before submitting, 放弃本次申请, and an agreement page; each screenshotted
at 375 px and on a desktop, in the normal view and in 关怀模式."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bindings.models import Application, Binding
from bindings.timeline import expected_done_on
from tests.bindings.conftest import Hall as Builder
from tests.factories import TEST_PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
CHILD = date(2020, 6, 1)


def shots(hall, name):
    """375 px and desktop, normal and 关怀模式; the page is left as it was found (normal, 375 px)."""
    page = hall.page
    hall.screenshot(f"{name}-375")
    page.set_viewport_size(DESKTOP)
    hall.screenshot(f"{name}-desktop")
    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    hall.screenshot(f"{name}-elder-desktop")
    page.set_viewport_size(PHONE)
    hall.screenshot(f"{name}-elder-375")
    hall.click_and_wait(page.get_by_role("button", name="退出关怀模式"))


@pytest.fixture
def family(policies):
    """王建国 in 攀枝花 (1,234.56 元): one child bound, another waiting for review."""
    build = Builder()
    authorizer = InsuredPersonFactory(district="510402", name="王建国", balance_fen=123_456, phone="13900000001")
    user = UserFactory(person=authorizer)
    first = build.relative("panzhihua", birth=CHILD, name="王小明")
    second = build.relative("panzhihua", birth=CHILD, name="王小红")
    build.bind(authorizer, first, phone=first.phone)
    pending = build.apply(authorizer, second, phone=second.phone)
    return user, pending


def test_home_shows_balance_relatives_and_the_tracker(hall, family):
    user, pending = family
    hall.sign_in(user.phone, TEST_PASSWORD)
    page = hall.page
    standing = page.locator("section.standing")
    expect(standing.locator("#standing-balance")).to_have_text("1,234.56")
    expect(standing.get_by_role("link", name="王小明（子女）")).to_be_visible()
    expect(standing.get_by_text("已生效")).to_be_visible()
    tracker = standing.get_by_role("list", name="王小红的办理进度")
    expect(tracker.locator("[aria-current=step]")).to_contain_text("审核中")
    expected = expected_done_on(timezone.localdate(pending.submitted_at), 3)
    expect(standing).to_contain_text(f"预计 {expected.year}年{expected.month}月{expected.day}日 前办结")
    expect(standing.get_by_text("还可绑定")).to_be_visible()
    expect(page.get_by_role("link", name="家庭账户共济授权登记")).to_be_visible()  # the tiles stay
    expect(page.locator("header .hall-user")).to_have_text("王建国")  # his own name, in full
    shots(hall, "home-standing")


def test_forgot_password_end_to_end_with_the_demo_outbox(hall, db):
    user = UserFactory(person=InsuredPersonFactory(name="王德福", phone="13900000003"))
    page = hall.visit("/accounts/login/")
    hall.click_and_wait(page.get_by_role("link", name="忘记密码？"))
    shots(hall, "forgot-1")
    page.get_by_label("身份证号码或手机号码").fill(user.person.id_number)
    hall.click_and_wait(page.get_by_role("button", name="获取验证码"))
    expect(page.get_by_text("如该账户存在，验证码已发送到账户绑定的手机号")).to_be_visible()
    code_page = page.url
    # The demo outbox is the simulated phone: read the code there, as a demo visitor does.
    hall.visit("/accounts/sms-outbox/")
    code = re.search(r"验证码是(\d{6})", page.locator("table").inner_text()).group(1)
    hall.visit(code_page.replace(hall.base_url, ""))
    shots(hall, "forgot-2")
    page.get_by_label("短信验证码").fill(code)
    hall.click_and_wait(page.get_by_role("button", name="下一步"))
    shots(hall, "forgot-3")
    page.locator("#id_new_password1").fill("Qingshan#2027")
    page.locator("#id_new_password2").fill("Qingshan#2027")
    hall.click_and_wait(page.get_by_role("button", name="确认新密码"))
    expect(page.get_by_text("密码已重新设置")).to_be_visible()
    hall.sign_in(user.phone, "Qingshan#2027")
    expect(page.get_by_text("登录成功")).to_be_visible()


def test_step_up_before_submitting_then_discard_another_draft(hall, family):
    user, _pending = family
    third = InsuredPersonFactory(district="510402", birth=CHILD, name="王小刚", resident=True)
    build = Builder()
    application = build.draft(user.person, third, phone=third.phone)
    hall.sign_in(user.phone, TEST_PASSWORD)
    page = hall.visit(f"/bindings/applications/{application.case_number}/summary/")
    page.get_by_label("本人郑重承诺").check()
    hall.click_and_wait(page.get_by_role("button", name="确认提交"))
    expect(page.get_by_role("heading", name="核验本人身份", exact=True)).to_be_visible()
    shots(hall, "step-up")
    hall.pass_step_up(user.phone)
    expect(page.get_by_text("本人身份已核验")).to_have_count(2)  # the message and the note above the button
    page.get_by_label("本人郑重承诺").check()
    hall.click_and_wait(page.get_by_role("button", name="确认提交"))
    expect(page.get_by_role("heading", name="申请已受理，等待审核")).to_be_visible()

    # A draft whose pre-check was refused: 放弃本次申请 from 我的共济关系, then 添加家人 starts afresh.
    draft = build.start(user.person)
    hall.visit("/bindings/mine/")
    hall.click_and_wait(page.locator("#draft-note").get_by_role("link", name="放弃本次申请"))
    hall.screenshot("discard-confirm-375")
    hall.click_and_wait(page.get_by_role("button", name="确认放弃并删除"))
    expect(page.get_by_text("已放弃本次申请")).to_be_visible()
    assert not Application.objects.filter(pk=draft.pk).exists()
    hall.click_and_wait(page.get_by_role("link", name="添加家人"))
    expect(page.get_by_role("button", name="同意并开始办理")).to_be_visible()
    assert Binding.objects.filter(relative=third).get().status == "submitted"


def test_agreement_pages_open_from_registration(hall, db):
    page = hall.visit("/accounts/register/")
    hall.click_and_wait(page.get_by_role("link", name="《个人信息保护政策》"))
    expect(page.get_by_role("heading", name="个人信息保护政策", level=1)).to_be_visible()
    shots(hall, "agreement-privacy")
    hall.click_and_wait(page.get_by_role("link", name="用户服务协议"))
    expect(page.get_by_role("heading", name="用户服务协议", level=1)).to_be_visible()
