"""Issue 12, point 4 and the minor acting for himself: a minor authorizes nobody unless he has full capacity; a
minor may look at his binding but not end it alone, and can ask his guardian instead; every notice to a person
without full capacity reaches his guardian too."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.models import SmsMessage
from bindings.models import Application, Notice, Status
from bindings.notices import NoticeEvent, notify_parties, notify_person
from bindings.services import binding_approve
from policies.eligibility import ReasonCode, check_eligibility
from tests.factories import (
    InsuredPersonFactory,
    StaffFactory,
    UserFactory,
    counter_clerk,
    guardianship,
    person_in,
    submitted_binding,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PANZHIHUA = "510402"


def on_day(day: date):
    return time_machine.travel(datetime.combine(day, time(10), SHANGHAI), tick=False)


def years_ago(years: int) -> date:
    """A birth date that makes someone `years` old today, his last birthday a few weeks past."""
    today = timezone.localdate()
    return date(today.year - years, today.month, 1) - timedelta(days=40)


# --- a minor as authorizer -----------------------------------------------------------------------------------


AUTHORIZER_BIRTH = date(2010, 4, 20)


def sixteenth(offset: int = 0) -> date:
    return AUTHORIZER_BIRTH.replace(year=AUTHORIZER_BIRTH.year + 16) + timedelta(days=offset)


def verdict(authorizer, on):
    relative = InsuredPersonFactory(district=PANZHIHUA, birth=date(1980, 1, 1), resident=True)
    return check_eligibility(authorizer=authorizer, relative=relative, relationship="parent", on=on)


@pytest.mark.parametrize(
    ("on", "self_supporting", "refused"),
    [
        (sixteenth(-1), True, True),  # 15, earning his own living: still no full capacity
        (sixteenth(), True, False),  # 16 and self-supporting: full capacity
        (sixteenth(), False, True),
        (sixteenth(365 + 364), False, True),  # the day before 18
        (AUTHORIZER_BIRTH.replace(year=AUTHORIZER_BIRTH.year + 18), False, False),
    ],
)
def test_a_minor_authorizer_needs_full_capacity(policies, on, self_supporting, refused):
    authorizer = InsuredPersonFactory(district=PANZHIHUA, birth=AUTHORIZER_BIRTH, flexible=True)
    authorizer.self_supporting = self_supporting
    result = verdict(authorizer, on)
    assert (ReasonCode.AUTHORIZER_NO_CAPACITY in result.codes) is refused
    if refused:
        message = next(r.message for r in result.reasons if r.code == ReasonCode.AUTHORIZER_NO_CAPACITY)
        assert "不具有完全民事行为能力" in message and "以自己的劳动收入为主要生活来源" in message


def test_the_counter_desk_shows_the_reason(client, policies):
    minor = InsuredPersonFactory(district=PANZHIHUA, birth=years_ago(17), flexible=True, name="陈小军")
    parent = InsuredPersonFactory(district=PANZHIHUA, birth=date(1980, 1, 1), resident=True, name="陈国栋")
    client.force_login(counter_clerk("510400"))
    client.post("/counter/", {"action": "ticket"})
    response = client.post("/counter/", {"action": "lookup", "id_number": minor.id_number})
    response = client.post(response["Location"], {"action": "start", "id_card_checked": "on"})
    data = {"action": "relative", "id_type": "resident_id", "id_number": parent.id_number, "name": parent.name}
    data["phone"] = parent.phone  # asked where the city's rules say so
    page = client.post(response["Location"], {**data, "relationship": "parent"}).content.decode()
    assert 'data-code="authorizer_no_capacity"' in page and "不具有完全民事行为能力" in page


def test_the_pre_check_shows_the_reason_to_a_guardian_acting_for_the_minor(client, policies):
    minor = InsuredPersonFactory(district=PANZHIHUA, birth=years_ago(17), flexible=True, name="陈小军")
    father = UserFactory(person=InsuredPersonFactory(district=PANZHIHUA, name="陈国栋"))
    guardianship(father.person, minor)
    client.force_login(father)
    client.post("/accounts/acting/", {"person": str(minor.pk)})
    assert client.post("/bindings/apply/", {"agree": "1"}).status_code == 302
    application = Application.objects.get(authorizer=minor)
    grandmother = InsuredPersonFactory(district=PANZHIHUA, birth=date(1950, 1, 1), resident=True, name="张秀兰")
    data = {"id_type": "resident_id", "id_number": grandmother.id_number, "name": grandmother.name}
    data["phone"] = grandmother.phone  # asked where the city's rules say so
    url = f"/bindings/applications/{application.case_number}/relative/"
    page = client.post(url, {**data, "relationship": "parent"}).content.decode()
    assert 'data-code="authorizer_no_capacity"' in page
    assert not application.bindings.exists()


# --- a minor acting for himself ------------------------------------------------------------------------------


@pytest.fixture
def ward_case(policies):
    """An active binding whose relative is a 15-year-old with his own account (his father consented)."""
    binding = submitted_binding(district=PANZHIHUA, birth=years_ago(15))
    binding_approve(binding=binding, clerk=StaffFactory(region_code="510400"))
    binding.refresh_from_db()
    teen = binding.relative
    father = UserFactory(person=InsuredPersonFactory(district=PANZHIHUA, name="王建国", phone="13911110009"))
    guardianship(father.person, teen)
    account = UserFactory(person=teen, guardian_consent_at=timezone.now(), guardian_consent_by=father)
    return binding, account, father


def test_the_teen_cannot_dissolve_alone_and_may_ask_his_guardian(client, ward_case):
    binding, account, father = ward_case
    client.force_login(account)
    detail = client.get(f"/bindings/{binding.pk}/").content.decode()
    assert "请监护人办理" in detail and f"/bindings/{binding.pk}/dissolve/" not in detail
    response = client.post(
        f"/bindings/{binding.pk}/dissolve/", HTTP_REFERER=f"http://testserver/bindings/{binding.pk}/"
    )
    page = response.content.decode()
    assert response.status_code == 403 and "需要监护人确认" in page and "请监护人办理" in page
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE
    Notice.objects.all().delete()
    response = client.post(
        "/accounts/guardian-ask/", {"path": f"/bindings/{binding.pk}/dissolve/", "back": f"/bindings/{binding.pk}/"}
    )
    assert response["Location"] == f"/bindings/{binding.pk}/"
    notice = Notice.objects.get()
    assert notice.person == father.person
    assert notice.title == f"（您监护的{account.person.name}）请您办理"
    assert f"解除共济关系（受理编号{binding.application.case_number}）" in notice.body
    assert SmsMessage.objects.filter(phone="13911110009", body__contains="解除共济关系").exists()


def test_asking_from_the_binding_page_names_what_its_state_allows(client, ward_case):
    binding, account, father = ward_case
    client.force_login(account)
    Notice.objects.all().delete()
    client.post("/accounts/guardian-ask/", {"path": f"/bindings/{binding.pk}/"})
    assert f"解除共济关系（受理编号{binding.application.case_number}）" in Notice.objects.get().body


def test_asking_about_someone_elses_binding_names_nothing_of_it(client, ward_case):
    binding, account, father = ward_case
    other = submitted_binding(district=PANZHIHUA)
    client.force_login(account)
    Notice.objects.all().delete()
    client.post("/accounts/guardian-ask/", {"path": f"/bindings/{other.pk}/dissolve/"})
    body = Notice.objects.get().body
    assert other.application.case_number not in body and "申请或变更家庭共济" in body


def test_asking_is_limited(client, ward_case):
    binding, account, father = ward_case
    client.force_login(account)
    Notice.objects.all().delete()
    for _ in range(7):
        client.post("/accounts/guardian-ask/", {"path": f"/bindings/{binding.pk}/"})
    assert Notice.objects.count() == 5


def test_an_adult_is_told_to_act_himself(resident_client):
    response = resident_client.post("/accounts/guardian-ask/", {"path": "/bindings/mine/"}, follow=True)
    assert "不需要监护人代办" in response.content.decode()
    assert not Notice.objects.exists()


def test_the_ask_button_is_only_for_a_minor(client, ward_case):
    binding, account, father = ward_case
    client.force_login(binding.authorizer.account)
    assert "请监护人办理" not in client.get(f"/bindings/{binding.pk}/").content.decode()


# --- notices reach the guardian ------------------------------------------------------------------------------


def test_binding_notices_to_a_child_go_to_his_guardian(policies):
    binding = submitted_binding(district=PANZHIHUA, birth=years_ago(10))  # the father applies
    child = binding.relative
    mother = person_in(PANZHIHUA, name="刘芳", phone="13911110010")  # not a party of the binding
    guardianship(mother, child)
    Notice.objects.all().delete()
    SmsMessage.objects.all().delete()
    notify_parties(binding, event=NoticeEvent.SUBMITTED)
    assert Notice.objects.filter(person=child, title="共济申请已提交").exists()  # the child keeps his own
    copy = Notice.objects.get(person=mother)
    assert copy.title == f"（您监护的{child.name}）共济申请已提交" and copy.binding is None  # his page is the ward's
    assert f"“家庭成员”中选择{child.name}" in copy.body
    assert SmsMessage.objects.filter(phone="13911110010", body__contains=f"（您监护的{child.name}）").exists()
    assert not SmsMessage.objects.filter(phone=child.phone).exists()  # the guardian's phone instead of the child's


def test_a_guardian_who_is_the_authorizer_is_told_once(policies):
    binding = submitted_binding(district=PANZHIHUA, birth=years_ago(10))
    guardianship(binding.authorizer, binding.relative)
    Notice.objects.all().delete()
    notify_parties(binding, event=NoticeEvent.SUBMITTED)
    assert Notice.objects.filter(person=binding.authorizer).count() == 1


def test_ledger_notices_reach_the_guardian_too(db):
    child = person_in(PANZHIHUA, birth=years_ago(12), resident=True, name="王小宇")
    father = person_in(PANZHIHUA, name="王建国", phone="13911110011")
    guardianship(father, child)
    notify_person(child, title="居民医保已代缴", body="已为您代缴。")
    assert Notice.objects.get(person=father).title == "（您监护的王小宇）居民医保已代缴"


CHILD_BIRTH = date(2009, 7, 1)


@pytest.mark.parametrize(
    ("day", "guardian_told"), [(CHILD_BIRTH.replace(year=2027) - timedelta(days=1), True), (date(2027, 7, 1), False)]
)
def test_at_eighteen_notices_go_to_him_alone(db, day, guardian_told):
    child = person_in(PANZHIHUA, birth=CHILD_BIRTH, resident=True, name="王小宇", phone="13700007777")
    father = person_in(PANZHIHUA, name="王建国", phone="13911110012")
    guardianship(father, child)
    with on_day(day):
        notify_person(child, title="共济上限已调整", body="上限已调整。")
    assert Notice.objects.filter(person=father).exists() is guardian_told
    assert SmsMessage.objects.filter(phone="13911110012").exists() is guardian_told
    assert SmsMessage.objects.filter(phone="13700007777").exists() is not guardian_told


def test_a_child_without_a_recorded_guardian_is_told_as_before(db):
    child = person_in(PANZHIHUA, birth=years_ago(12), resident=True, phone="13700006666")
    notify_person(child, title="共济上限已调整", body="上限已调整。")
    assert SmsMessage.objects.filter(phone="13700006666").exists()
