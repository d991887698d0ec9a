"""Issue 13: the clerk's pages speak the hall's words, not Django admin's translation (locale/zh_Hans overrides)."""

import pytest

from accounts.audit import audit
from accounts.models import AuditAction
from bindings.models import BindingEvent
from tests.factories import UserFactory, clerk, submitted_binding

pytestmark = pytest.mark.django_db


def test_the_index_and_the_queue_use_the_halls_words(client, policies):
    client.force_login(clerk("360900", "审核员"))
    index = client.get("/admin/").content.decode()
    assert "最近操作" in index and "最近动作" not in index
    queue = client.get("/admin/bindings/binding/").content.decode()
    assert "个中 0 个被选" not in queue and "已选 0 项" in queue
    assert " 以 " not in queue and "筛选" in queue


def test_the_audit_log_names_people_not_user_names(client, policies):
    reviewer = clerk("360900", "审核员", first_name="李经办")
    resident = UserFactory(username="demo_someone", person__name="王建国", person__district="360902")
    audit(actor=reviewer, action=AuditAction.REVEAL, target="person:1", region_code="360900")
    audit(actor=resident, action=AuditAction.ACT_FOR, target="binding:1", region_code="360900")
    client.force_login(reviewer)
    page = client.get("/admin/accounts/auditentry/").content.decode()
    assert "李经办" in page and "王*国" in page
    assert "demo_someone" not in page


def test_the_binding_log_shows_reasons_as_words(client, policies):
    binding = submitted_binding()
    BindingEvent.objects.create(
        binding=binding,
        actor_role="relative",
        from_status="active",
        to_status="dissolved",
        reason_code="by_relative",
        channel="online_hall",
    )
    client.force_login(clerk("510400", "审核员"))
    page = client.get("/admin/bindings/bindingevent/").content.decode()
    assert "使用人申请解除" in page and "by_relative" not in page
