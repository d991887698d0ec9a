"""A counter clerk serves a walk-in resident from ticket to printed receipt (tablet width)."""

from datetime import date

import pytest

from accounts.models import AuditEntry
from bindings.models import Binding, Status
from tests.factories import TEST_PASSWORD, InsuredPersonFactory, browser_file, clerk

pytestmark = pytest.mark.django_db(transaction=True)


def test_counter_from_ticket_to_receipt(hall, policies):
    clerk("510400", "窗口经办员", "审核员", username="clerk_pzh", first_name="窗口一号")
    grandpa = InsuredPersonFactory(district="510402", name="陈国栋", retired=True, birth=date(1955, 5, 5))
    child = InsuredPersonFactory(district="510402", name="陈小花", resident=True, birth=date(2016, 2, 2))
    page = hall.page
    page.set_viewport_size({"width": 1024, "height": 768})

    hall.visit("/counter/")  # redirected to the staff sign-in
    page.get_by_label("用户名").fill("clerk_pzh")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    hall.click_and_wait(page.get_by_role("button", name="登录"))
    assert page.get_by_role("heading", name="窗口办理").is_visible()

    hall.click_and_wait(page.get_by_role("button", name="取下一个号"))
    assert page.locator("#current-ticket").inner_text() == "A001"
    reader = page.get_by_label("居民身份证号码")
    reader.fill(grandpa.id_number)
    with page.expect_navigation():
        reader.press("Enter")  # a card reader types the number and presses Enter
    hall.check()
    assert page.get_by_role("heading", name="居民信息").is_visible()
    hall.screenshot("counter-person-1024")
    page.get_by_label("已当面核验授权人居民身份证原件").check()
    hall.click_and_wait(page.get_by_role("button", name="开始办理"))

    page.get_by_label("证件号码").fill(child.id_number)
    page.get_by_label("姓名").fill(child.name)
    page.get_by_label("与授权人的关系").select_option("child")
    page.get_by_label("使用人联系电话（手机号码）").fill("13912345678")  # 攀枝花 asks for it (seed 002)
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    page.get_by_label("拍照或选择户口簿").set_input_files(browser_file("scan.jpg"))
    page.locator("img.proof-thumb").wait_for()  # sent as soon as chosen (static/js/upload.js)
    page.get_by_label("居民已在纸质《家庭共济授权承诺书》上签字").check()
    hall.screenshot("counter-application-1024")
    hall.click_and_wait(page.get_by_role("button", name="提交并打印回执"))

    binding = Binding.objects.get()
    assert binding.status == Status.ACTIVE
    assert page.get_by_text(binding.application.case_number).is_visible()
    assert page.locator(".qr svg").count() == 1
    hall.screenshot("counter-receipt-a4")
    page.emulate_media(media="print")
    hall.screenshot("counter-receipt-a4-print")
    page.emulate_media(media="screen")
    hall.click_and_wait(page.get_by_role("link", name="80毫米小票版式"))
    page.set_viewport_size({"width": 320, "height": 700})
    hall.screenshot("counter-receipt-thermal")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"counter_submit", "approve"} <= actions
