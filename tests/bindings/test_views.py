"""The resident's pages for family sharing, through the test client."""

import re
from datetime import date

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import InsuredPerson
from bindings.models import Application, Binding, Document, Notice, Status
from bindings.services import binding_approve
from tests.factories import InsuredPersonFactory, StaffFactory, UserFactory, jpeg_upload, step_up

pytestmark = pytest.mark.django_db

PANZHIHUA = "510402"


@pytest.fixture
def authorizer(policies):
    return UserFactory(person=InsuredPersonFactory(district=PANZHIHUA, name="陈志强", flexible=True))


@pytest.fixture
def child():
    return InsuredPersonFactory(district=PANZHIHUA, birth=date(2015, 3, 3), name="陈思", resident=True)


@pytest.fixture
def client_a(client, authorizer):
    client.force_login(authorizer)
    return client


def start(client):
    response = client.post("/bindings/apply/", {"agree": "1"})
    assert response.status_code == 302
    return Application.objects.latest("created_at")


def add(client, application, person, relationship="child", **extra):
    data = {"id_type": "resident_id", "id_number": person.id_number, "name": person.name, "relationship": relationship}
    data["phone"] = person.phone  # asked where the city's rules say so
    data.update(extra)
    return client.post(f"/bindings/applications/{application.case_number}/relative/", data)


def upload(client, application, binding, kind="household_register", file=None):
    return client.post(
        f"/bindings/applications/{application.case_number}/proof/",
        {"action": "upload", "binding": binding.pk, "kind": kind, "file": file or jpeg_upload()},
        follow=True,
    )


def stored_files():
    found = []

    def walk(path):
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}" if path else d)

    if default_storage.exists("proof"):
        walk("proof")
    return found


def test_notice_must_be_agreed(client_a):
    page = client_a.get("/bindings/apply/").content.decode()
    assert "家庭共济告知书" in page
    assert "已绑定" in page
    response = client_a.post("/bindings/apply/", {}, follow=True)
    assert "请阅读告知书" in response.content.decode()
    assert not Application.objects.exists()


def test_resident_scheme_member_is_told_why_he_cannot_authorise(client, policies):
    user = UserFactory(person=InsuredPersonFactory(resident=True))
    client.force_login(user)
    page = client.get("/bindings/apply/").content.decode()
    assert "您暂时不能作为授权人" in page and "居民医保" in page


def test_whole_flow_for_a_child_with_household_register(client_a, authorizer, child):
    application = start(client_a)
    response = add(client_a, application, child)
    assert response["Location"].endswith("/proof/")
    binding = Binding.objects.get()
    page = client_a.get(response["Location"]).content.decode()
    assert "户口簿" in page and "待上传" in page

    upload(client_a, application, binding)
    assert Document.objects.filter(binding=binding, kind="household_register").count() == 1

    summary = f"/bindings/applications/{application.case_number}/summary/"
    assert "请阅读并勾选个人郑重承诺" in client_a.post(summary, {}).content.decode()
    response = step_up(client_a).post(summary, {"commitment": "on"})
    assert response["Location"].endswith("/done/")
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    done = client_a.get(response["Location"]).content.decode()
    assert application.case_number in done and "待审核" in done
    # a double submit changes nothing
    assert step_up(client_a).post(summary, {"commitment": "on"}).status_code == 302
    assert Binding.objects.count() == 1 and binding.events.count() == 1
    assert Notice.objects.filter(person=authorizer.person).exists()


def test_precheck_shows_every_reason_before_any_upload(client_a, authorizer):
    stranger = InsuredPersonFactory(district="360902", resident=True, terminated=True)
    application = start(client_a)
    response = add(client_a, application, stranger, relationship="parent")
    page = response.content.decode()
    assert response.status_code == 200
    assert "预检未通过" in page
    assert 'data-code="relative_terminated"' in page
    assert not Binding.objects.exists()


def test_the_relative_step_offers_only_what_the_city_allows(client_a, authorizer):
    """Panzhihua allows 配偶、父母、子女 only: a sibling is not offered, and a forged choice is a form error that
    names the allowed relatives (the same list the counter desk offers, bindings.forms.policy_relationships)."""
    application = start(client_a)
    page = client_a.get(f"/bindings/applications/{application.case_number}/relative/").content.decode()
    select = re.search(r'<select name="relationship".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([a-z_]+)"', select) == ["spouse", "parent", "child"]
    stranger = InsuredPersonFactory(district="360902", resident=True)
    response = add(client_a, application, stranger, relationship="sibling")
    assert response.status_code == 200
    assert "本地政策可办理家庭共济的亲属为：配偶、父母、子女" in response.content.decode()
    assert not Binding.objects.exists()


def test_a_name_that_does_not_match_the_registry(client_a, child):
    application = start(client_a)
    page = add(client_a, application, child, name="陈四").content.decode()
    assert 'data-code="relative_not_found"' in page


def test_invalid_id_number_is_a_form_error(client_a, child):
    application = start(client_a)
    page = add(client_a, application, child, id_number="510402201503030000").content.decode()
    assert "校验位" in page


def test_resubmitting_the_relative_step_makes_no_duplicate(client_a, child):
    application = start(client_a)
    add(client_a, application, child)
    add(client_a, application, child, phone="13712345678")
    binding = Binding.objects.get()
    assert binding.relative_phone == "13712345678"


def test_leaving_half_way_resumes_the_draft(client_a, child):
    application = start(client_a)
    add(client_a, application, child)
    response = client_a.get("/bindings/apply/")
    assert response["Location"] == f"/bindings/applications/{application.case_number}/summary/"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.jpg", b"<html><script>alert(1)</script></html>"),
        ("logo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("archive.jpg", b"PK\x03\x04" + b"\0" * 100),
    ],
)
def test_uploads_that_are_not_what_they_claim_leave_nothing(client_a, child, name, content):
    application = start(client_a)
    add(client_a, application, child)
    binding = Binding.objects.get()
    before = stored_files()
    response = upload(client_a, application, binding, file=SimpleUploadedFile(name, content, content_type="image/jpeg"))
    assert "文件不是有效的" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files() == before


def test_uploading_the_same_photo_twice_keeps_one(client_a, child):
    application = start(client_a)
    add(client_a, application, child)
    binding = Binding.objects.get()
    photo = jpeg_upload().read()
    before = set(stored_files())
    for _ in range(2):
        upload(client_a, application, binding, file=SimpleUploadedFile("a.jpg", photo, content_type="image/jpeg"))
    assert Document.objects.count() == 1
    assert set(stored_files()) - before == {Document.objects.get().storage_name}


def test_missing_proof_blocks_submission_with_the_reason(client_a, child):
    application = start(client_a)
    add(client_a, application, child)
    page = step_up(client_a).post(f"/bindings/applications/{application.case_number}/summary/", {"commitment": "on"})
    assert "还缺少证明材料" in page.content.decode()
    assert Binding.objects.get().status == Status.DRAFT


def test_another_residents_application_and_binding_are_404(client, client_a, child, authorizer):
    application = start(client_a)
    add(client_a, application, child)
    binding = Binding.objects.get()
    other = UserFactory(person=InsuredPersonFactory(district=PANZHIHUA))
    client.force_login(other)
    for url in [
        f"/bindings/applications/{application.case_number}/relative/",
        f"/bindings/applications/{application.case_number}/proof/",
        f"/bindings/applications/{application.case_number}/summary/",
        f"/bindings/{binding.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/bindings/{binding.pk}/withdraw/").status_code == 404


def _submitted(client_a, child):
    application = start(client_a)
    add(client_a, application, child)
    binding = Binding.objects.get()
    upload(client_a, application, binding)
    step_up(client_a).post(f"/bindings/applications/{application.case_number}/summary/", {"commitment": "on"})
    binding.refresh_from_db()
    return binding


def test_mine_shows_quota_and_status_and_the_relative_sees_who(client, client_a, child):
    binding = _submitted(client_a, child)
    page = client_a.get("/bindings/mine/").content.decode()
    assert "陈思" in page and "待审核" in page
    assert "已绑定 <strong>1/5</strong>" in " ".join(page.split())
    binding_approve(binding=binding, clerk=StaffFactory(region_code="510400"))
    relative_user = UserFactory(person=child)
    client.force_login(relative_user)
    page = client.get("/bindings/mine/").content.decode()
    assert "陈*强" in page and "已生效" in page
    assert "陈志强" not in page


def test_withdraw_then_nothing_more(client_a, child):
    binding = _submitted(client_a, child)
    response = client_a.post(f"/bindings/{binding.pk}/withdraw/", follow=True)
    assert "申请已撤回" in response.content.decode()
    binding.refresh_from_db()
    assert binding.status == Status.WITHDRAWN
    response = client_a.post(f"/bindings/{binding.pk}/withdraw/", follow=True)
    assert "不能执行此操作" in response.content.decode()


def test_an_adult_relative_can_end_an_active_binding(client, client_a, child):
    binding = _submitted(client_a, child)
    binding_approve(binding=binding, clerk=StaffFactory(region_code="510400"))
    InsuredPerson.objects.filter(pk=child.pk).update(birth_date=date(1990, 3, 3))  # an adult relative
    child.refresh_from_db()
    client.force_login(UserFactory(person=child))
    response = client.post(f"/bindings/{binding.pk}/dissolve/", follow=True)
    assert "共济关系已解除" in response.content.decode()
    binding.refresh_from_db()
    assert binding.status == Status.DISSOLVED
    assert binding.events.last().actor_role == "relative"
    page = client.get(f"/bindings/{binding.pk}/").content.decode()
    assert "使用人申请解除" in page and "by_relative" not in page  # the stored code is shown as words


def test_a_minor_relative_cannot_end_a_binding_alone(client, client_a, child):
    """Issue 12: an 11-year-old with an account used to dissolve the binding that names him."""
    binding = _submitted(client_a, child)
    binding_approve(binding=binding, clerk=StaffFactory(region_code="510400"))
    client.force_login(UserFactory(person=child))
    with time_machine.travel(date(2026, 12, 1)):
        response = client.post(f"/bindings/{binding.pk}/dissolve/")
    assert response.status_code == 403
    assert "需要监护人确认" in response.content.decode()
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE


def test_state_never_changes_on_get(client_a, child):
    binding = _submitted(client_a, child)
    assert client_a.get(f"/bindings/{binding.pk}/withdraw/").status_code == 405
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED


def test_mine_runs_a_constant_number_of_queries(client_a, authorizer):
    def bind(n):
        for _ in range(n):
            relative = InsuredPersonFactory(district=PANZHIHUA, resident=True)
            app = start(client_a)
            add(client_a, app, relative, relationship="parent")
            step_up(client_a).post(f"/bindings/applications/{app.case_number}/summary/", {"commitment": "on"})

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client_a.get("/bindings/mine/").status_code == 200
        return len(queries)

    bind(1)
    count()  # warm: the 家庭成员 switcher's answer is cached after the first page
    few = count()
    bind(3)
    assert count() == few <= 20


def test_notices_are_listed_and_marked_read(client_a, authorizer, child):
    _submitted(client_a, child)
    page = client_a.get("/bindings/notices/").content.decode()
    assert "共济申请已提交" in page
    assert not Notice.objects.filter(person=authorizer.person, read_at__isnull=True).exists()


def test_probing_another_residents_case_is_logged(client, client_a, child):
    from accounts.models import AuditEntry

    application = start(client_a)
    add(client_a, application, child)
    prober = UserFactory(person=InsuredPersonFactory(district=PANZHIHUA))
    client.force_login(prober)
    assert client.get(f"/bindings/applications/{application.case_number}/proof/").status_code == 404
    entry = AuditEntry.objects.get(actor=prober)
    assert entry.action == "refused" and entry.case_number == application.case_number


def test_a_proof_kind_not_on_the_checklist_is_refused(client_a, child):
    application = start(client_a)
    add(client_a, application, child)
    binding = Binding.objects.get()
    response = upload(client_a, application, binding, kind="marriage_certificate")
    assert "不在本次申请的材料清单中" in response.content.decode()
    assert not Document.objects.exists()


def test_the_relative_sees_proof_only_once_filed(client_a, child):
    from django.test import Client

    application = start(client_a)
    add(client_a, application, child)
    binding = Binding.objects.get()
    upload(client_a, application, binding)
    document = Document.objects.get()
    client = Client()
    client.force_login(UserFactory(person=child))
    assert client.get(f"/bindings/documents/{document.pk}/").status_code == 404
    step_up(client_a).post(f"/bindings/applications/{application.case_number}/summary/", {"commitment": "on"})
    assert client.get(f"/bindings/documents/{document.pk}/").status_code == 200


def test_a_second_submit_without_the_tick_is_harmless(client_a, child):
    binding = _submitted(client_a, child)
    response = client_a.post(f"/bindings/applications/{binding.application.case_number}/summary/", {})
    assert response.status_code == 302 and response["Location"].endswith("/done/")


def test_a_newborn_is_added_by_the_birth_certificate_number(client, policies):
    from django.utils import timezone

    # A baby without an ID card is found by the 出生医学证明 number (seed 003: 使用出生医学证明绑定); 贵港's online
    # hall asks no proof upload (seed 003: 选择使用人并绑定成功), its counter 户口、出生医学证明或签署承诺书.
    father = UserFactory(person=InsuredPersonFactory(district="450802", name="黄伟"))
    born = timezone.localdate().replace(day=1)
    baby = InsuredPersonFactory(
        district="450802", birth=born, name="黄宝宝", resident=True, birth_certificate_no="Q450123456"
    )
    client.force_login(father)
    application = start(client)
    response = add(client, application, baby, id_type="birth_certificate", id_number="q450123456")
    assert response.status_code == 302, response.content.decode()[:3000]
    binding = Binding.objects.get()
    assert binding.relative == baby and binding.relative_id_type == "birth_certificate"
    assert client.get(response["Location"]).status_code == 200


def test_a_birth_certificate_number_that_is_not_registered(client_a):
    application = start(client_a)
    data = {"id_type": "birth_certificate", "id_number": "Q999999999", "name": "无名", "relationship": "child"}
    data["phone"] = "13900000000"  # asked where the city's rules say so
    page = client_a.post(f"/bindings/applications/{application.case_number}/relative/", data).content.decode()
    assert 'data-code="relative_not_found"' in page
