"""贵港 asks a relative aged 16 and over for a face check of his own (seed 003): the wizard lists it before the
resident starts, sends him to the step "请被共济人本人完成人脸识别" after the pre-check, and the relative completes
it on the same phone with the hall's face verifier (the upload fallback, as in a browser without a camera)."""

from datetime import date

import pytest

from bindings.models import Binding, BindingEvent
from bindings.services.relative_face import FACE_COUNTER, FACE_ONLINE
from tests.factories import (
    FACE_SIZE,
    TEST_PASSWORD,
    InsuredPersonFactory,
    UserFactory,
    browser_file,
    clerk,
    edit_policy,
)

pytestmark = pytest.mark.django_db(transaction=True)

GUIGANG = "450800"
PROOF = [
    {"kind": "household_register", "max_age": 16, "pledge_allowed": True},
    {"kind": "registry_check", "min_age": 16, "upload_required": False},
]


@pytest.fixture
def guigang_family(policies):
    edit_policy(GUIGANG, relative_face_min_age=16, relative_phone_required=True, proof=PROOF)

    def make(elder_mode: bool):
        authorizer = UserFactory(
            person=InsuredPersonFactory(district="450802", name="黄志明", birth=date(1960, 3, 3), retired=True),
            elder_mode=elder_mode,
        )
        son = InsuredPersonFactory(district="450802", name="黄伟", birth=date(1988, 8, 8), resident=True)
        return authorizer, son

    return make


def _to_face_step(hall, authorizer, son, tag):
    page = hall.page
    hall.sign_in(authorizer.phone, TEST_PASSWORD)
    hall.click_and_wait(page.get_by_role("link", name="家庭账户共济授权登记"))
    requirements = page.locator("#binding-requirements")
    assert requirements.get_by_text("年满16周岁的使用人须本人完成人脸识别后才能提交").is_visible()
    assert requirements.get_by_text("须填写使用人的联系电话").is_visible()
    hall.screenshot(f"relative-face-notice-{tag}")
    page.get_by_label("我已阅读并知晓以上告知内容").check()
    hall.click_and_wait(page.get_by_role("button", name="同意并开始办理"))
    page.get_by_label("证件号码").fill(son.id_number)
    page.get_by_label("姓名").fill(son.name)
    page.get_by_label("与您的关系").select_option("child")
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    assert page.get_by_text("请填写使用人的联系电话（11位手机号码）。", exact=True).is_visible()  # fill it in
    assert page.get_by_label("证件号码").input_value() == son.id_number
    page.get_by_label("使用人联系电话（手机号码）").fill("13912345678")
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    assert page.get_by_role("heading", name="请被共济人本人完成人脸识别").is_visible()
    hall.screenshot(f"relative-face-step-{tag}")
    return page


def _face_check(hall, page, tag):
    hall.click_and_wait(page.get_by_role("button", name="开始人脸识别"))
    assert page.get_by_text("请由被共济人本人阅读并勾选同意").is_visible()
    page.get_by_label("被共济人本人已阅读").check()
    hall.click_and_wait(page.get_by_role("button", name="开始人脸识别"))
    assert page.locator("#face-prompt").is_visible()
    hall.screenshot(f"relative-face-capture-{tag}")
    page.get_by_label("摄像头不可用时：拍一张正面照片上传").set_input_files(browser_file("face.jpg", size=FACE_SIZE))
    hall.click_and_wait(page.get_by_role("button", name="上传并核验"))
    assert page.get_by_text("本人人脸识别核验通过").is_visible()
    assert page.locator(".relative-face-item").get_by_text("已完成").is_visible()
    hall.screenshot(f"relative-face-done-{tag}")


def test_the_relative_completes_his_face_check_on_a_phone_and_the_case_is_submitted(hall, guigang_family):
    authorizer, son = guigang_family(elder_mode=False)
    page = _to_face_step(hall, authorizer, son, "375")
    _face_check(hall, page, "375")
    hall.click_and_wait(page.get_by_role("button", name="下一步：核对并提交"))
    page.get_by_label("本人郑重承诺").check()
    hall.click_and_wait(page.get_by_role("button", name="确认提交"))
    hall.pass_step_up(authorizer.phone)
    page.get_by_label("本人郑重承诺").check()
    hall.click_and_wait(page.get_by_role("button", name="确认提交"))
    binding = Binding.objects.get(relative=son)
    assert binding.submitted_at is not None and binding.relative_phone == "13912345678"
    event = BindingEvent.objects.get(binding=binding, reason_code=FACE_ONLINE)
    assert event.actor == authorizer and "黄伟本人完成人脸识别" in event.reason_text


def test_the_face_step_in_elder_mode_on_a_desktop_and_a_phone(hall, guigang_family):
    authorizer, son = guigang_family(elder_mode=True)
    hall.page.set_viewport_size({"width": 1280, "height": 900})
    page = _to_face_step(hall, authorizer, son, "elder-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    hall.visit(page.url.replace(hall.base_url, ""))
    hall.screenshot("relative-face-step-elder-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    _face_check(hall, page, "elder-desktop")


def test_the_counter_records_the_relative_present_and_verified(hall, guigang_family):
    edit_policy(GUIGANG, relative_face_min_age=16, relative_phone_required=True, proof=PROOF)
    clerk("450800", "窗口经办员", username="clerk_gg", first_name="窗口二号")
    authorizer, son = guigang_family(elder_mode=False)
    page = hall.page
    page.set_viewport_size({"width": 1280, "height": 900})
    hall.visit("/counter/")
    page.get_by_label("用户名").fill("clerk_gg")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    hall.click_and_wait(page.get_by_role("button", name="登录"))
    hall.visit(f"/counter/person/{authorizer.person.pk}/")
    page.get_by_label("已当面核验授权人居民身份证原件").check()
    hall.click_and_wait(page.get_by_role("button", name="开始办理"))
    assert page.locator("#binding-requirements").get_by_text("在窗口由经办人员当面核验").is_visible()
    page.get_by_label("证件号码").fill(son.id_number)
    page.get_by_label("姓名").fill(son.name)
    page.get_by_label("与授权人的关系").select_option("child")
    page.get_by_label("使用人联系电话（手机号码）").fill("13912345678")
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    page.get_by_label("居民已在纸质《家庭共济授权承诺书》上签字").check()
    hall.click_and_wait(page.get_by_role("button", name="提交并打印回执"))
    assert page.get_by_text("贵港市规定年满16周岁的使用人须本人完成人脸识别").is_visible()
    hall.screenshot("relative-face-counter-1280")
    page.get_by_label("使用人本人已到场，已当面核验其身份证件原件并完成人脸识别").check()
    hall.click_and_wait(page.get_by_role("button", name="记录人脸核验"))
    page.get_by_label("居民已在纸质《家庭共济授权承诺书》上签字").check()
    hall.click_and_wait(page.get_by_role("button", name="提交并打印回执"))
    binding = Binding.objects.get(relative=son)
    assert binding.submitted_at is not None
    assert BindingEvent.objects.filter(binding=binding, reason_code=FACE_COUNTER).exists()
