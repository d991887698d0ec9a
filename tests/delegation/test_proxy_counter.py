"""Proxies (代办人) at the counter: ID card checked, the signed 委托书 stored privately, the counter permission and
region, the audit row in the grant's own transaction, no orphan file, and revoking at the counter."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.acting import acting_for
from accounts.models import AuditAction, AuditEntry, GrantChannel, ProxyGrant
from bindings import uploads
from bindings.delegation import proxies
from bindings.delegation.proxies import ProxyCode, ProxyError, proxy_grant_at_counter
from bindings.models import Notice
from tests.factories import InsuredPersonFactory, UserFactory, clerk, counter_clerk, jpeg_upload, proxy_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def elder():
    """A 宜春 retiree without an account: the counter is how he names a proxy."""
    return InsuredPersonFactory(name="孙桂兰", birth=date(1945, 9, 9), phone="13900000011")


@pytest.fixture
def daughter():
    return UserFactory(person=InsuredPersonFactory(name="孙丽娟", birth=date(1972, 7, 7), phone="13900000012"))


@pytest.fixture
def desk(client):
    client.clerk = counter_clerk("360900")
    client.force_login(client.clerk)
    return client


@pytest.fixture
def stored(monkeypatch):
    """Every storage name the upload code hands out during the test."""
    names = []
    real = uploads.store_document

    def spy(doc):
        names.append(real(doc))
        return names[-1]

    monkeypatch.setattr(uploads, "store_document", spy)
    return names


def form_data(agent, **extra):
    return {
        "id_checked": "on",
        "agent_id_number": agent.id_number,
        "agent_name": agent.name,
        "may_apply": "on",
        "may_pay": "on",
        "ends_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "letter": jpeg_upload(name="weituoshu.jpg"),
        **extra,
    }


def grant_at_counter(clerk_user, principal, agent, **fields):
    values = {
        "agent_id_number": agent.id_number,
        "agent_name": agent.name,
        "may_apply": True,
        "may_pay": False,
        "ends_on": timezone.localdate() + timedelta(days=365),
        "letter": jpeg_upload(),
        "id_checked": True,
        **fields,
    }
    return proxy_grant_at_counter(clerk=clerk_user, principal=principal, **values)


def test_counter_grant_from_person_page_to_receipt(desk, elder, daughter, stored):
    page = desk.get(f"/counter/person/{elder.pk}/").content.decode()
    assert "办理代办授权" in page
    form = desk.get(f"/counter/person/{elder.pk}/proxy/").content.decode()
    assert "autofocus" in re.search(r'<input[^>]*name="id_checked"[^>]*>', form).group(0)  # keyboard first
    response = desk.post(f"/counter/person/{elder.pk}/proxy/", form_data(daughter.person))
    grant = ProxyGrant.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/counter/proxies/{grant.pk}/"
    assert grant.granted_via == GrantChannel.COUNTER and grant.granted_by == desk.clerk
    assert grant.may_apply and grant.may_pay and grant.region_code == "360900"
    assert stored == [grant.document_name] and default_storage.exists(grant.document_name)
    assert grant.document_type == "image/jpeg"
    receipt = desk.get(response["Location"]).content.decode()
    assert "代办授权回执" in receipt and "孙*兰" in receipt and "孙*娟" in receipt
    entry = AuditEntry.objects.get(action=AuditAction.PROXY_GRANT)
    assert entry.actor == desk.clerk and entry.region_code == "360900" and entry.target == f"proxy:{grant.pk}"
    assert acting_for(daughter, elder.pk).grant == grant
    assert "孙*兰" in desk.get(f"/counter/person/{daughter.person.pk}/").content.decode()


def test_counter_grant_needs_the_id_card_checked(desk, elder, daughter, stored):
    response = desk.post(f"/counter/person/{elder.pk}/proxy/", form_data(daughter.person, id_checked=""))
    assert "请先当面核验委托人的居民身份证原件" in response.content.decode()
    with pytest.raises(ProxyError) as refused:
        grant_at_counter(desk.clerk, elder, daughter.person, id_checked=False)
    assert refused.value.code == ProxyCode.ID_NOT_CHECKED
    assert not ProxyGrant.objects.exists() and stored == []


def test_counter_grant_needs_the_letter(desk, elder, daughter, stored):
    data = form_data(daughter.person)
    del data["letter"]
    response = desk.post(f"/counter/person/{elder.pk}/proxy/", data)
    assert "请上传委托人签字的委托书扫描件或照片" in response.content.decode()
    with pytest.raises(ProxyError) as refused:
        grant_at_counter(desk.clerk, elder, daughter.person, letter=None)
    assert refused.value.code == ProxyCode.LETTER_MISSING
    assert not ProxyGrant.objects.exists() and stored == []


def test_a_letter_that_is_not_a_document_is_refused(desk, elder, daughter, stored):
    fake = SimpleUploadedFile("weituoshu.jpg", b"<html>not a scan</html>", content_type="image/jpeg")
    response = desk.post(f"/counter/person/{elder.pk}/proxy/", form_data(daughter.person, letter=fake))
    assert "文件不是有效的JPG/PNG图片或PDF文件" in response.content.decode()
    assert not ProxyGrant.objects.exists() and stored == []


def test_counter_grant_needs_the_counter_permission(client, elder, daughter):
    reviewer = clerk("360900", "审核员")
    with pytest.raises(ProxyError) as refused:
        grant_at_counter(reviewer, elder, daughter.person)
    assert refused.value.code == ProxyCode.NO_PERMISSION
    client.force_login(reviewer)
    assert client.get(f"/counter/person/{elder.pk}/proxy/").status_code == 403
    assert not ProxyGrant.objects.exists()


def test_counter_grant_is_limited_to_the_clerks_region(client, elder, daughter, stored):
    elsewhere = counter_clerk("510400")
    with pytest.raises(ProxyError) as refused:
        grant_at_counter(elsewhere, elder, daughter.person)
    assert refused.value.code == ProxyCode.OUTSIDE_REGION
    client.force_login(elsewhere)
    assert client.get(f"/counter/person/{elder.pk}/proxy/").status_code == 404
    assert client.post(f"/counter/person/{elder.pk}/proxy/", form_data(daughter.person)).status_code == 404
    assert not ProxyGrant.objects.exists() and stored == []


def test_counter_grant_applies_the_agent_rules(desk, elder, stored):
    minor = InsuredPersonFactory(birth=timezone.localdate().replace(year=timezone.localdate().year - 15))
    response = desk.post(f"/counter/person/{elder.pk}/proxy/", form_data(minor))
    assert "代办人须年满18周岁" in response.content.decode()
    assert not ProxyGrant.objects.exists() and stored == []


def test_the_audit_row_is_written_in_the_grants_transaction(desk, elder, daughter, stored, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(proxies, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        grant_at_counter(desk.clerk, elder, daughter.person)
    assert not ProxyGrant.objects.exists()
    assert not Notice.objects.exists()
    assert len(stored) == 1 and not default_storage.exists(stored[0])


def test_a_duplicate_found_by_the_constraint_leaves_no_orphan_file(desk, elder, daughter, stored, monkeypatch):
    first = grant_at_counter(desk.clerk, elder, daughter.person)
    monkeypatch.setattr(proxies, "proxy_precheck", lambda **kwargs: daughter.person)
    with pytest.raises(ProxyError) as refused:
        grant_at_counter(desk.clerk, elder, daughter.person)
    assert refused.value.code == ProxyCode.DUPLICATE and refused.value.grant == first
    assert ProxyGrant.objects.count() == 1
    assert default_storage.exists(first.document_name) and not default_storage.exists(stored[1])


def test_a_duplicate_at_the_counter_says_so_before_storing_anything(desk, elder, daughter, stored):
    proxy_grant(elder, daughter.person)
    response = desk.post(f"/counter/person/{elder.pk}/proxy/", form_data(daughter.person))
    assert "请先撤销原授权" in response.content.decode()
    assert stored == []


def test_counter_grant_notices_reach_principal_and_agent(desk, elder, daughter):
    grant_at_counter(desk.clerk, elder, daughter.person)
    assert "窗口办理" in Notice.objects.get(person=elder).body
    assert Notice.objects.get(person=daughter.person).title == "您已被委托为代办人"


def test_counter_revoke_confirms_then_ends_the_grant(desk, elder, daughter):
    grant = proxy_grant(elder, daughter.person)
    page = desk.get(f"/counter/person/{elder.pk}/").content.decode()
    assert f"/counter/proxies/{grant.pk}/revoke/" in page
    url = f"/counter/proxies/{grant.pk}/revoke/"
    confirm = desk.post(url, {"person": elder.pk}).content.decode()
    assert "请与居民核对后确认" in confirm and "孙*娟" in confirm
    grant.refresh_from_db()
    assert grant.revoked_at is None
    missing_check = desk.post(url, {"person": elder.pk, "confirm": "1"}).content.decode()
    assert "请先当面核验办理人的居民身份证原件" in missing_check
    grant.refresh_from_db()
    assert grant.revoked_at is None
    response = desk.post(url, {"person": elder.pk, "confirm": "1", "id_checked": "on"})
    assert response.status_code == 302 and response["Location"] == f"/counter/person/{elder.pk}/"
    grant.refresh_from_db()
    assert grant.revoked_by == desk.clerk and acting_for(daughter, elder.pk) is None
    entry = AuditEntry.objects.get(action=AuditAction.PROXY_REVOKE)
    assert entry.actor == desk.clerk and entry.region_code == "360900"
    assert Notice.objects.filter(person=elder, title="代办授权已撤销").exists()
    assert Notice.objects.filter(person=daughter.person, title="代办授权已结束").exists()


def test_counter_revoke_is_limited_to_the_clerks_region(client, elder, daughter):
    grant = proxy_grant(elder, daughter.person)
    client.force_login(counter_clerk("510400"))
    response = client.post(f"/counter/proxies/{grant.pk}/revoke/", {"confirm": "1", "id_checked": "on"})
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None
