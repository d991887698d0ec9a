"""The clerks' guardianship queue: decisions with the binding rules (permission, region, recusal, a reason for every
rejection, PENDING only), the audit row in the decision's transaction, the logged document view; parent links and
proxies read-only."""

from datetime import date
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditAction, AuditEntry, DelegationStatus, GuardianBasis, Guardianship
from bindings.delegation.guardians import GuardianCode, GuardianshipError, guardianship_decide, guardianship_request
from bindings.models import Notice
from tests.factories import UserFactory, clerk, family_link, jpeg_upload, person_in, proxy_grant

pytestmark = pytest.mark.django_db
QUEUE = "/admin/accounts/guardianship/"


@pytest.fixture
def reviewer():
    return clerk("510400", "审核员")


def pending_request(city="panzhihua", basis=GuardianBasis.COURT, ward_account=False, guardian_user=None):
    """A court-appointed guardian's request with its document, made through the real service."""
    guardian_user = guardian_user or UserFactory(person=person_in(city))
    ward = person_in(city, birth=date(2016, 2, 2), resident=True)
    if ward_account:
        UserFactory(person=ward)
    return guardianship_request(
        guardian_user=guardian_user,
        ward_id_number=ward.id_number,
        ward_name=ward.name,
        basis=basis,
        document=jpeg_upload(),
    )


def party_clerk(party: str):
    """A clerk of the region who is himself the guardian (his own account asked) or the ward; and the request."""
    if party == "guardian":
        interested = clerk("510400", "审核员", person=person_in("panzhihua"))
        return interested, pending_request(guardian_user=interested)
    row = pending_request()
    return clerk("510400", "审核员", person=row.ward), row


def refused(code, **kwargs) -> GuardianshipError:
    with pytest.raises(GuardianshipError) as caught:
        guardianship_decide(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def status_of(row) -> str:
    return Guardianship.objects.get(pk=row.pk).status


# --- the service's rules ------------------------------------------------------------------------------------------


def test_approval_activates_audits_and_tells_both(reviewer):
    row = pending_request(ward_account=True)
    decided = guardianship_decide(guardianship=row, clerk=reviewer, approve=True, reason_text="", ip="10.0.0.9")
    assert (decided.status, decided.verified_via, decided.decided_by) == (DelegationStatus.ACTIVE, "clerk", reviewer)
    entry = AuditEntry.objects.get(action=AuditAction.GUARDIAN_DECIDE)
    assert (entry.actor, entry.target, entry.region_code, entry.ip_address) == (
        reviewer,
        f"guardianship:{row.pk}",
        "510400",
        "10.0.0.9",
    )
    for person in (row.guardian, row.ward):
        assert Notice.objects.filter(person=person, title="监护关系已生效").exists()


def test_a_rejection_needs_a_reason_which_the_guardian_reads(reviewer):
    row = pending_request()
    for blank in ("", "   "):
        refused(GuardianCode.REASON_MISSING, guardianship=row, clerk=reviewer, approve=False, reason_text=blank)
    assert status_of(row) == DelegationStatus.PENDING
    assert not AuditEntry.objects.filter(action=AuditAction.GUARDIAN_DECIDE).exists()
    guardianship_decide(guardianship=row, clerk=reviewer, approve=False, reason_text="判决书缺少生效证明页")
    row.refresh_from_db()
    assert (row.status, row.reason_text) == (DelegationStatus.REJECTED, "判决书缺少生效证明页")
    notice = Notice.objects.get(person=row.guardian, title="监护关系申请未通过")
    assert "判决书缺少生效证明页" in notice.body
    assert "判决书缺少生效证明页" in AuditEntry.objects.get(action=AuditAction.GUARDIAN_DECIDE).detail


def test_only_a_pending_request_is_decided(reviewer):
    row = pending_request()
    guardianship_decide(guardianship=row, clerk=reviewer, approve=True)
    refused(GuardianCode.WRONG_STATE, guardianship=row, clerk=reviewer, approve=False, reason_text="重复")
    assert status_of(row) == DelegationStatus.ACTIVE


@pytest.mark.parametrize(
    "make_clerk",
    [
        pytest.param(lambda: clerk("510400", "窗口经办员"), id="counter-clerk"),
        pytest.param(lambda: clerk("510400"), id="no-role"),
        pytest.param(lambda: UserFactory(), id="resident"),
    ],
)
def test_a_clerk_without_the_permission_is_refused(make_clerk):
    row = pending_request()
    refused(GuardianCode.NO_PERMISSION, guardianship=row, clerk=make_clerk(), approve=True)
    assert status_of(row) == DelegationStatus.PENDING


@pytest.mark.parametrize("region", ["510500", "360000", ""], ids=["other-city", "other-province", "no-region"])
def test_a_clerk_of_another_region_is_refused(region):
    row = pending_request()
    refused(GuardianCode.OUTSIDE_REGION, guardianship=row, clerk=clerk(region, "审核员"), approve=True)
    assert status_of(row) == DelegationStatus.PENDING


@pytest.mark.parametrize("region", ["510000", ""], ids=["province-clerk", "supervisor-everywhere"])
def test_a_province_clerk_and_a_supervisor_may_decide(region):
    row = pending_request()
    guardianship_decide(guardianship=row, clerk=clerk(region, "主管" if not region else "审核员"), approve=True)
    assert status_of(row) == DelegationStatus.ACTIVE


@pytest.mark.parametrize("party", ["guardian", "ward"])
def test_a_clerk_who_is_a_party_must_step_aside(party):
    interested, row = party_clerk(party)
    refused(GuardianCode.CLERK_IS_PARTY, guardianship=row, clerk=interested, approve=True)
    refused(GuardianCode.CLERK_IS_PARTY, guardianship=row, clerk=interested, approve=False, reason_text="x")
    assert status_of(row) == DelegationStatus.PENDING


def test_the_audit_row_is_in_the_decisions_transaction(reviewer):
    row = pending_request()
    with (
        mock.patch("bindings.delegation.guardians.audit", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        guardianship_decide(guardianship=row, clerk=reviewer, approve=True)
    assert status_of(row) == DelegationStatus.PENDING  # no decision without its audit row
    failing_notice = mock.patch("bindings.delegation.guardians.notify_person", side_effect=RuntimeError("sms down"))
    with failing_notice, pytest.raises(RuntimeError):
        guardianship_decide(guardianship=row, clerk=reviewer, approve=True)
    assert status_of(row) == DelegationStatus.PENDING
    assert not AuditEntry.objects.filter(action=AuditAction.GUARDIAN_DECIDE).exists()  # nor an audit row alone


def test_a_ward_who_came_of_age_while_waiting_cannot_be_approved(reviewer):
    guardian = UserFactory(person=person_in("panzhihua"))
    ward = person_in("panzhihua", birth=date(2008, 12, 20), resident=True)
    with time_machine.travel(date(2026, 12, 1)):
        row = guardianship_request(
            guardian_user=guardian,
            ward_id_number=ward.id_number,
            ward_name=ward.name,
            basis=GuardianBasis.COURT,
            document=jpeg_upload(),
        )
    with time_machine.travel(date(2026, 12, 20)):
        refused(GuardianCode.WARD_HAS_CAPACITY, guardianship=row, clerk=reviewer, approve=True)
        guardianship_decide(guardianship=row, clerk=reviewer, approve=False, reason_text="已成年，无需监护")
    assert status_of(row) == DelegationStatus.REJECTED


# --- the admin pages ----------------------------------------------------------------------------------------------


def test_the_queue_is_scoped_to_the_region_and_masked(client, reviewer):
    mine, other = pending_request(), pending_request("yichun")
    client.force_login(reviewer)
    page = client.get(QUEUE).content.decode()
    assert reverse("admin:accounts_guardianship_change", args=[mine.pk]) in page
    assert reverse("admin:accounts_guardianship_change", args=[other.pk]) not in page
    assert mine.ward.id_number not in page and mine.ward.name not in page and mine.guardian.name not in page
    assert mine.ward.id_number[:6] + "********" + mine.ward.id_number[-4:] in page


def test_another_regions_case_is_not_found_and_the_attempt_is_logged(client, reviewer):
    other = pending_request("yichun")
    client.force_login(reviewer)
    for url in (
        reverse("admin:accounts_guardianship_decide", args=[other.pk]) + "?decision=approve",
        reverse("admin:accounts_guardianship_document", args=[other.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("admin:accounts_guardianship_decide", args=[other.pk]), {"decision": "approve"})
    assert response.status_code == 404
    assert status_of(other) == DelegationStatus.PENDING
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED, region_code="360900").count() == 3
    assert not AuditEntry.objects.filter(action=AuditAction.DOCUMENT_VIEW).exists()


def test_no_add_change_or_delete_in_admin(client, reviewer):
    row = pending_request()
    client.force_login(reviewer)
    assert client.get(QUEUE + "add/").status_code == 403
    assert client.post(reverse("admin:accounts_guardianship_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:accounts_guardianship_change", args=[row.pk]), {"status": "active"})
    assert status_of(row) == DelegationStatus.PENDING


def test_the_case_page_offers_confirmation_pages_not_one_click_decisions(client, reviewer):
    row = pending_request()
    client.force_login(reviewer)
    page = client.get(reverse("admin:accounts_guardianship_change", args=[row.pk])).content.decode()
    decide = reverse("admin:accounts_guardianship_decide", args=[row.pk])
    assert f"{decide}?decision=reject" in page and f"{decide}?decision=approve" in page
    assert f'action="{decide}"' not in page  # no decision form on the case page itself
    confirm = client.get(f"{decide}?decision=reject").content.decode()
    assert "确认驳回" in confirm and 'name="reason_text"' in confirm
    assert status_of(row) == DelegationStatus.PENDING  # a GET decides nothing


def test_rejecting_through_admin_without_a_reason_goes_back_to_the_confirmation(client, reviewer):
    row = pending_request()
    client.force_login(reviewer)
    decide = reverse("admin:accounts_guardianship_decide", args=[row.pk])
    response = client.post(decide, {"decision": "reject", "reason_text": ""})
    assert response.status_code == 302 and response["Location"] == f"{decide}?decision=reject"
    assert status_of(row) == DelegationStatus.PENDING
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED, target=f"guardianship:{row.pk}").exists()
    response = client.post(decide, {"decision": "reject", "reason_text": "文书不清晰"})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert status_of(row) == DelegationStatus.REJECTED


def test_approving_through_admin(client, reviewer):
    row = pending_request()
    client.force_login(reviewer)
    decide = reverse("admin:accounts_guardianship_decide", args=[row.pk])
    assert "确认审核通过" in client.get(f"{decide}?decision=approve").content.decode()
    client.post(decide, {"decision": "approve", "note": "判决书核对无误"})
    assert status_of(row) == DelegationStatus.ACTIVE
    assert AuditEntry.objects.get(action=AuditAction.GUARDIAN_DECIDE).detail == "审核通过：判决书核对无误"


def test_a_party_clerk_sees_why_he_cannot_decide(client):
    interested, row = party_clerk("guardian")
    client.force_login(interested)
    page = client.get(reverse("admin:accounts_guardianship_change", args=[row.pk])).content.decode()
    assert "须回避" in page and "?decision=approve" not in page


def test_the_document_is_served_only_through_the_logged_view(client, reviewer):
    row = pending_request()
    client.force_login(reviewer)
    url = reverse("admin:accounts_guardianship_document", args=[row.pk])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    views = AuditEntry.objects.filter(action=AuditAction.DOCUMENT_VIEW, target=f"guardianship:{row.pk}:document")
    assert views.count() == 2 and {v.region_code for v in views} == {"510400"}
    assert (
        row.document_name
        not in client.get(reverse("admin:accounts_guardianship_change", args=[row.pk])).content.decode()
    )


def test_the_document_view_refuses_residents_and_clerks_without_the_right(client):
    row = pending_request()
    url = reverse("admin:accounts_guardianship_document", args=[row.pk])
    client.force_login(row.requested_by)  # even the one who uploaded it: not through the clerks' door
    assert client.get(url).status_code == 302
    client.force_login(clerk("510400"))
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.DOCUMENT_VIEW).exists()


def test_revealing_the_full_names_is_logged(client, reviewer):
    row = pending_request()
    client.force_login(reviewer)
    page = client.post(reverse("admin:accounts_guardianship_reveal", args=[row.pk])).content.decode()
    assert row.ward.id_number in page and row.guardian.name in page
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, target=f"guardianship:{row.pk}").count() == 1


def test_parent_links_and_proxies_are_listed_read_only_and_scoped(client, reviewer):
    parent, child = person_in("panzhihua"), person_in("panzhihua", birth=date(2016, 1, 1))
    far_parent, far_child = person_in("yichun"), person_in("yichun", birth=date(2016, 1, 1))
    link, far_link = family_link(parent, child), family_link(far_parent, far_child)
    grant, far_grant = proxy_grant(parent, person_in("panzhihua")), proxy_grant(far_parent, person_in("yichun"))
    client.force_login(reviewer)
    links = client.get("/admin/accounts/familylink/").content.decode()
    assert f"/admin/accounts/familylink/{link.pk}/" in links
    assert f"/admin/accounts/familylink/{far_link.pk}/" not in links
    assert child.name not in links and child.id_number not in links
    grants = client.get("/admin/accounts/proxygrant/").content.decode()
    assert f"/admin/accounts/proxygrant/{grant.pk}/" in grants
    assert f"/admin/accounts/proxygrant/{far_grant.pk}/" not in grants
    assert "申请和解除共济" in grants and parent.name not in grants
    for model in ("familylink", "proxygrant"):
        assert client.get(f"/admin/accounts/{model}/add/").status_code == 403
    client.post(f"/admin/accounts/proxygrant/{grant.pk}/change/", {"may_pay": "on"})
    grant.refresh_from_db()
    assert not grant.may_pay
