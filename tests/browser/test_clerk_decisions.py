"""Issue 13 in the browser at 1280 px: a rejection needs a reason, an explanation and a confirmation; the resident
reads the explanation and 重新申请; a case needing two clerks says so before the first decision and names the first
clerk after it; the 待复核 filter lists it."""

from datetime import date

import pytest

from bindings.models import Binding, Status
from tests.factories import TEST_PASSWORD, clerk, submitted_binding

pytestmark = pytest.mark.django_db(transaction=True)
WIDE = {"width": 1280, "height": 900}
EXPLANATION = "户口簿照片模糊看不清姓名，请重新拍摄清晰的户口簿首页和本人页后再提交。"


def admin_sign_in(hall, username):
    page = hall.page
    page.context.clear_cookies()
    page.set_viewport_size(WIDE)
    hall.visit("/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    hall.click_and_wait(page.get_by_role("button", name="登录"))


def status_of(binding):
    return Binding.objects.get(pk=binding.pk).status


def test_a_rejection_needs_a_reason_and_a_confirmation_and_the_resident_reads_it(hall, policies):
    binding = submitted_binding()
    clerk("510400", "审核员", username="reviewer_pzh")
    admin_sign_in(hall, "reviewer_pzh")
    page = hall.visit(f"/admin/bindings/binding/{binding.pk}/change/")
    assert page.get_by_label("驳回原因").input_value() == ""  # nothing preselected
    hall.screenshot("clerk-case-decisions-1280")

    # Nothing chosen: the browser will not even send it (required), and the server says the same.
    page.get_by_role("button", name="驳回", exact=True).click()
    assert page.get_by_label("驳回原因").evaluate("el => el.validity.valueMissing")
    page.get_by_label("驳回原因").select_option("unclear_proof")
    page.get_by_label("给申请人的说明").fill("照片模糊")
    hall.click_and_wait(page.get_by_role("button", name="驳回", exact=True))
    assert page.get_by_text("说明太短").first.is_visible()
    assert status_of(binding) == Status.SUBMITTED

    page.get_by_label("给申请人的说明").fill(EXPLANATION)
    hall.click_and_wait(page.get_by_role("button", name="驳回", exact=True))
    assert page.locator("#confirm-case").inner_text() == binding.application.case_number
    assert "证明材料不清晰" in page.locator("#confirm-outcome").inner_text()
    hall.screenshot("clerk-confirm-reject-1280")
    assert status_of(binding) == Status.SUBMITTED  # no one-click reject

    hall.click_and_wait(page.get_by_role("button", name="返回修改"))
    assert page.get_by_label("给申请人的说明").input_value() == EXPLANATION
    hall.click_and_wait(page.get_by_role("button", name="驳回", exact=True))
    hall.click_and_wait(page.get_by_role("button", name="确认驳回"))
    assert status_of(binding) == Status.REJECTED

    page.context.clear_cookies()
    hall.sign_in(binding.authorizer.account.phone, TEST_PASSWORD)
    hall.visit(f"/bindings/{binding.pk}/")
    assert EXPLANATION in page.locator("#reason").inner_text()
    assert page.get_by_role("link", name="重新申请").is_visible()
    assert "12393" in page.locator("#contact").inner_text()
    hall.screenshot("resident-rejected-1280")


def test_the_case_page_announces_the_second_clerk_and_names_the_first(hall, policies):
    binding = submitted_binding(district="450802", relationship="sibling", birth=date(1990, 1, 1), pledge=True)
    ordinary = submitted_binding(district="450802")
    clerk("450800", "审核员", username="maker_gg", first_name="", last_name="李经办")
    clerk("450800", "审核员", username="checker_gg")
    admin_sign_in(hall, "maker_gg")
    page = hall.visit(f"/admin/bindings/binding/{binding.pk}/change/")
    assert page.get_by_text("此案需两名经办人员审核：成年兄弟姐妹仅凭承诺书").is_visible()
    hall.screenshot("clerk-case-two-clerks-1280")
    hall.click_and_wait(page.get_by_role("button", name="审核通过"))
    hall.click_and_wait(page.get_by_role("button", name="确认初审通过"))
    assert status_of(binding) == Status.SUBMITTED

    admin_sign_in(hall, "checker_gg")
    hall.visit("/admin/bindings/binding/?review=second")
    assert page.get_by_role("link", name=binding.application.case_number).is_visible()
    assert page.get_by_role("link", name=ordinary.application.case_number).count() == 0
    hall.screenshot("clerk-queue-second-review-1280")
    hall.click_and_wait(page.get_by_role("link", name=binding.application.case_number))
    assert page.get_by_text("已由李经办于").is_visible()
    hall.screenshot("clerk-case-first-approved-1280")
    hall.click_and_wait(page.get_by_role("button", name="复核通过"))
    hall.click_and_wait(page.get_by_role("button", name="确认审核通过"))
    assert status_of(binding) == Status.ACTIVE


def test_the_queue_fits_1280_px_without_sideways_scrolling(hall, policies):
    for _ in range(3):
        submitted_binding()
    clerk("510400", "审核员", username="reviewer_wide")
    admin_sign_in(hall, "reviewer_wide")
    page = hall.visit("/admin/bindings/binding/")
    assert page.get_by_role("columnheader", name="已等待（工作日）").is_visible()
    fits = page.evaluate(
        "() => { const r = document.querySelector('#changelist .results'); return r.scrollWidth <= r.clientWidth; }"
    )
    assert fits
    city = page.locator("td.field-city").first
    assert (
        city.inner_text() == "攀枝花市" and city.evaluate("el => el.querySelector('span').getClientRects().length") == 1
    )  # one line
    hall.screenshot("clerk-queue-1280")
