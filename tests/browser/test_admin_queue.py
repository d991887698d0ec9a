"""A clerk works through the review queue in Django admin: masked list, case page, reveal, approve."""

import pytest

from accounts.models import AuditEntry
from bindings.models import Status
from tests.factories import TEST_PASSWORD, clerk, submitted_binding

pytestmark = pytest.mark.django_db(transaction=True)


def test_clerk_reviews_and_approves(hall, policies):
    binding = submitted_binding()
    clerk("510400", "审核员", username="reviewer_pzh")
    page = hall.page
    page.set_viewport_size({"width": 1280, "height": 900})
    hall.visit("/admin/")
    page.get_by_label("用户名").fill("reviewer_pzh")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    hall.click_and_wait(page.get_by_role("button", name="登录"))
    hall.visit("/admin/bindings/binding/")
    assert page.get_by_role("link", name=binding.application.case_number).is_visible()
    assert binding.relative.id_number not in page.content()
    hall.screenshot("admin-queue")
    hall.click_and_wait(page.get_by_role("link", name=binding.application.case_number))
    assert page.get_by_text("符合共济条件").is_visible()
    hall.screenshot("admin-case")
    hall.click_and_wait(page.get_by_role("button", name="显示完整信息").first)
    assert binding.authorizer.id_number in page.content()
    hall.click_and_wait(page.get_by_role("link", name="返回脱敏视图"))
    hall.click_and_wait(page.get_by_role("button", name="审核通过"))
    hall.click_and_wait(page.get_by_role("button", name="确认审核通过"))  # issue 13: every decision is confirmed
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"reveal", "approve", "document_view"}
