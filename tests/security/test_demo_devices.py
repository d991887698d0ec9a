"""Hole 2: face sign-in accepts any photo in production; and the demo devices in general.

The simulated SMS outbox and face verifier are demo devices: allowed in `local` and `test`, in production only with
HALL_DEMO_DEVICES=true (and then every page says 演示环境). Otherwise production does not start (system checks
accounts.E001/E002) and, if started anyway, the demo devices refuse to work.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from accounts.face import VerifierResult
from accounts.models import FaceVerification
from tests.factories import image_bytes
from tests.ops.test_production_settings import run_production

BROWN = (139, 90, 43)


class RealShapedVerifier:
    """A verifier behind the IdentityVerifier interface that is not a demo device (and here refuses everyone)."""

    def verify(self, *, user, image, prompt):
        return VerifierResult(False, "比对未通过")


class RealShapedGateway:
    """An SMS gateway behind the SmsGateway interface that is not a demo device."""

    def send(self, *, phone, body, region_code):
        pass


REAL_DEVICES = {
    "SMS_GATEWAY": f"{__name__}.RealShapedGateway",
    "FACE_VERIFIER": f"{__name__}.RealShapedVerifier",
}


# --- face sign-in with a plain brown picture ------------------------------------------------------------------


def brown_photo_sign_in(client, user):
    """The attack: only the ID number is known; a 300x300 plain brown JPEG is the 'face'."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post("/accounts/login/face/", {"identifier": user.person.id_number, "consent": "on"})
    photo = SimpleUploadedFile("face.jpg", image_bytes((300, 300), BROWN), content_type="image/jpeg")
    client.post("/accounts/login/face/capture/", {"challenge": client.session["face_challenge"], "photo": photo})
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_production_face_check_refuses_a_brown_picture(client, resident, settings):
    settings.HALL_DEMO_DEVICES = False  # production as it ships: DEBUG off, demo devices not allowed
    assert not brown_photo_sign_in(client, resident)
    verification = FaceVerification.objects.get()
    assert verification.passed is False and verification.verifier == "UnavailableVerifier"
    assert "人脸识别登录暂未开通" in verification.reason


@pytest.mark.django_db
def test_the_demo_verifier_runs_only_where_demo_devices_are_allowed(client, resident):
    assert brown_photo_sign_in(client, resident)  # the test profile allows it: what the demo means


@pytest.mark.django_db
def test_a_real_verifier_decides_in_production(client, resident, settings):
    settings.HALL_DEMO_DEVICES = False
    settings.FACE_VERIFIER = REAL_DEVICES["FACE_VERIFIER"]
    assert not brown_photo_sign_in(client, resident)
    assert FaceVerification.objects.get().verifier == "RealShapedVerifier"


# --- the system check ------------------------------------------------------------------------------------------


def test_check_fails_with_demo_devices_not_allowed(settings):
    settings.HALL_DEMO_DEVICES = False
    settings.DEBUG = False
    with pytest.raises(SystemCheckError) as caught:
        call_command("check", deploy=True)
    assert "accounts.E001" in str(caught.value) and "accounts.E002" in str(caught.value)


def test_check_passes_with_real_devices(settings):
    settings.HALL_DEMO_DEVICES = False
    settings.SMS_GATEWAY, settings.FACE_VERIFIER = REAL_DEVICES["SMS_GATEWAY"], REAL_DEVICES["FACE_VERIFIER"]
    call_command("check")


def test_check_names_only_the_demo_device_left(settings):
    settings.HALL_DEMO_DEVICES = False
    settings.FACE_VERIFIER = REAL_DEVICES["FACE_VERIFIER"]
    with pytest.raises(SystemCheckError) as caught:
        call_command("check")
    assert "accounts.E001" in str(caught.value) and "accounts.E002" not in str(caught.value)


def test_check_deploy_on_the_production_profile():
    """The real profile in a process of its own: fails as it ships, passes when the demo is explicitly allowed."""
    refused = run_production(["check", "--deploy"], drop=["HALL_DEMO_DEVICES"])
    assert refused.returncode != 0
    assert "accounts.E001" in refused.stderr and "accounts.E002" in refused.stderr
    allowed = run_production(["check", "--deploy"], {"HALL_DEMO_DEVICES": "true"})
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_check_deploy_on_the_production_profile_with_real_devices():
    result = run_production(["check", "--deploy"], REAL_DEVICES, drop=["HALL_DEMO_DEVICES"])
    assert result.returncode == 0, result.stdout + result.stderr


# --- the 演示环境 banner ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_banner_on_every_page_while_demo_devices_are_on(client, superuser, settings):
    admin = Client()
    admin.force_login(superuser)
    for browser, url in [(client, "/"), (client, "/accounts/login/"), (client, "/admin/login/"), (admin, "/admin/")]:
        html = browser.get(url).content.decode()
        assert 'id="demo-banner"' in html and "演示环境" in html and "请勿录入或使用真实个人信息" in html, url
    settings.HALL_DEMO_DEVICES = False
    settings.SMS_GATEWAY, settings.FACE_VERIFIER = REAL_DEVICES["SMS_GATEWAY"], REAL_DEVICES["FACE_VERIFIER"]
    for browser, url in [(client, "/"), (admin, "/admin/")]:
        html = browser.get(url).content.decode()
        assert 'id="demo-banner"' not in html and "演示环境" not in html, url


@pytest.mark.django_db
def test_real_devices_with_the_flag_on_show_no_banner(client, settings):
    settings.SMS_GATEWAY, settings.FACE_VERIFIER = REAL_DEVICES["SMS_GATEWAY"], REAL_DEVICES["FACE_VERIFIER"]
    assert 'id="demo-banner"' not in client.get("/").content.decode()
