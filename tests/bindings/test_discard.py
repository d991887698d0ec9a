"""放弃本次申请: a draft (also one a refused pre-check left) can be abandoned by its owner, or by someone acting
for him with the APPLY scope; the rows and the uploaded files go, an audit row stays, 添加家人 starts afresh."""

import datetime

import pytest
from django.core.files.storage import default_storage

from accounts.acting import SESSION_KEY
from accounts.models import AuditAction, AuditEntry
from bindings.models import Application, Binding, Document
from tests.factories import UserFactory, proxy_grant

pytestmark = pytest.mark.django_db
CHILD = datetime.date(2020, 6, 1)


def discard_url(application):
    return f"/bindings/applications/{application.case_number}/discard/"


@pytest.fixture
def draft(hall):
    """A 攀枝花 draft with one child added and his household register uploaded."""
    authorizer = hall.person("panzhihua")
    relative = hall.relative("panzhihua", birth=CHILD)
    application = hall.draft(authorizer, relative, phone=relative.phone)
    assert Document.objects.filter(binding__application=application).exists()
    return application


def test_confirmation_then_post_deletes_the_draft_and_its_files(
    client, hall, draft, django_capture_on_commit_callbacks
):
    names = list(Document.objects.filter(binding__application=draft).values_list("storage_name", flat=True))
    assert all(default_storage.exists(name) for name in names)
    client.force_login(hall.account(draft.authorizer))
    page = client.get(discard_url(draft)).content.decode()
    assert "确认放弃并删除" in page and Application.objects.filter(pk=draft.pk).exists()  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(discard_url(draft))
    assert response.status_code == 302 and response["Location"] == "/bindings/mine/"
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not Binding.objects.filter(application_id=draft.pk).exists()
    assert not any(default_storage.exists(name) for name in names)  # no orphan files
    entry = AuditEntry.objects.get(action=AuditAction.DRAFT_DISCARD)
    assert entry.actor == hall.account(draft.authorizer) and entry.case_number == draft.case_number
    # 添加家人 now starts afresh instead of resuming.
    response = client.get("/bindings/apply/")
    assert response.status_code == 200 and "同意并开始办理" in response.content.decode()


def test_a_draft_left_by_a_refused_precheck_can_be_discarded(client, hall):
    authorizer = hall.person("panzhihua")
    application = hall.start(authorizer)
    sibling = hall.relative("panzhihua")
    result = hall.add(application, sibling, "sibling", phone=sibling.phone)  # 攀枝花: spouse, parents, children only
    assert result.binding is None
    client.force_login(hall.account(authorizer))
    assert client.get("/bindings/apply/").status_code == 302  # resumes the refused draft
    assert "放弃本次申请" in client.get("/bindings/mine/").content.decode()
    client.post(discard_url(application))
    assert not Application.objects.filter(pk=application.pk).exists()
    assert client.get("/bindings/apply/").status_code == 200


def test_someone_else_cannot_discard_it(client, hall, draft):
    client.force_login(UserFactory())
    assert client.post(discard_url(draft)).status_code == 404
    assert Application.objects.filter(pk=draft.pk).exists()


def test_a_submitted_application_is_not_discarded(client, hall, draft):
    hall.submit(draft)
    client.force_login(hall.account(draft.authorizer))
    client.post(discard_url(draft))
    assert Application.objects.filter(pk=draft.pk).exists()


def _acting_client(client, hall, draft, **scopes):
    agent = UserFactory()
    proxy_grant(draft.authorizer, agent.person, **scopes)
    client.force_login(agent)
    session = client.session
    session[SESSION_KEY] = draft.authorizer.pk
    session.save()
    return client


def test_a_proxy_with_the_apply_scope_may_discard(client, hall, draft):
    _acting_client(client, hall, draft, may_apply=True)
    assert client.post(discard_url(draft)).status_code == 302
    assert not Application.objects.filter(pk=draft.pk).exists()


def test_a_proxy_without_the_apply_scope_may_not(client, hall, draft):
    _acting_client(client, hall, draft, may_apply=False, may_pay=True)
    client.post(discard_url(draft))
    assert Application.objects.filter(pk=draft.pk).exists()
