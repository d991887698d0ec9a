"""A registry status change at the counter desk: a reason, a confirmation naming what ends, a truthful message."""

import pytest
from django.contrib.messages import get_messages

from accounts.models import AuditAction, AuditEntry, InsuranceStatus, InsuredPerson
from bindings import services
from bindings.counter.selectors import status_change_preview
from bindings.models import BindingEvent, Notice, Status
from tests.bindings.conftest import snapshot
from tests.factories import clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(hall):
    """A 攀枝花 member with one active binding, one pending and one returned case, and who is himself the
    relative of his wife's binding: two bindings and two cases end when he is suspended."""
    person = hall.person("panzhihua")
    active = hall.bind(person, hall.relative("panzhihua"))
    pending = hall.apply(person, hall.relative("panzhihua"))
    returned = hall.apply(person, hall.relative("panzhihua"))
    services.binding_request_more(binding=returned, clerk=hall.clerk(), missing_note="请补充户口簿")
    as_relative = hall.bind(hall.person("panzhihua"), person, "spouse")
    return person, {"active": active, "pending": pending, "returned": returned, "as_relative": as_relative}


@pytest.fixture
def desk(client):
    client.force_login(clerk("510400", "窗口经办员"))
    return client


def status_url(person):
    return f"/counter/person/{person.pk}/status/"


def ask(desk, person, status="suspended", reason="单位停止缴费", **extra):
    return desk.post(status_url(person), {"status": status, "reason": reason, "expected": person.status, **extra})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_message_names_the_new_status(desk, family):
    """Regression: after suspending, the desk said 参保状态已改为“正常” (built from the object read before)."""
    person, _ = family
    response = ask(desk, person, confirm="1")
    assert response["Location"] == f"/counter/person/{person.pk}/"
    assert messages_of(response) == ["参保状态已改为“暂停”，已自动结束4项共济关系或待审核申请。"]
    page = desk.get(response["Location"]).content.decode()
    assert "参保状态已改为“暂停”" in page and "参保状态已改为“正常”" not in page


def test_the_first_post_only_asks_to_confirm(desk, family):
    person, bindings = family
    before = {name: snapshot(b) for name, b in bindings.items()}
    response = ask(desk, person)
    assert response.status_code == 200
    page = response.content.decode()
    assert person.id_number not in page and person.id_number[-4:] in page  # masked, checkable against the card
    assert "正常 → 暂停" in page
    assert 'id="confirm-bindings">2 项' in page and 'id="confirm-cases">2 件' in page
    assert 'name="confirm"' in page and 'name="edit"' in page  # two distinct buttons, no script needed
    assert "<script" not in page.split('class="status-confirm"')[1].split("</form>")[0]
    assert InsuredPerson.objects.get(pk=person.pk).status == InsuranceStatus.NORMAL
    assert {name: snapshot(b) for name, b in bindings.items()} == before
    assert not AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGE).exists()


def test_the_confirmation_counts_what_the_service_ends(desk, family):
    person, _ = family
    preview = status_change_preview(person=person, status=InsuranceStatus.TERMINATED)
    ended = services.registry_status_change(person=person, status="terminated", actor=None)
    assert (preview.bindings, preview.cases) == (2, 2)
    assert preview.bindings + preview.cases == ended
    assert status_change_preview(person=person, status=InsuranceStatus.NORMAL).bindings == 0


def test_back_to_edit_keeps_what_was_typed_and_changes_nothing(desk, family):
    person, _ = family
    page = ask(desk, person, reason="参保关系转出", edit="1").content.decode()
    assert "参保关系转出" in page and 'name="confirm"' not in page
    assert InsuredPerson.objects.get(pk=person.pk).status == InsuranceStatus.NORMAL


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason_is_refused_and_changes_nothing(desk, family, reason):
    person, bindings = family
    before = {name: snapshot(b) for name, b in bindings.items()}
    page = ask(desk, person, reason=reason, confirm="1").content.decode()
    assert "请填写变更参保状态的原因" in page
    with pytest.raises(services.BindingError, match="请填写变更参保状态的原因") as refused:
        services.registry_status_change(
            person=person, status="suspended", actor=clerk("510400", "窗口经办员"), reason=reason
        )
    assert refused.value.code == "reason_missing"
    assert InsuredPerson.objects.get(pk=person.pk).status == InsuranceStatus.NORMAL
    assert {name: snapshot(b) for name, b in bindings.items()} == before
    assert not AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGE).exists()


def test_the_reason_reaches_the_audit_row_and_the_parties(desk, family):
    person, bindings = family
    ask(desk, person, reason="单位停止缴费", confirm="1")
    entry = AuditEntry.objects.get(action=AuditAction.STATUS_CHANGE)
    assert entry.target == f"person:{person.pk}"
    assert entry.detail == "正常 → 暂停；原因：单位停止缴费"
    for name in ("active", "as_relative"):
        binding = bindings[name]
        binding.refresh_from_db()
        assert (binding.status, binding.reason_code) == (Status.DISSOLVED, "insurance_suspended")
        assert "单位停止缴费" in binding.reason_text
        assert binding.events.last().channel == "counter"
    for name in ("pending", "returned"):
        binding = bindings[name]
        binding.refresh_from_db()
        assert binding.status == Status.TERMINATED
        assert "单位停止缴费" in binding.reason_text
    assert Notice.objects.filter(binding=bindings["active"], body__contains="单位停止缴费").exists()


def test_a_stale_confirmation_is_refused(desk, family, hall):
    """Another clerk terminated him after this clerk's confirmation page was shown: nothing is undone."""
    person, _ = family
    services.registry_status_change(person=person, status="terminated", actor=hall.clerk(), reason="死亡注销")
    events = BindingEvent.objects.count()
    page = desk.post(
        status_url(person), {"status": "suspended", "reason": "单位停止缴费", "expected": "normal", "confirm": "1"}
    ).content.decode()
    assert "刚刚已被变更为“终止”" in page
    assert InsuredPerson.objects.get(pk=person.pk).status == InsuranceStatus.TERMINATED
    assert BindingEvent.objects.count() == events
    assert AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGE).count() == 1


def test_the_current_status_is_not_offered(desk, family):
    person, _ = family
    page = desk.get(f"/counter/person/{person.pk}/").content.decode()
    form = page.split('id="status-h"')[1]
    assert '<option value="suspended"' in form and '<option value="normal"' not in form
    page = ask(desk, person, status="normal", confirm="1").content.decode()
    assert "请选择与当前状态（“正常”）不同的参保状态" in page


def test_back_to_normal_ends_nothing_and_says_so(desk, hall):
    person = hall.person("panzhihua", suspended=True)
    response = ask(desk, person, status="normal", reason="补缴后恢复", confirm="1")
    assert messages_of(response) == ["参保状态已改为“正常”，没有需要结束的共济关系。"]


def test_another_regions_resident_is_404(client, hall):
    person = hall.person("yichun")
    client.force_login(clerk("510400", "窗口经办员"))
    assert ask(client, person, confirm="1").status_code == 404
    assert InsuredPerson.objects.get(pk=person.pk).status == InsuranceStatus.NORMAL
    client.force_login(clerk("360900", "窗口经办员"))
    assert client.get(status_url(person))["Location"] == f"/counter/person/{person.pk}/"  # GET changes nothing
