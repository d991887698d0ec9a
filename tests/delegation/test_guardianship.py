"""Guardianship requests (bindings.delegation.guardians) and the resident's 家庭成员 pages (guardian_views).

A parent linked to the child in the registry is verified at once; anyone else proves the basis with a document
and waits for a clerk (tests/delegation/test_guardianship_admin.py). Refusals leave neither a row nor a file.
"""

from datetime import date, datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.acting import SESSION_KEY, household
from accounts.models import DelegationStatus, GuardianBasis, Guardianship, SmsMessage, VerifiedVia
from bindings.delegation.guardians import (
    GuardianCode,
    GuardianshipError,
    guardianship_end,
    guardianship_request,
)
from bindings.models import Notice
from bindings.rejections import DocumentRejected
from tests.factories import UserFactory, family_link, guardianship, jpeg_upload, person_in

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHILD_BIRTH = date(2015, 3, 1)


def stored_files() -> set[str]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def at(day: date):
    """Travel to noon of a day in the hall's time zone (ages change at local midnight)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def parent():
    """An adult resident of 攀枝花 (510400) with an account."""
    return UserFactory(person=person_in("panzhihua"))


@pytest.fixture
def child():
    return person_in("panzhihua", birth=CHILD_BIRTH, resident=True)


def ask(user, ward, basis=GuardianBasis.PARENT_HUKOU, **kwargs):
    kwargs.setdefault("ward_id_number", ward.id_number)
    return guardianship_request(guardian_user=user, ward_name=ward.name, basis=basis, **kwargs)


def refused(code, call, *args, **kwargs) -> GuardianshipError:
    with pytest.raises(GuardianshipError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- verification -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("basis", [GuardianBasis.PARENT_HUKOU, GuardianBasis.PARENT_BIRTH_CERTIFICATE])
def test_a_parent_linked_in_the_registry_is_verified_at_once(parent, child, basis):
    family_link(parent.person, child)
    before = stored_files()
    row = ask(parent, child, basis)
    assert (row.status, row.verified_via) == (DelegationStatus.ACTIVE, VerifiedVia.REGISTRY)
    assert row.decided_at is not None and row.region_code == "510400"
    assert row.requested_by == parent and row.document_name == ""
    assert stored_files() == before
    assert [a.person for a in household(parent)][1:] == [child]


def test_a_linked_parent_who_uploads_anyway_stores_nothing(parent, child):
    family_link(parent.person, child)
    before = stored_files()
    row = ask(parent, child, document=jpeg_upload())
    assert row.status == DelegationStatus.ACTIVE and row.document_name == ""
    assert stored_files() == before


def test_a_link_the_other_way_round_does_not_verify(parent, child):
    """The registry must say the applicant is the parent, not that the child is his."""
    family_link(child, parent.person)
    refused(GuardianCode.DOCUMENT_REQUIRED, ask, parent, child)


def test_a_parent_without_the_link_needs_a_document_and_a_clerk(parent, child):
    error = refused(GuardianCode.DOCUMENT_REQUIRED, ask, parent, child)
    assert "户口簿" in error.message
    assert not Guardianship.objects.exists()
    before = stored_files()
    row = ask(parent, child, document=jpeg_upload())
    assert (row.status, row.verified_via) == (DelegationStatus.PENDING, "")
    assert row.document_type == "image/jpeg"
    assert stored_files() - before == {row.document_name}
    assert household(parent) and [a.person for a in household(parent)] == [parent.person]


@pytest.mark.parametrize("basis", [GuardianBasis.COURT, GuardianBasis.COMMITTEE])
def test_an_appointment_waits_for_a_clerk_even_with_a_parent_link(parent, child, basis):
    family_link(parent.person, child)
    error = refused(GuardianCode.DOCUMENT_REQUIRED, ask, parent, child, basis)
    assert "法院" in error.message
    row = ask(parent, child, basis, document=jpeg_upload())
    assert row.status == DelegationStatus.PENDING and row.document_name


def test_the_ward_is_found_by_birth_certificate_number(parent, child):
    child.birth_certificate_no = "R510012345"
    child.save(update_fields=["birth_certificate_no"])
    family_link(parent.person, child)
    row = ask(parent, child, ward_id_number="", birth_certificate_no="R510012345")
    assert row.ward == child


def test_the_name_must_match_the_registry(parent, child):
    family_link(parent.person, child)
    refused(
        GuardianCode.WARD_NOT_FOUND,
        guardianship_request,
        guardian_user=parent,
        ward_id_number=child.id_number,
        ward_name=child.name + "明",
        basis=GuardianBasis.PARENT_HUKOU,
    )
    assert not Guardianship.objects.exists()


def test_an_unknown_basis_is_refused(parent, child):
    family_link(parent.person, child)
    refused(GuardianCode.BAD_BASIS, ask, parent, child, "uncle")


# --- capacity on the day (time-machine at each boundary) ---------------------------------------------------------


def test_a_ward_is_refused_from_his_18th_birthday(parent):
    ward = person_in("panzhihua", birth=date(2008, 6, 15), resident=True)
    with at(date(2026, 6, 15)):
        error = refused(GuardianCode.WARD_HAS_CAPACITY, ask, parent, ward, GuardianBasis.COURT, document=jpeg_upload())
        assert "代办" in error.message
    with at(date(2026, 6, 14)):
        assert ask(parent, ward, GuardianBasis.COURT, document=jpeg_upload()).status == DelegationStatus.PENDING


def test_a_self_supporting_16_year_old_needs_no_guardian(parent):
    ward = person_in("panzhihua", birth=date(2010, 1, 10), resident=True)
    ward.self_supporting = True
    ward.save(update_fields=["self_supporting"])
    family_link(parent.person, ward)
    with at(date(2026, 1, 10)):
        refused(GuardianCode.WARD_HAS_CAPACITY, ask, parent, ward)
    with at(date(2026, 1, 9)):  # 15: no full capacity whatever he earns
        assert ask(parent, ward).status == DelegationStatus.ACTIVE


def test_a_guardian_must_have_full_capacity_on_the_day(child):
    young = UserFactory(person=person_in("panzhihua", birth=date(2008, 9, 1)))
    family_link(young.person, child)
    with at(date(2026, 8, 31)):
        error = refused(GuardianCode.GUARDIAN_LACKS_CAPACITY, ask, young, child)
        assert "18" in error.message
    with at(date(2026, 9, 1)):
        assert ask(young, child).status == DelegationStatus.ACTIVE


def test_nobody_is_his_own_guardian():
    minor = UserFactory(person=person_in("panzhihua", birth=date(2010, 5, 5)))
    refused(GuardianCode.SELF, ask, minor, minor.person, GuardianBasis.COURT, document=jpeg_upload())


# --- one open request per pair ------------------------------------------------------------------------------------


def test_a_second_request_while_one_is_pending_is_refused_plainly_and_leaves_no_file(parent, child):
    ask(parent, child, document=jpeg_upload())
    before = stored_files()
    error = refused(GuardianCode.DUPLICATE, ask, parent, child, GuardianBasis.COURT, document=jpeg_upload("gray"))
    assert "正在审核中" in error.message
    assert stored_files() == before
    assert Guardianship.objects.count() == 1


def test_a_request_when_already_guardian_says_so(parent, child):
    family_link(parent.person, child)
    ask(parent, child)
    error = refused(GuardianCode.DUPLICATE, ask, parent, child)
    assert "已经是" in error.message and child.name in error.message


def test_after_a_rejection_or_an_end_he_may_ask_again(parent, child):
    guardianship(parent.person, child, status=DelegationStatus.REJECTED, verified_via=VerifiedVia.CLERK)
    row = ask(parent, child, document=jpeg_upload())
    guardianship_end(guardianship=row, actor=parent)
    assert ask(parent, child, document=jpeg_upload()).status == DelegationStatus.PENDING


# --- files and transactions ---------------------------------------------------------------------------------------


def test_no_orphan_file_when_the_transaction_fails(parent, child):
    before = stored_files()
    failing = mock.patch("bindings.delegation.guardians.notify_person", side_effect=RuntimeError("boom"))
    with failing, pytest.raises(RuntimeError):
        ask(parent, child, document=jpeg_upload())
    assert not Guardianship.objects.exists()
    assert stored_files() == before


def test_an_unusable_upload_is_refused_and_leaves_nothing(parent, child):
    before = stored_files()
    fake = SimpleUploadedFile("letter.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(DocumentRejected):
        ask(parent, child, document=fake)
    assert not Guardianship.objects.exists()
    assert stored_files() == before


# --- notices ------------------------------------------------------------------------------------------------------


def test_the_guardian_and_a_ward_with_an_account_are_told(parent):
    ward = person_in("panzhihua", birth=date(2011, 4, 4), resident=True)  # 15: has an account of his own
    UserFactory(person=ward)
    ask(parent, ward, GuardianBasis.COURT, document=jpeg_upload())
    for person in (parent.person, ward):
        notice = Notice.objects.get(person=person)
        assert notice.title == "监护关系申请已提交"
        assert ward.name not in notice.body and parent.person.name not in notice.body  # masked: it goes by SMS too
    assert SmsMessage.objects.filter(phone=parent.phone).count() == 1


def test_a_ward_without_an_account_is_not_texted(parent, child):
    family_link(parent.person, child)
    ask(parent, child)
    assert Notice.objects.get(person=parent.person).title == "监护关系已生效"
    assert not Notice.objects.filter(person=child).exists()
    assert not SmsMessage.objects.filter(phone=child.phone).exists()


def test_ending_tells_both_and_ends_the_acting(parent, child):
    UserFactory(person=child)
    row = guardianship(parent.person, child)
    assert child in [a.person for a in household(parent)]
    guardianship_end(guardianship=row, actor=parent)
    row.refresh_from_db()
    assert row.status == DelegationStatus.REVOKED
    assert [a.person for a in household(parent)] == [parent.person]
    assert Notice.objects.filter(title="监护关系已结束").count() == 2


def test_only_the_guardian_ends_it_and_only_once(parent, child):
    row = guardianship(parent.person, child)
    refused(GuardianCode.NOT_THE_GUARDIAN, guardianship_end, guardianship=row, actor=UserFactory())
    guardianship_end(guardianship=row, actor=parent)
    refused(GuardianCode.WRONG_STATE, guardianship_end, guardianship=row, actor=parent)


# --- the 家庭成员 pages -------------------------------------------------------------------------------------------


def test_the_household_page_lists_wards_with_status_and_reason(client, parent):
    # Names fixed and distinct: a random two-character name can stand inside another person's three-character one.
    active = guardianship(parent.person, person_in("panzhihua", birth=CHILD_BIRTH, resident=True, name="甲乙丙"))
    pending = guardianship(
        parent.person,
        person_in("panzhihua", birth=CHILD_BIRTH, name="丁戊己"),
        status=DelegationStatus.PENDING,
        verified_via="",
    )
    rejected = guardianship(
        parent.person,
        person_in("panzhihua", birth=CHILD_BIRTH, name="庚辛壬"),
        status=DelegationStatus.REJECTED,
        verified_via=VerifiedVia.CLERK,
        reason_text="户口簿照片看不清，请重新拍摄",
    )
    client.force_login(parent)
    page = client.get(reverse("family:home")).content.decode()
    assert "家庭成员" in page and parent.person.name in page
    assert active.ward.name in page  # he acts for this ward: the name in full
    assert pending.ward.name not in page and rejected.ward.name not in page  # not verified: masked
    for label in ("有效", "待审核", "已驳回"):
        assert label in page
    assert "户口簿照片看不清，请重新拍摄" in page
    assert reverse("family:guardian_add") in page
    assert reverse("family:guardian_end", args=[active.pk]) in page


def test_a_minor_sees_his_guardian_masked_and_no_add_button(client, child):
    own = UserFactory(person=person_in("panzhihua", birth=date(2011, 1, 1), name="甲乙丙"))
    parent = person_in("panzhihua", name="丁戊己")  # fixed: a random name may stand inside the minor's own
    guardianship(parent, own.person)
    client.force_login(own)
    page = client.get(reverse("family:home")).content.decode()
    assert "我的监护人" in page and parent.name not in page
    assert reverse("family:guardian_add") not in page


def post_add(client, ward, **data):
    payload = {"id_type": "resident_id", "id_number": ward.id_number, "name": ward.name, "basis": "parent_hukou"}
    return client.post(reverse("family:guardian_add"), {**payload, **data})


def test_adding_a_linked_child_through_the_page(client, parent, child):
    family_link(parent.person, child)
    client.force_login(parent)
    assert client.get(reverse("family:guardian_add")).status_code == 200
    response = post_add(client, child)
    assert response.status_code == 302 and response["Location"] == reverse("family:home")
    assert Guardianship.objects.get().status == DelegationStatus.ACTIVE
    assert "您已是" in client.get(response["Location"]).content.decode()


def test_adding_without_the_link_asks_for_the_document_then_waits(client, parent, child):
    client.force_login(parent)
    page = post_add(client, child).content.decode()
    assert "请上传户口簿" in page and not Guardianship.objects.exists()
    response = post_add(client, child, document=jpeg_upload())
    assert response.status_code == 302
    assert Guardianship.objects.get().status == DelegationStatus.PENDING


def test_a_refusal_on_the_page_says_why(client, parent):
    adult = person_in("panzhihua", birth=date(1990, 1, 1))
    client.force_login(parent)
    page = post_add(client, adult, basis="court", document=jpeg_upload()).content.decode()
    assert "不需要监护人" in page and not Guardianship.objects.exists()


def test_ending_through_the_page_needs_the_tick(client, parent, child):
    row = guardianship(parent.person, child)
    client.force_login(parent)
    url = reverse("family:guardian_end", args=[row.pk])
    assert "结束监护关系" in client.get(url).content.decode()
    assert "请先勾选确认" in client.post(url, {}).content.decode()
    row.refresh_from_db()
    assert row.status == DelegationStatus.ACTIVE
    assert client.post(url, {"confirm": "on"}).status_code == 302
    row.refresh_from_db()
    assert row.status == DelegationStatus.REVOKED


def test_someone_elses_guardianship_is_not_found(client, parent, child):
    row = guardianship(person_in("panzhihua"), child)
    client.force_login(parent)
    assert client.get(reverse("family:guardian_end", args=[row.pk])).status_code == 404
    assert client.post(reverse("family:guardian_end", args=[row.pk]), {"confirm": "on"}).status_code == 404


def acting_for(client, user, person):
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()


def test_while_acting_for_a_ward_the_pages_ask_to_switch_back(client, parent, child):
    row = guardianship(parent.person, child)
    acting_for(client, parent, child)
    for url in (reverse("family:home"), reverse("family:guardian_add"), reverse("family:guardian_end", args=[row.pk])):
        page = client.get(url).content.decode()
        assert "请先切换回本人" in page, url
    other = person_in("panzhihua", birth=CHILD_BIRTH)
    family_link(parent.person, other)
    assert post_add(client, other).status_code == 403  # refused by ActingMiddleware: no acting scope declared
    assert client.post(reverse("family:guardian_end", args=[row.pk]), {"confirm": "on"}).status_code == 403
    assert Guardianship.objects.get(pk=row.pk).status == DelegationStatus.ACTIVE
    assert Guardianship.objects.count() == 1


def test_the_service_refuses_an_acting_user_too(parent, child):
    from accounts.acting import acting_for as acting_lookup
    from accounts.acting import acting_user

    guardianship(parent.person, child)
    other = person_in("panzhihua", birth=CHILD_BIRTH)
    family_link(parent.person, other)
    as_ward = acting_user(parent, acting_lookup(parent, child.pk))
    refused(GuardianCode.ACTING_FOR_OTHER, ask, as_ward, other)
