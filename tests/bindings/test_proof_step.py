"""Issue 14, the wizard's proof step: a chosen file is stored or refused in words, never dropped; the upload answers
JSON for upload.js with the private thumbnail URL; the steps and the summary say the same thing about the proof."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bindings.models import Binding, Document
from tests.bindings.test_views import add, start, stored_files
from tests.factories import InsuredPersonFactory, UserFactory, jpeg_upload

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
NOT_AN_IMAGE = b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"


@pytest.fixture
def authorizer(policies):
    return UserFactory(person=InsuredPersonFactory(district="510402", name="陈志强", flexible=True))


@pytest.fixture
def client_a(client, authorizer):
    client.force_login(authorizer)
    return client


@pytest.fixture
def draft(client_a):
    """A draft application with one child, whose household register is still to be uploaded."""
    child = InsuredPersonFactory(district="510402", birth=date(2015, 3, 3), name="陈思", resident=True)
    application = start(client_a)
    add(client_a, application, child)
    return application, Binding.objects.get()


def proof_url(application):
    return f"/bindings/applications/{application.case_number}/proof/"


def field(binding, kind="household_register"):
    return f"file-{binding.pk}-{kind}"


def test_a_file_chosen_then_next_is_stored_and_leads_on(client_a, draft):
    application, binding = draft
    response = client_a.post(proof_url(application), {"goto": "summary", field(binding): jpeg_upload()})
    assert response.status_code == 302 and response["Location"].endswith("/summary/")
    assert Document.objects.filter(binding=binding, kind="household_register").count() == 1
    page = client_a.get(response["Location"]).content.decode()
    assert "未上传" not in page and "未完成" not in page


def test_a_refused_file_with_next_keeps_the_resident_on_the_step_with_the_reason(client_a, draft):
    application, binding = draft
    before = stored_files()
    bad = SimpleUploadedFile("photo.jpg", NOT_AN_IMAGE, content_type="image/jpeg")
    response = client_a.post(proof_url(application), {"goto": "summary", field(binding): bad}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/proof/")
    page = response.content.decode()
    assert "户口簿没有上传成功" in page and "文件不是有效的" in page
    assert not Document.objects.exists()
    assert stored_files() == before


def test_next_without_a_file_goes_on_and_the_summary_and_steps_agree(client_a, draft):
    application, _binding = draft
    response = client_a.post(proof_url(application), {"goto": "summary"})
    assert response["Location"].endswith("/summary/")
    page = client_a.get(response["Location"]).content.decode()
    steps = re.search(r'<ol class="apply-steps.*?</ol>', page, re.S).group(0)
    assert "未上传" in page
    assert 'class="todo"' in steps and "未完成" in steps  # step 3 is not shown as done


def test_the_upload_answers_json_with_the_private_thumbnail(client_a, draft):
    application, binding = draft
    response = client_a.post(proof_url(application), {"action": "upload", field(binding): jpeg_upload()}, **JSON)
    assert response.status_code == 200
    answer = response.json()
    document = Document.objects.get()
    assert answer["ok"] is True and "户口簿已上传" in answer["message"]
    assert answer["document"]["thumbnail_url"] == f"/bindings/documents/{document.pk}/"
    assert f'src="/bindings/documents/{document.pk}/"' in answer["html"]
    assert "重拍/重新选择" in answer["html"] and "已上传" in answer["html"]
    assert "/media/" not in answer["html"] and document.storage_name not in answer["html"]
    # The thumbnail is the private view: its owner sees it, a stranger does not.
    assert client_a.get(answer["document"]["thumbnail_url"]).status_code == 200


def test_a_refused_json_upload_says_why_and_leaves_no_file(client_a, draft):
    application, binding = draft
    before = stored_files()
    bad = SimpleUploadedFile("photo.jpg", NOT_AN_IMAGE, content_type="image/jpeg")
    response = client_a.post(proof_url(application), {"action": "upload", field(binding): bad}, **JSON)
    assert response.status_code == 400
    answer = response.json()
    assert answer["ok"] is False and "文件不是有效的" in answer["message"]
    assert "待上传" in answer["html"]
    assert not Document.objects.exists() and stored_files() == before


def test_replace_takes_the_old_documents_place_and_deletes_its_file(
    client_a, draft, django_capture_on_commit_callbacks
):
    application, binding = draft
    client_a.post(proof_url(application), {field(binding): jpeg_upload("white")})
    old = Document.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(proof_url(application), {f"replace-{old.pk}": jpeg_upload("black")}, **JSON)
    assert response.json()["ok"] is True
    new = Document.objects.get()
    assert new.pk != old.pk and new.kind == old.kind
    assert old.storage_name not in stored_files() and new.storage_name in stored_files()


def test_a_refused_replacement_keeps_the_old_document(client_a, draft):
    application, binding = draft
    client_a.post(proof_url(application), {field(binding): jpeg_upload()})
    old = Document.objects.get()
    bad = SimpleUploadedFile("photo.jpg", NOT_AN_IMAGE, content_type="image/jpeg")
    response = client_a.post(proof_url(application), {f"replace-{old.pk}": bad}, **JSON)
    assert response.status_code == 400
    assert list(Document.objects.all()) == [old] and old.storage_name in stored_files()


def test_a_file_for_another_residents_case_is_404(client, client_a, draft):
    application, binding = draft
    other = UserFactory(person=InsuredPersonFactory(district="510402", flexible=True))
    client.force_login(other)
    other_app = start(client)
    assert client.post(proof_url(other_app), {field(binding): jpeg_upload()}).status_code in (302, 404)
    assert not Document.objects.exists()


def test_the_step_names_the_proof_in_plain_words_without_source_notes(client, policies):
    """Yichun's rule row carries a note for clerks (来源写作…): it stays on the policy page."""
    user = UserFactory(person=InsuredPersonFactory(district="360902", name="李明", flexible=True))
    child = InsuredPersonFactory(district="360902", birth=date(2015, 3, 3), name="李小", resident=True)
    client.force_login(user)
    application = start(client)
    add(client, application, child)
    page = client.get(proof_url(application)).content.decode()
    assert "户口簿" in page
    assert "来源" not in page


def test_a_returned_case_resubmitted_with_a_chosen_file_stores_it_first(client, policies):
    """Without JavaScript, 补充完成，重新提交 sends the checklist's form: the file chosen there is stored, then the
    case goes back to the clerk; a refused file keeps the case returned, with the reason."""
    from bindings import services
    from bindings.models import Status
    from tests.factories import clerk, submitted_binding

    binding = submitted_binding()
    services.binding_request_more(binding=binding, clerk=clerk("510400", "审核员"), missing_note="请补充户口簿")
    client.force_login(binding.authorizer.account)
    url = f"/bindings/{binding.pk}/"
    page = client.get(url).content.decode()
    assert 'name="goto" value="resubmit"' in page and "/resubmit/" not in page  # the button is in the form
    bad = SimpleUploadedFile("photo.jpg", NOT_AN_IMAGE, content_type="image/jpeg")
    client.post(url, {"goto": "resubmit", field(binding): bad})
    binding.refresh_from_db()
    assert binding.status == Status.RETURNED
    before = Document.objects.filter(binding=binding).count()
    response = client.post(url, {"goto": "resubmit", field(binding): jpeg_upload("navy")})
    assert response.status_code == 302
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    assert Document.objects.filter(binding=binding).count() == before + 1
