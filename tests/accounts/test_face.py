from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.idnumbers import make_id_number
from accounts.models import FaceChallenge, FaceVerification
from tests.factories import UserFactory, face_photo

pytestmark = pytest.mark.django_db
START = "/accounts/login/face/"
CAPTURE = "/accounts/login/face/capture/"


def start(client, user, consent=True):
    data = {"identifier": user.person.id_number}
    if consent:
        data["consent"] = "on"
    return client.post(START, data)


def capture(client, upload, challenge=None):
    challenge = challenge or client.session["face_challenge"]
    return client.post(CAPTURE, {"challenge": challenge, "photo": upload})


def test_face_sign_in_with_consent(client, resident):
    response = start(client, resident)
    assert response.status_code == 302 and response["Location"] == CAPTURE
    page = client.get(CAPTURE).content.decode()
    challenge = FaceChallenge.objects.get()
    assert challenge.get_prompt_display() in page
    response = capture(client, face_photo())
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)
    resident.refresh_from_db()
    assert resident.face_consent_at is not None
    verification = FaceVerification.objects.get()
    assert verification.passed and verification.image_width == 480
    # No image is kept anywhere: the record has no file or binary field at all.
    field_types = {f.get_internal_type() for f in FaceVerification._meta.get_fields()}
    assert not field_types & {"FileField", "ImageField", "BinaryField"}


def test_face_sign_in_needs_separate_consent(client, resident):
    response = start(client, resident, consent=False)
    assert "请先阅读并勾选同意《人脸识别信息处理告知书》" in response.content.decode()
    assert FaceChallenge.objects.count() == 0


def test_consent_is_asked_every_time_so_the_page_does_not_tell_who_has_an_account(client, resident):
    """Asking only accounts that never consented would answer differently for an ID with an account."""
    resident.face_consent_at = timezone.now()
    resident.save()
    known = start(client, resident, consent=False)
    unknown = client.post(START, {"identifier": make_id_number("360902", timezone.localdate().replace(year=1970), 7)})
    assert known.status_code == unknown.status_code == 200
    assert FaceChallenge.objects.count() == 0
    assert "请先阅读并勾选同意" in known.content.decode() and "请先阅读并勾选同意" in unknown.content.decode()


def test_not_an_image_is_refused(client, resident):
    start(client, resident)
    response = capture(client, SimpleUploadedFile("face.jpg", b"<html><script>alert(1)</script></html>"))
    assert "无法识别该照片" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert FaceVerification.objects.get().passed is False


def test_too_large_a_file_is_refused(client, resident, settings):
    settings.FACE_MAX_UPLOAD_BYTES = 10_000
    start(client, resident)
    big = SimpleUploadedFile("face.png", face_photo(size=(900, 900), format="PNG").read() + b"\0" * 20_000)
    response = capture(client, big)
    assert "照片文件过大" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_small_a_photo_is_refused(client, resident):
    start(client, resident)
    response = capture(client, face_photo(size=(40, 40)))
    assert "照片太小" in response.content.decode()


def test_a_replayed_challenge_is_refused(client, resident):
    start(client, resident)
    challenge = client.session["face_challenge"]
    capture(client, face_photo(size=(50, 50)), challenge)  # uses the challenge, fails
    response = capture(client, face_photo(), challenge)
    assert "不能重复提交" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_replay_after_success_does_not_sign_in_again(client, resident):
    start(client, resident)
    challenge = client.session["face_challenge"]
    assert capture(client, face_photo(), challenge).status_code == 302
    client.post("/accounts/logout/")
    # the attacker replays the captured request with the old session's challenge
    other = type(client)()
    session = other.session
    session["face_challenge"] = challenge
    session["face_identifier"] = resident.person.id_number
    session.save()
    response = capture(other, face_photo(), challenge)
    assert "不能重复提交" in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_challenge_expires(client, resident):
    start(client, resident)
    with time_machine.travel(timezone.now() + timedelta(seconds=91)):
        response = capture(client, face_photo())
    assert "活体检测已超时" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_challenge_from_another_session_is_refused(client, resident):
    start(client, resident)
    other = FaceChallenge.objects.create(prompt="blink", expires_at=timezone.now() + timedelta(minutes=1))
    response = client.post(CAPTURE, {"challenge": str(other.pk), "photo": face_photo()})
    assert "与本次会话不符" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_id_number_fails_at_the_check_without_telling(client):

    response = client.post(
        START, {"identifier": make_id_number("360902", timezone.localdate().replace(year=1970), 3), "consent": "on"}
    )
    assert response.status_code == 302
    response = capture(client, face_photo())
    assert "人脸核验未通过" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_capture_page_without_a_challenge_goes_back_to_start(client, db):
    response = client.get(CAPTURE)
    assert response.status_code == 302 and response["Location"] == START


def test_failed_face_checks_count_towards_lockout(client):
    user = UserFactory()
    for _ in range(5):
        start(client, user)
        capture(client, face_photo(size=(30, 30)))
    start(client, user)
    response = capture(client, face_photo())
    assert response.status_code == 429
