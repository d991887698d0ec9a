"""An authorizer binds a child with a household-register photo; a clerk approves; the relative sees it; unbinding."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bindings.models import Binding, Status
from bindings.services import binding_approve, binding_reject
from tests.factories import TEST_PASSWORD, InsuredPersonFactory, StaffFactory, UserFactory, browser_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def family(policies):
    authorizer = UserFactory(person=InsuredPersonFactory(district="510402", name="陈志强", flexible=True))
    # Issue 12: a child under 14 has no account of his own, and a 14- to 17-year-old's opens once a guardian consents.
    child = InsuredPersonFactory(district="510402", birth=date(2011, 6, 1), name="陈思", resident=True)
    child_user = UserFactory(person=child, guardian_consent_at=timezone.now(), guardian_consent_by=authorizer)
    return authorizer, child, child_user


def _apply_for_child(hall, authorizer, child):
    hall.sign_in(authorizer.phone, TEST_PASSWORD)
    page = hall.page
    hall.click_and_wait(page.get_by_role("link", name="家庭账户共济授权登记"))
    hall.screenshot("apply-notice-375")
    page.get_by_label("我已阅读并知晓以上告知内容").check()
    hall.click_and_wait(page.get_by_role("button", name="同意并开始办理"))
    page.get_by_label("证件号码").fill(child.id_number)
    page.get_by_label("姓名").fill(child.name)
    page.get_by_label("与您的关系").select_option("child")
    page.get_by_label("使用人联系电话（手机号码）").fill("13912345678")  # 攀枝花 asks for it (seed 002)
    hall.screenshot("apply-relative-375")
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    assert page.get_by_text("预检通过").is_visible()
    page.get_by_label("拍照或选择户口簿").set_input_files(browser_file("hukou.jpg"))
    page.locator("img.proof-thumb").wait_for()  # sent as soon as chosen (static/js/upload.js)
    assert page.get_by_text("户口簿已上传").is_visible()
    hall.screenshot("apply-proof-375")
    hall.click_and_wait(page.get_by_role("button", name="下一步：核对并提交"))
    page.get_by_label("本人郑重承诺").check()
    hall.screenshot("apply-summary-375")
    hall.click_and_wait(page.get_by_role("button", name="确认提交"))
    # Authorising a relative to spend the balance: a fresh identity check first (accounts.stepup).
    assert page.get_by_role("heading", name="核验本人身份", exact=True).is_visible()
    hall.pass_step_up(authorizer.phone)
    page.get_by_label("本人郑重承诺").check()
    hall.click_and_wait(page.get_by_role("button", name="确认提交"))
    assert page.get_by_text("申请已受理").first.is_visible()
    hall.screenshot("apply-done-375")
    return page


def test_bind_approve_see_and_unbind(hall, family, browser):
    authorizer, child, child_user = family
    page = _apply_for_child(hall, authorizer, child)
    hall.click_and_wait(page.get_by_role("link", name="查看我的共济关系"))
    assert page.get_by_text("待审核").is_visible()

    binding = Binding.objects.get()
    binding_approve(binding=binding, clerk=StaffFactory(region_code="510400"))

    hall.visit("/bindings/mine/")
    assert page.get_by_text("已生效").is_visible()
    hall.screenshot("mine-authorizer-375")

    # The relative, in a browser of his own, sees who authorizes him.
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", bypass_csp=True)
    relative_page = context.new_page()
    from tests.browser.conftest import Hall

    other = Hall(relative_page, hall.base_url)
    other.sign_in(child_user.phone, TEST_PASSWORD)
    other.visit("/bindings/mine/")
    assert relative_page.get_by_text("陈*强").is_visible()
    other.screenshot("mine-relative-375")
    context.close()

    hall.visit(f"/bindings/{binding.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    hall.click_and_wait(page.get_by_role("button", name="解除共济关系"))
    assert page.get_by_text("共济关系已解除").is_visible()
    binding.refresh_from_db()
    assert binding.status == Status.DISSOLVED
    hall.screenshot("detail-dissolved-375")


def test_a_rejected_case_shows_the_reason(hall, family):
    authorizer, child, _ = family
    page = _apply_for_child(hall, authorizer, child)
    binding = Binding.objects.get()
    binding_reject(
        binding=binding,
        clerk=StaffFactory(region_code="510400"),
        reason_code="unclear_proof",
        reason_text="户口簿照片模糊，请重新拍摄",
    )
    hall.visit(f"/bindings/{binding.pk}/")
    assert page.get_by_text("已驳回").first.is_visible()
    assert page.get_by_text("户口簿照片模糊").first.is_visible()
    hall.screenshot("detail-rejected-375")


def test_binding_pages_in_elder_mode(hall, family):
    authorizer, child, _ = family
    hall.sign_in(authorizer.phone, TEST_PASSWORD)
    page = hall.page
    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    hall.visit("/bindings/apply/")
    hall.screenshot("apply-notice-elder-375")
    page.get_by_label("我已阅读并知晓以上告知内容").check()
    hall.click_and_wait(page.get_by_role("button", name="同意并开始办理"))
    page.get_by_label("证件号码").fill(child.id_number)
    page.get_by_label("姓名").fill("陈四")  # a typo: the pre-check says so in plain words
    page.get_by_label("与您的关系").select_option("child")
    page.get_by_label("使用人联系电话（手机号码）").fill("13912345678")  # 攀枝花 asks for it (seed 002)
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    assert page.get_by_text("没有查到使用人的参保登记信息").is_visible()
    hall.screenshot("apply-precheck-refused-elder-375")
    hall.visit("/bindings/mine/")
    hall.screenshot("mine-elder-375")


def test_the_relative_form_shows_its_errors(hall, family):
    """The relative step's form is laid out by hand (issue 16): the error summary takes focus and links to each
    field, which is marked invalid and described by its message, on a phone, a desktop and in elder mode."""
    authorizer, _child, _ = family
    hall.sign_in(authorizer.phone, TEST_PASSWORD)
    page = hall.page
    hall.visit("/bindings/apply/")
    page.get_by_label("我已阅读并知晓以上告知内容").check()
    hall.click_and_wait(page.get_by_role("button", name="同意并开始办理"))
    page.get_by_label("证件号码").fill("123")
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("提交未成功，请修改以下")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    number = page.get_by_label("证件号码")
    assert number.get_attribute("aria-invalid") == "true"
    assert "id_id_number_error" in number.get_attribute("aria-describedby")
    expect(page.locator("#id_id_number_error")).to_contain_text("身份证号码应为18位")
    expect(page.get_by_label("姓名")).to_have_class(re.compile(r"\bis-invalid\b"))
    hall.screenshot("apply-relative-errors-375")
    summary.get_by_role("link", name=re.compile("^姓名")).click()
    assert page.evaluate("document.activeElement.id") == "id_name"
    page.set_viewport_size({"width": 1280, "height": 900})
    hall.screenshot("apply-relative-errors-desktop")
    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    page.set_viewport_size({"width": 375, "height": 812})
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    hall.screenshot("apply-relative-errors-elder-375")
