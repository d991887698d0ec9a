"""The counter at 1280 px: the ID field has focus where the card reader types, and both receipt layouts print on
the paper they claim (A4, and an 80 mm slip), checked in the PDF Chromium makes."""

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from bindings.models import Binding, Status
from tests.factories import TEST_PASSWORD, InsuredPersonFactory, browser_file, clerk

pytestmark = pytest.mark.django_db(transaction=True)

MM = 72 / 25.4  # PDF points per millimetre


def focused_name(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('name')")


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(BytesIO(pdf)).pages]


def test_counter_focus_and_printed_receipt_sizes(hall, policies):
    clerk("510400", "窗口经办员", "审核员", username="clerk_pzh", first_name="窗口一号")
    grandpa = InsuredPersonFactory(district="510402", name="陈国栋", retired=True, birth=date(1955, 5, 5))
    child = InsuredPersonFactory(district="510402", name="陈小花", resident=True, birth=date(2016, 2, 2))
    page = hall.page
    page.set_viewport_size({"width": 1280, "height": 900})

    hall.visit("/counter/")  # redirected to the staff sign-in
    page.get_by_label("用户名").fill("clerk_pzh")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    hall.click_and_wait(page.get_by_role("button", name="登录"))
    assert focused_name(page) == "id_number"  # on load: the card reader can type at once

    hall.click_and_wait(page.get_by_role("button", name="取下一个号"))
    assert page.locator("#current-ticket").inner_text() == "A001"
    assert focused_name(page) == "id_number"  # and after 取下一个号, without a single Tab
    hall.screenshot("counter-desk-1280")
    page.keyboard.type(grandpa.id_number)  # the reader types where the focus is, then presses Enter
    with page.expect_navigation():
        page.keyboard.press("Enter")
    hall.check()
    assert focused_name(page) == "id_card_checked"
    page.keyboard.press("Space")
    hall.click_and_wait(page.get_by_role("button", name="开始办理"))

    assert focused_name(page) == "id_number"
    options = page.get_by_label("与授权人的关系").locator("option").all_inner_texts()
    assert options == ["请选择", "配偶", "父母", "子女"]  # 攀枝花's rules, not all 8 close relatives
    page.keyboard.type(child.id_number)
    page.get_by_label("姓名").fill(child.name)
    page.get_by_label("与授权人的关系").select_option("child")
    page.get_by_label("使用人联系电话（手机号码）").fill("13912345678")  # 攀枝花 asks for it (seed 002)
    hall.click_and_wait(page.get_by_role("button", name="预检并添加"))
    page.get_by_label("拍照或选择户口簿").set_input_files(browser_file("scan.jpg"))
    page.locator("img.proof-thumb").wait_for()  # sent as soon as chosen (static/js/upload.js)
    page.get_by_label("居民已在纸质《家庭共济授权承诺书》上签字").check()
    hall.screenshot("counter-application-1280")
    hall.click_and_wait(page.get_by_role("button", name="提交并打印回执"))

    assert Binding.objects.get().status == Status.ACTIVE
    assert page.locator("#receipt-ticket").inner_text().startswith("A001")
    assert page.locator("#receipt-office").inner_text() == "攀枝花市医疗保障经办窗口"
    assert "共济已生效" in page.locator(".next-step").inner_text()
    hall.screenshot("counter-receipt-a4-1280")
    a4 = page_sizes(page.pdf(prefer_css_page_size=True, print_background=True))
    assert a4 and all(abs(w - 595.28) < 1.5 and abs(h - 841.89) < 1.5 for w, h in a4), a4

    hall.click_and_wait(page.get_by_role("link", name="80毫米小票版式"))
    hall.screenshot("counter-receipt-thermal-1280")
    thermal = page_sizes(page.pdf(prefer_css_page_size=True, print_background=True))
    assert thermal and all(abs(w - 80 * MM) < 1.5 for w, _ in thermal), thermal  # 226.77 pt wide
    assert len(thermal) == 1, thermal  # the whole slip on one page
    note = page.locator(".note").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    data = page.locator(".receipt dd").first.evaluate("e => parseFloat(getComputedStyle(e.parentNode).fontSize)")
    assert note <= data
