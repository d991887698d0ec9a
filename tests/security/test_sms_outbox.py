"""Hole 1: clerks read every resident's SMS login code.

The demo outbox (/accounts/sms-outbox/ and its admin page) needs accounts.view_sms_outbox, shows a clerk only his
region's texts, never a code, and audits every look; codes never reach the log; without demo devices there is no
outbox at all and no code is written anywhere in clear.
"""

import logging

import pytest
from django.test import Client

from accounts.models import AuditAction, AuditEntry, SmsCode, SmsMessage
from accounts.sms import sms_code_send, sms_send
from accounts.sms_gateways import mask_codes
from tests.conftest import last_sms_code
from tests.factories import UserFactory, clerk, person_in

pytestmark = pytest.mark.django_db
OUTBOX = "/accounts/sms-outbox/"
ADMIN_OUTBOX = "/admin/accounts/smsmessage/"
XIANGTAN, YICHUN = "430300", "360900"


@pytest.fixture
def xiangtan_resident(db):
    return UserFactory(person=person_in("xiangtan"))


@pytest.fixture
def code(client, xiangtan_resident):
    """A sign-in code sent to the 湘潭 resident, asked for on the sign-in page as anyone can."""
    client.post("/accounts/login/sms/", {"phone": xiangtan_resident.phone, "action": "send_code"})
    return last_sms_code(xiangtan_resident.phone)


def outbox_clerk(region):
    """A clerk with every right the old outbox and admin asked for, and the new one."""
    return clerk(region, "审核员", permissions=["view_smsmessage", "view_sms_outbox"])


def page(user, url=OUTBOX):
    browser = Client()
    browser.force_login(user)
    response = browser.get(url)
    return response, response.content.decode()


def test_a_clerk_of_another_region_cannot_read_the_code(code, xiangtan_resident):
    response, html = page(outbox_clerk(YICHUN))
    assert response.status_code == 200
    assert code not in html
    assert xiangtan_resident.phone[-4:] not in html  # not even the masked line: not his region


def test_a_clerk_of_another_region_cannot_read_the_code_in_admin(code, xiangtan_resident):
    yichun = outbox_clerk(YICHUN)
    response, html = page(yichun, ADMIN_OUTBOX)
    assert response.status_code == 200
    assert code not in html and xiangtan_resident.phone[-4:] not in html
    message = SmsMessage.objects.get(phone=xiangtan_resident.phone)
    response, html = page(yichun, f"{ADMIN_OUTBOX}{message.pk}/change/")
    assert code not in html
    assert AuditEntry.objects.filter(actor=yichun, action=AuditAction.REFUSED).exists()


def test_the_clerk_of_the_region_sees_the_text_with_the_code_masked(code, xiangtan_resident):
    assert SmsMessage.objects.get(phone=xiangtan_resident.phone).region_code == XIANGTAN
    for url in (OUTBOX, ADMIN_OUTBOX):
        response, html = page(outbox_clerk(XIANGTAN), url)
        assert response.status_code == 200
        assert "您的验证码是******" in html and code not in html
        assert xiangtan_resident.phone not in html  # the phone stays masked too


def test_a_clerk_without_the_permission_is_refused(code):
    plain = clerk(XIANGTAN, "审核员", permissions=["view_smsmessage"])  # what used to be enough in admin
    assert page(plain)[0].status_code == 403
    assert page(plain, ADMIN_OUTBOX)[0].status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.SMS_OUTBOX_VIEW).exists()


def test_every_look_by_a_clerk_is_audited(code):
    xiangtan = outbox_clerk(XIANGTAN)
    page(xiangtan)
    page(xiangtan, ADMIN_OUTBOX)
    entries = AuditEntry.objects.filter(actor=xiangtan, action=AuditAction.SMS_OUTBOX_VIEW)
    assert sorted(entries.values_list("target", flat=True)) == ["admin:sms_outbox", "sms_outbox"]
    assert all(code not in entry.detail for entry in entries)


def test_the_simulated_phone_shows_a_visitor_only_the_numbers_he_asked_codes_for(client, code, xiangtan_resident):
    html = client.get(OUTBOX).content.decode()
    assert code in html  # the browser that asked: the simulated phone shows the code, as the phone would
    other = UserFactory(person=person_in("xiangtan"))
    sms_send(phone=other.phone, body="【医保服务大厅】您的验证码是123456")
    assert "123456" not in client.get(OUTBOX).content.decode()
    assert code not in Client().get(OUTBOX).content.decode()  # another browser asked for nothing


def test_a_signed_in_resident_sees_his_own_texts(xiangtan_resident, code):
    other = UserFactory(person=person_in("xiangtan"))
    sms_send(phone=other.phone, body="【医保服务大厅】您的验证码是123456")
    response, html = page(xiangtan_resident)
    assert code in html and "123456" not in html


def test_no_code_in_the_log(xiangtan_resident, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.INFO, logger="hall.sms"), django_capture_on_commit_callbacks(execute=True):
        sms_code_send(phone=xiangtan_resident.phone, purpose="login")
    code = last_sms_code(xiangtan_resident.phone)
    assert "SMS to 137****" in caplog.text and "验证码是******" in caplog.text
    assert code not in caplog.text and xiangtan_resident.phone not in caplog.text


def test_masking_leaves_longer_numbers_alone():
    assert mask_codes("验证码是654321，受理编号YC202612010001") == "验证码是******，受理编号YC202612010001"


def test_without_demo_devices_there_is_no_outbox_and_no_code_in_clear(client, xiangtan_resident, settings):
    settings.HALL_DEMO_DEVICES = False
    response = client.post("/accounts/login/sms/", {"phone": xiangtan_resident.phone, "action": "send_code"})
    assert "短信验证码服务暂未开通" in response.content.decode()
    assert not SmsMessage.objects.exists() and not SmsCode.objects.exists()
    assert client.get(OUTBOX).status_code == 404
    superuser = UserFactory(person=None, is_staff=True, is_superuser=True)
    assert page(superuser)[0].status_code == 404
    assert page(superuser, ADMIN_OUTBOX)[0].status_code == 403


class RecordingGateway:
    """A real-shaped gateway: hands the text on, stores nothing here."""

    sent = []

    def send(self, *, phone, body, region_code):
        self.sent.append((phone, body, region_code))


def test_a_real_gateway_gets_the_text_after_commit_and_nothing_is_stored(
    xiangtan_resident, settings, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY = f"{__name__}.RecordingGateway"
    settings.HALL_DEMO_DEVICES = False
    RecordingGateway.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sms_send(phone=xiangtan_resident.phone, body="正文", region_code=XIANGTAN)
        assert RecordingGateway.sent == []  # not before the transaction commits
    assert RecordingGateway.sent == [(xiangtan_resident.phone, "正文", XIANGTAN)]
    assert not SmsMessage.objects.exists()
