"""Issue 12, point 1: a child under 14 has no account of his own; a 14- to 17-year-old's account opens when a
guardian consents from his own account; until then none of the three sign-ins lets him in (and none counts as
a wrong password)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import (
    DelegationStatus,
    FamilyLinkSource,
    GuardianBasis,
    Guardianship,
    SmsMessage,
    VerifiedVia,
)
from bindings.models import Notice
from tests.conftest import last_sms_code
from tests.factories import TEST_PASSWORD, UserFactory, face_photo, family_link, guardianship, person_in

pytestmark = pytest.mark.django_db
User = get_user_model()
SHANGHAI = ZoneInfo("Asia/Shanghai")
BIRTH = date(2011, 9, 10)
TEEN_PHONE = "13700009999"
PASSWORD = "Kx7-blue-river"
CONSENT = "/accounts/guardian-consent/"


def on_day(day: date):
    return time_machine.travel(datetime.combine(day, time(10), SHANGHAI), tick=False)


FOURTEENTH = BIRTH.replace(year=BIRTH.year + 14)
FIFTEEN = BIRTH.replace(year=BIRTH.year + 15) + timedelta(days=30)


@pytest.fixture
def teen():
    return person_in("yichun", birth=BIRTH, resident=True, name="王小宇", phone="")


@pytest.fixture
def parent(teen):
    """The father: his guardianship is recorded and active."""
    user = UserFactory(person=person_in("yichun", name="王建国", phone="13911110001"))
    guardianship(user.person, teen)
    return user


def send_code(client, person, phone=TEEN_PHONE):
    data = {"name": person.name, "id_number": person.id_number, "phone": phone, "action": "send_code"}
    return client.post("/accounts/register/", data)


def register(client, person, phone=TEEN_PHONE):
    send_code(client, person, phone)
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "phone": phone,
        "sms_code": last_sms_code(phone),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
        "action": "register",
    }
    return client.post("/accounts/register/", data)


def password_sign_in(client, identifier, password=PASSWORD):
    return client.post("/accounts/login/", {"identifier": identifier, "password": password})


# --- under 14 ------------------------------------------------------------------------------------------------


def test_under_fourteen_is_refused_with_the_guardian_path(client, teen):
    with on_day(FOURTEENTH - timedelta(days=1)):
        response = send_code(client, teen)
    page = response.content.decode()
    assert "未满14周岁的未成年人不能自行注册账号" in page
    assert "家庭成员" in page and 'href="/family/"' in page
    assert SmsMessage.objects.count() == 0  # refused before any code is sent
    assert not User.objects.filter(person=teen).exists()


def test_under_fourteen_cannot_finish_a_registration_begun_with_an_older_code(client, teen):
    """The code step checks the age again: a code asked for someone else cannot carry a child through."""
    with on_day(FOURTEENTH - timedelta(days=1)):
        adult = person_in("yichun", name="李梅", resident=True, phone="")
        send_code(client, adult)
        data = {
            "name": teen.name,
            "id_number": teen.id_number,
            "phone": TEEN_PHONE,
            "sms_code": last_sms_code(TEEN_PHONE),
            "password1": PASSWORD,
            "password2": PASSWORD,
            "agree": "on",
            "action": "register",
        }
        response = client.post("/accounts/register/", data)
    assert "未满14周岁的未成年人不能自行注册账号" in response.content.decode()
    assert not User.objects.filter(person=teen).exists()


@pytest.mark.parametrize("method", ["password", "sms", "face"])
def test_an_old_account_under_fourteen_is_not_signed_in(client, teen, method):
    account = UserFactory(person=teen, phone=TEEN_PHONE)
    with on_day(FOURTEENTH - timedelta(days=1)):
        response = sign_in(client, account, method)
        assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert response.status_code == 403
    assert "未满14周岁不能用自己的账户登录" in page and 'href="/family/"' in page


def sign_in(client, account, method):
    if method == "password":
        return password_sign_in(client, account.phone, TEST_PASSWORD)
    if method == "sms":
        client.post("/accounts/login/sms/", {"phone": account.phone, "action": "send_code"})
        return client.post("/accounts/login/sms/", {"phone": account.phone, "sms_code": last_sms_code(account.phone)})
    client.post("/accounts/login/face/", {"identifier": account.person.id_number, "consent": "on"})
    challenge = client.session["face_challenge"]
    return client.post("/accounts/login/face/capture/", {"challenge": challenge, "photo": face_photo()})


# --- 14 to 17: registered, waiting for a guardian ------------------------------------------------------------


def test_fourteen_registers_and_waits_for_the_guardian(client, teen, parent):
    with on_day(FOURTEENTH):
        response = register(client, teen)
        assert response["Location"] == "/accounts/register/pending/"
        page = client.get(response["Location"]).content.decode()
        assert "_auth_user_id" not in client.session  # not signed in
    account = User.objects.get(person=teen)
    assert account.guardian_consent_at is None and account.phone == TEEN_PHONE
    assert "等待监护人同意" in page and "王*国" in page and "监护人确认" in page
    notice = Notice.objects.get(person=parent.person)
    assert notice.title == "（您监护的王小宇）注册账户待您同意"
    assert SmsMessage.objects.filter(phone=parent.phone, body__contains="监护人确认").exists()


def test_registry_parents_with_an_account_are_asked_when_no_guardianship_is_recorded(client, teen):
    mother = UserFactory(person=person_in("yichun", name="李梅", phone="13911110002"))
    no_account = person_in("yichun", name="王大山", phone="13911110003")
    family_link(mother.person, teen)
    family_link(no_account, teen)
    with on_day(FIFTEEN):
        register(client, teen)
    assert list(Notice.objects.values_list("person", flat=True)) == [mother.person.pk]
    assert not SmsMessage.objects.filter(phone="13911110003").exists()


def test_nobody_to_ask_is_said_plainly(client, teen):
    with on_day(FIFTEEN):
        response = register(client, teen, phone=TEEN_PHONE)
        page = client.get(response["Location"]).content.decode()
    assert "还没有您的监护人的账户" in page and "家庭成员" in page
    assert User.objects.filter(person=teen, guardian_consent_at__isnull=True).exists()


@pytest.mark.parametrize("method", ["password", "sms", "face"])
def test_a_waiting_account_is_not_signed_in_by_any_method(client, teen, method):
    account = UserFactory(person=teen, phone=TEEN_PHONE)
    with on_day(FIFTEEN):
        response = sign_in(client, account, method)
        assert "_auth_user_id" not in client.session
    assert response.status_code == 403
    assert "您的账户正在等待监护人同意" in response.content.decode()


def test_a_refused_sign_in_is_not_a_wrong_password(client, teen):
    """Right credentials, account not usable yet: django-axes counts no failure, so no lockout follows."""
    account = UserFactory(person=teen, phone=TEEN_PHONE)
    with on_day(FIFTEEN):
        for _ in range(7):
            response = password_sign_in(client, account.phone, TEST_PASSWORD)
            assert response.status_code == 403
        assert "等待监护人同意" in response.content.decode()
        wrong = password_sign_in(client, account.phone, "not-the-password")
    assert wrong.status_code == 200 and "账号或密码不正确" in wrong.content.decode()


def test_adults_and_self_supporting_sixteen_year_olds_sign_in_as_before(client, teen):
    teen.self_supporting = True
    teen.save()
    account = UserFactory(person=teen, phone=TEEN_PHONE)
    with on_day(BIRTH.replace(year=BIRTH.year + 16)):
        response = password_sign_in(client, account.phone, TEST_PASSWORD)
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(account.pk)


def test_a_self_supporting_sixteen_year_old_registers_and_signs_in_at_once(client, teen, parent):
    teen.self_supporting = True
    teen.save()
    with on_day(BIRTH.replace(year=BIRTH.year + 16)):
        response = register(client, teen)
        assert response["Location"] == "/"
        assert client.session["_auth_user_id"] == str(User.objects.get(person=teen).pk)
    assert not Notice.objects.filter(person=parent.person).exists()


# --- the guardian answers --------------------------------------------------------------------------------------


def waiting_account(teen):
    return UserFactory(person=teen, phone=TEEN_PHONE)


def test_the_guardian_consents_and_the_teen_signs_in(client, teen, parent):
    account = waiting_account(teen)
    with on_day(FIFTEEN):
        client.force_login(parent)
        page = client.get(CONSENT).content.decode()
        assert "王小宇" in page and "15周岁" in page  # he sees his ward's name in full
        response = client.post(f"{CONSENT}{account.pk}/", {"decision": "agree"})
        assert response["Location"] == CONSENT
        account.refresh_from_db()
        assert account.guardian_consent_at is not None and account.guardian_consent_by == parent
        assert SmsMessage.objects.filter(phone=TEEN_PHONE, body__contains="现在可以登录").exists()
        assert "没有等待您确认的账户" in client.get(CONSENT).content.decode()
        client.logout()
        response = password_sign_in(client, TEEN_PHONE, TEST_PASSWORD)
        # (sessions expire by the travelled clock: read them while it still runs)
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(account.pk)


@pytest.mark.parametrize(
    ("source", "basis"),
    [
        (FamilyLinkSource.HUKOU, GuardianBasis.PARENT_HUKOU),
        (FamilyLinkSource.BIRTH_CERTIFICATE, GuardianBasis.PARENT_BIRTH_CERTIFICATE),
    ],
)
def test_a_registry_parent_who_consents_becomes_the_recorded_guardian(client, teen, source, basis):
    mother = UserFactory(person=person_in("yichun", name="李梅"))
    family_link(mother.person, teen, source=source)
    account = waiting_account(teen)
    with on_day(FIFTEEN):
        client.force_login(mother)
        client.post(f"{CONSENT}{account.pk}/", {"decision": "agree"})
    row = Guardianship.objects.get(guardian=mother.person, ward=teen)
    assert (row.status, row.basis, row.verified_via) == (DelegationStatus.ACTIVE, basis, VerifiedVia.REGISTRY)
    assert row.requested_by == mother


def test_a_parents_request_waiting_for_a_clerk_is_settled_by_the_registry_link(client, teen):
    mother = UserFactory(person=person_in("yichun", name="李梅"))
    waiting = guardianship(mother.person, teen, status=DelegationStatus.PENDING, verified_via="")
    family_link(mother.person, teen)
    account = waiting_account(teen)
    with on_day(FIFTEEN):
        client.force_login(mother)
        client.post(f"{CONSENT}{account.pk}/", {"decision": "agree"})
    waiting.refresh_from_db()
    assert (waiting.status, waiting.verified_via) == (DelegationStatus.ACTIVE, VerifiedVia.REGISTRY)
    assert Guardianship.objects.filter(ward=teen).count() == 1


def test_a_guardian_cannot_consent_for_a_stranger(client, teen, parent):
    stranger_child = person_in("yichun", birth=BIRTH, resident=True, name="赵小龙")
    stranger_account = UserFactory(person=stranger_child, phone="13700008888")
    with on_day(FIFTEEN):
        client.force_login(parent)
        assert "赵小龙" not in client.get(CONSENT).content.decode()
        response = client.post(f"{CONSENT}{stranger_account.pk}/", {"decision": "agree"})
    assert response.status_code == 404
    stranger_account.refresh_from_db()
    assert stranger_account.guardian_consent_at is None
    assert not Guardianship.objects.filter(ward=stranger_child).exists()


def test_a_revoked_guardianship_gives_no_say(client, teen, parent):
    Guardianship.objects.filter(ward=teen).update(status=DelegationStatus.REVOKED)
    account = waiting_account(teen)
    with on_day(FIFTEEN):
        client.force_login(parent)
        assert client.post(f"{CONSENT}{account.pk}/", {"decision": "agree"}).status_code == 404


def test_consent_is_post_only_and_needs_the_csrf_token(client, teen, parent):
    account = waiting_account(teen)
    with on_day(FIFTEEN):
        client.force_login(parent)
        assert client.get(f"{CONSENT}{account.pk}/").status_code == 405
        client.handler.enforce_csrf_checks = True
        assert client.post(f"{CONSENT}{account.pk}/", {"decision": "agree"}).status_code == 403
    account.refresh_from_db()
    assert account.guardian_consent_at is None


def test_the_guardian_answers_as_himself_while_acting_for_the_child(client, teen, parent):
    account = waiting_account(teen)
    with on_day(FIFTEEN):
        client.force_login(parent)
        client.post("/accounts/acting/", {"person": str(teen.pk)})
        assert client.session.get("acting_for") == teen.pk
        response = client.post(f"{CONSENT}{account.pk}/", {"decision": "agree"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.guardian_consent_by == parent  # the signed-in guardian, not the person he was acting for


def test_refusing_closes_the_account_and_tells_the_teen(client, teen, parent):
    account = waiting_account(teen)
    with on_day(FIFTEEN):
        client.force_login(parent)
        client.post(f"{CONSENT}{account.pk}/", {"decision": "refuse"})
    assert not User.objects.filter(person=teen).exists()
    assert SmsMessage.objects.filter(phone=TEEN_PHONE, body__contains="没有同意").exists()
    assert Notice.objects.filter(person=teen, title="监护人未同意注册账户").exists()


def test_an_account_already_open_is_not_listed_or_answered_again(client, teen, parent):
    account = waiting_account(teen)
    account.guardian_consent_at = timezone.now()
    account.save()
    with on_day(FIFTEEN):
        client.force_login(parent)
        assert client.post(f"{CONSENT}{account.pk}/", {"decision": "refuse"}).status_code == 404
    assert User.objects.filter(pk=account.pk).exists()
