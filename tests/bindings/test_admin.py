"""The clerks' review queue in Django admin: scope, decisions through services, maker-checker, audit."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditAction, AuditEntry
from bindings import services
from bindings.models import Binding, BindingEvent, Status
from tests.factories import InsuredPersonFactory, clerk, jpeg_upload, submitted_binding

pytestmark = pytest.mark.django_db
User = get_user_model()
QUEUE = "/admin/bindings/binding/"


@pytest.fixture
def reviewer(policies):
    return clerk("510400", "审核员")


def decide(client, binding, **data):
    """A decision as the confirmation page posts it (the confirmation step itself: tests/clerk/test_decisions.py)."""
    return client.post(f"{QUEUE}{binding.pk}/decide/", {"confirm": "1", **data}, follow=True)


def test_queue_lists_submitted_cases_oldest_first_masked(client, reviewer):
    first, second = submitted_binding(), submitted_binding()
    client.force_login(reviewer)
    page = client.get(QUEUE).content.decode()
    assert page.index(first.application.case_number) < page.index(second.application.case_number)
    assert first.relative.id_number not in page
    assert first.relative.id_number[:6] + "********" + first.relative.id_number[-4:] in page


def test_search_by_full_id_number_only(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    number = binding.relative.id_number
    assert binding.application.case_number in client.get(QUEUE, {"q": number}).content.decode()
    assert binding.application.case_number not in client.get(QUEUE, {"q": number[:10]}).content.decode()
    assert binding.application.case_number in client.get(QUEUE, {"q": binding.application.case_number}).content.decode()


def test_queue_runs_a_constant_number_of_queries(client, reviewer):
    submitted_binding()
    client.force_login(reviewer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        return len(queries)

    count()  # the first page of a process reads the filter's region list (then memoized per process)
    few = count()
    for _ in range(5):
        submitted_binding()
    assert count() == few


def test_filters_by_age_band_and_relationship(client, reviewer):
    child = submitted_binding()
    parent = submitted_binding(relationship="parent", birth=date(1950, 1, 1))
    client.force_login(reviewer)
    page = client.get(QUEUE, {"age": "60plus"}).content.decode()
    assert parent.application.case_number in page and child.application.case_number not in page
    page = client.get(QUEUE, {"relationship__exact": "child"}).content.decode()
    assert child.application.case_number in page and parent.application.case_number not in page


def test_a_clerk_of_another_region_sees_nothing_and_is_logged(client, policies):
    binding = submitted_binding()
    outsider = clerk("360900", "审核员")
    client.force_login(outsider)
    assert binding.application.case_number not in client.get(QUEUE).content.decode()
    response = client.get(f"{QUEUE}{binding.pk}/change/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(actor=outsider, action=AuditAction.REFUSED).exists()
    response = client.post(f"{QUEUE}{binding.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 404
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED


def test_a_province_clerk_and_a_supervisor_see_the_city(client, policies):
    binding = submitted_binding()
    for user in [clerk("510000", "审核员"), clerk("", "主管")]:
        client.force_login(user)
        assert binding.application.case_number in client.get(QUEUE).content.decode()


def test_case_page_shows_verdict_documents_and_masked_parties(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    page = client.get(f"{QUEUE}{binding.pk}/change/").content.decode()
    assert "符合共济条件" in page
    assert f"/bindings/documents/{binding.documents.get().pk}/" in page
    assert binding.authorizer.id_number not in page


def test_reveal_is_logged_and_shows_the_number(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    page = client.post(f"{QUEUE}{binding.pk}/reveal/", {"party": "relative"}).content.decode()
    assert binding.relative.id_number in page
    assert binding.authorizer.id_number not in page
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert entry.actor == reviewer and entry.case_number == binding.application.case_number


def test_clerk_viewing_a_document_is_audited(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    document = binding.documents.get()
    assert client.get(f"/bindings/documents/{document.pk}/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.DOCUMENT_VIEW, case_number=binding.application.case_number)


def test_approve_through_the_case_page_writes_event_and_audit(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    decide(client, binding, decision="approve", note="材料齐全")
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE
    assert BindingEvent.objects.filter(binding=binding, to_status=Status.ACTIVE, actor=reviewer).exists()
    assert AuditEntry.objects.filter(action=AuditAction.APPROVE, actor=reviewer).count() == 1


def test_reject_needs_a_reason(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    page = decide(client, binding, decision="reject", reason_code="").content.decode()
    assert "请选择驳回原因" in page
    page = decide(client, binding, decision="reject", reason_code="other", reason_text=" ").content.decode()
    assert "请填写给申请人的说明" in page
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED).count() == 2
    decide(
        client,
        binding,
        decision="reject",
        reason_code="unclear_proof",
        reason_text="户口簿照片模糊，请重新拍摄清晰照片",
    )
    binding.refresh_from_db()
    assert binding.status == Status.REJECTED and binding.reason_code == "unclear_proof"


def test_request_more_sends_it_back_and_the_resident_resubmits(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    decide(client, binding, decision="request_more", missing_note="请补充上传户口簿户主页照片")
    binding.refresh_from_db()
    assert binding.status == Status.RETURNED and "户主页" in binding.missing_note
    owner = binding.authorizer.account
    services.document_add(binding=binding, kind="household_register", upload=jpeg_upload(), actor=owner)
    services.binding_resubmit(binding=binding, actor=owner)
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED


def test_deciding_a_case_that_changed_meanwhile_is_refused(client, reviewer):
    binding = submitted_binding()
    services.binding_withdraw(binding=binding, actor=binding.authorizer.account)
    client.force_login(reviewer)
    page = decide(client, binding, decision="approve").content.decode()
    assert "不能审核通过" in page
    binding.refresh_from_db()
    assert binding.status == Status.WITHDRAWN


def test_bulk_approval_only_of_eligible_cases(client, reviewer):
    good = submitted_binding()
    stale = submitted_binding()
    services.registry_status_change(person=stale.relative, status="suspended", actor=None)  # rejects the pending one
    fresh = submitted_binding()
    fresh.relative.status = "suspended"
    fresh.relative.save()  # registry changed behind the case's back: the engine now says no
    client.force_login(reviewer)
    client.post(QUEUE, {"action": "approve_selected", "_selected_action": [good.pk, fresh.pk]}, follow=True)
    good.refresh_from_db()
    fresh.refresh_from_db()
    assert good.status == Status.ACTIVE
    assert fresh.status == Status.SUBMITTED


def test_bulk_reject_asks_for_the_reason_first(client, reviewer):
    one, two = submitted_binding(), submitted_binding()
    client.force_login(reviewer)
    page = client.post(QUEUE, {"action": "reject_selected", "_selected_action": [one.pk, two.pk]}).content.decode()
    assert "驳回原因" in page
    assert Binding.objects.filter(status=Status.SUBMITTED).count() == 2
    client.post(
        QUEUE,
        {
            "action": "reject_selected",
            "_selected_action": [one.pk, two.pk],
            "confirm": "1",
            "reason_code": "relationship_mismatch",
            "reason_text": "户口簿记载的关系与申请不一致，请核对后重新申请",
        },
    )
    assert Binding.objects.filter(status=Status.REJECTED).count() == 2


def test_a_reader_without_decide_permission_cannot_decide(client, policies):
    binding = submitted_binding()
    counter_only = clerk("510400", "窗口经办员")
    client.force_login(counter_only)
    assert client.post(f"{QUEUE}{binding.pk}/decide/", {"decision": "approve"}).status_code == 403
    page = client.get(QUEUE).content.decode()
    assert "approve_selected" not in page


def test_status_is_never_editable(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    client.post(f"{QUEUE}{binding.pk}/change/", {"status": "active"})
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED


# --- maker-checker -------------------------------------------------------------------------------------


def sensitive_case():
    """An adult sibling in 贵港 with only a pledge: waits for two clerks even though 广西 needs no review."""
    return submitted_binding(district="450802", relationship="sibling", birth=date(1990, 1, 1), pledge=True)


def test_sensitive_case_waits_for_review_and_two_clerks(client, policies):
    binding = sensitive_case()
    assert binding.status == Status.SUBMITTED
    maker, checker = clerk("450800", "审核员"), clerk("450800", "审核员")
    services.binding_approve(binding=binding, clerk=maker)
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    with pytest.raises(services.BindingError, match="另一名经办人员复核"):
        services.binding_approve(binding=binding, clerk=maker)
    services.binding_approve(binding=binding, clerk=checker)
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["first_approve", "approve"]


def test_a_clerk_who_is_a_party_cannot_decide_his_own_case(client, policies):
    binding = submitted_binding()
    resident_account = User.objects.get(person=binding.authorizer)
    resident_account.person = None
    resident_account.save()
    own = clerk("510400", "审核员")
    own.person = binding.authorizer  # the clerk is himself the authorizer
    own.save()
    services.binding_approve(binding=binding, clerk=own)  # only a first approval
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    with pytest.raises(services.BindingError, match="当事人"):
        services.binding_reject(binding=binding, clerk=own, reason_code="other", reason_text="x")
    services.binding_approve(binding=binding, clerk=clerk("510400", "审核员"))
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE


def test_registry_status_change_in_admin_dissolves_bindings(client, policies):
    binding = submitted_binding()
    services.binding_approve(binding=binding, clerk=clerk("510400", "审核员"))
    counter = clerk("510400", "窗口经办员")
    client.force_login(counter)
    person = binding.relative
    url = f"/admin/accounts/insuredperson/{person.pk}/status/"
    data = {"status": "terminated", "reason": "参保关系转出", "expected": "normal", "confirm": "1"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    binding.refresh_from_db()
    assert binding.status == Status.DISSOLVED and binding.reason_code == "insurance_terminated"
    assert AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGE, actor=counter).exists()


def test_audit_log_cannot_be_changed_or_deleted(client, reviewer, superuser):
    entry = AuditEntry.objects.create(actor=reviewer, action="reveal", target="x")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    client.force_login(superuser)
    assert client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_audit_row_and_decision_share_one_transaction(reviewer, monkeypatch):
    binding = submitted_binding()

    def broken(*args, **kwargs):
        raise RuntimeError("notification service down")

    monkeypatch.setattr("bindings.notices.notify_person", broken)
    with pytest.raises(RuntimeError):
        services.binding_approve(binding=binding, clerk=reviewer)
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    assert not AuditEntry.objects.filter(action=AuditAction.APPROVE).exists()
    assert not binding.events.filter(to_status=Status.ACTIVE).exists()


def test_overdue_cases_are_highlighted_by_the_regions_processing_time(client, reviewer):
    import time_machine
    from django.utils import timezone

    from policies.models import PolicyVersion
    from policies.services import policy_version_record_edit, stored_snapshot

    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 2, 10, 0))):  # a Monday
        binding = submitted_binding()
    client.force_login(reviewer)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 5, 10, 0))):  # 3 working days later
        assert "超时" not in client.get(QUEUE).content.decode()
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 6, 10, 0))):  # 4
        assert "超时" in client.get(QUEUE).content.decode()
        city = PolicyVersion.objects.filter(region__code="510400").latest("effective_from")
        before = stored_snapshot(city)
        city.review_working_days = 5
        city.save()
        policy_version_record_edit(version=city, before=before, actor=None)  # as the admin does
        assert "超时" not in client.get(QUEUE).content.decode()
    assert binding


def test_ledger_admin_is_read_only_and_scoped(client, reviewer, superuser):
    from bindings.ledger.services import ledger_open_balance
    from bindings.models import LedgerEntry

    here = InsuredPersonFactory(district="510402")
    there = InsuredPersonFactory(district="360902")
    ledger_open_balance(person=here)
    ledger_open_balance(person=there)
    assert reviewer.has_perm("bindings.view_ledgerentry")  # given to the clerk groups by a migration
    client.force_login(reviewer)
    page = client.get("/admin/bindings/ledgerentry/").content.decode()
    assert here.id_number[-4:] in page and there.id_number[-4:] not in page
    entry = LedgerEntry.objects.get(person=here)
    assert client.post(f"/admin/bindings/ledgerentry/{entry.pk}/change/", {"amount_fen": 1}).status_code == 403
