"""Proof documents: who may open one (and is logged), who gets 404, and refused uploads leave no trace."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from bindings import services
from bindings.models import Document, DocumentAccess, Status
from bindings.services import BindingError
from bindings.uploads import DocumentRejected, RejectionCode
from tests.factories import UserFactory, jpeg_upload


def stored_files() -> set[str]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def document(hall):
    """A marriage certificate on a submitted 攀枝花 (510400) case."""
    binding = hall.apply(hall.person("panzhihua"), hall.relative("panzhihua"), relationship="spouse")
    assert binding.status == Status.SUBMITTED
    return binding.documents.get()


def url(document):
    return reverse("bindings:document", args=[document.pk])


def assert_served(client, user, document):
    client.force_login(user)
    response = client.get(url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xff\xd8\xff") and len(body) == document.size
    access = DocumentAccess.objects.get(document=document, user=user)
    assert access.ip_address == "127.0.0.1"


def test_the_authorizer_gets_his_document(client, hall, document):
    assert_served(client, hall.account(document.binding.authorizer), document)


def test_the_relative_with_an_account_gets_it(client, hall, document):
    assert_served(client, hall.account(document.binding.relative), document)


@pytest.mark.parametrize("region_code", ["510400", "510000"], ids=["city-clerk", "province-clerk"])
def test_a_clerk_covering_the_city_gets_it(client, hall, document, region_code):
    assert_served(client, hall.clerk(region_code), document)


def test_each_view_is_logged(client, hall, document):
    user = hall.account(document.binding.authorizer)
    client.force_login(user)
    for _ in range(2):
        b"".join(client.get(url(document)).streaming_content)
    assert DocumentAccess.objects.filter(document=document, user=user).count() == 2


@pytest.mark.parametrize(
    "outsider",
    [
        pytest.param(lambda hall: hall.account(hall.person("panzhihua")), id="other-resident"),
        pytest.param(lambda hall: hall.clerk("510500"), id="clerk-of-another-city"),
        pytest.param(lambda hall: hall.clerk("360000"), id="clerk-of-another-province"),
        pytest.param(lambda hall: hall.clerk(""), id="clerk-without-region"),
        pytest.param(lambda hall: UserFactory(person=None, region_code="510400"), id="region-without-staff"),
    ],
)
def test_anyone_else_signed_in_gets_404_and_nothing_is_logged(client, hall, document, outsider):
    client.force_login(outsider(hall))
    response = client.get(url(document))
    assert response.status_code == 404
    assert not DocumentAccess.objects.exists()


def test_an_unknown_document_is_404(client, hall, document):
    import uuid

    client.force_login(hall.account(document.binding.authorizer))
    assert client.get(reverse("bindings:document", args=[uuid.uuid4()])).status_code == 404
    assert not DocumentAccess.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, document):
    response = client.get(url(document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not DocumentAccess.objects.exists()


# --- refused uploads leave neither row nor file ------------------------------------------------------------


@pytest.fixture
def draft(hall):
    application = hall.draft(hall.person("yichun"), hall.relative("yichun"), prove=False)
    return application.bindings.get()


def add(hall, binding, upload, kind="household_register"):
    return services.document_add(binding=binding, kind=kind, upload=upload, actor=hall.account(binding.authorizer))


def test_a_good_upload_is_stored_once(hall, draft):
    before = stored_files()
    document = add(hall, draft, jpeg_upload("gray"))
    assert stored_files() == before | {document.storage_name}
    again = add(hall, draft, jpeg_upload("gray"))  # the same photo twice is the same document
    assert again.pk == document.pk
    assert stored_files() == before | {document.storage_name}
    assert Document.objects.count() == 1


def test_a_rejected_file_leaves_nothing(hall, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = stored_files()
    with pytest.raises(DocumentRejected) as refused:
        add(hall, draft, SimpleUploadedFile("proof.jpg", b"<html><script>alert(1)</script>", "image/jpeg"))
    assert refused.value.code == RejectionCode.UNSUPPORTED_TYPE
    assert stored_files() == before
    assert not Document.objects.exists()


def test_an_application_over_its_total_leaves_nothing(hall, draft, settings):
    first = add(hall, draft, jpeg_upload("gray"))
    settings.DOCUMENT_APPLICATION_MAX_BYTES = first.size + 10
    before = stored_files()
    with pytest.raises(DocumentRejected) as refused:
        add(hall, draft, jpeg_upload("black"))
    assert refused.value.code == RejectionCode.APPLICATION_TOO_LARGE
    assert stored_files() == before
    assert list(Document.objects.all()) == [first]


def test_an_upload_to_a_submitted_case_leaves_nothing(hall, document):
    binding = document.binding
    before = stored_files()
    with pytest.raises(BindingError, match="已提交") as refused:
        add(hall, binding, jpeg_upload("black"), kind="marriage_certificate")
    assert refused.value.code == "wrong_state"
    assert stored_files() == before
    assert list(binding.documents.all()) == [document]


def test_a_database_failure_after_storing_removes_the_file(hall, draft):
    before = stored_files()
    with (
        mock.patch.object(Document.objects, "create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        add(hall, draft, jpeg_upload("black"))
    assert stored_files() == before
    assert not Document.objects.exists()


def test_a_removed_document_loses_its_file_after_commit(hall, draft, django_capture_on_commit_callbacks):
    document = add(hall, draft, jpeg_upload("gray"))
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(document=document, actor=hall.account(draft.authorizer))
    assert not default_storage.exists(document.storage_name)
    assert not Document.objects.exists()


def test_documents_of_a_submitted_case_cannot_be_removed(hall, document):
    with pytest.raises(BindingError, match="已提交"):
        services.document_remove(document=document, actor=hall.account(document.binding.authorizer))
    assert default_storage.exists(document.storage_name)
    assert Document.objects.filter(pk=document.pk).exists()
