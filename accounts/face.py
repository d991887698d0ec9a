"""Face sign-in: a random liveness prompt, a single-use challenge, a pluggable verifier (settings.FACE_VERIFIER).

The verifier sees the captured photo only in memory; nothing of the image is stored
except its format and size in the verification record. The simulated verifier is a demo device
(accounts.devices): where demo devices are not allowed it is replaced by one that refuses every photo.
"""

import io
import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .devices import demo_devices_allowed, is_demo_device
from .errors import HallError
from .models import FaceChallenge, FaceVerification, LivenessPrompt, User


class FaceCheckError(HallError):
    """The challenge cannot be used (expired, replayed, not this session's)."""


@dataclass(frozen=True)
class VerifierResult:
    passed: bool
    reason: str = ""
    image_format: str = ""
    width: int | None = None
    height: int | None = None


class IdentityVerifier(Protocol):
    """Anything that can tell whether a captured photo shows the account holder (or, given `person`, that registry
    person: a relative's own check, bindings.relative_face; a verifier that cannot do this omits the keyword)."""

    def verify(self, *, user: User | None, image: bytes, prompt: str, person=None) -> VerifierResult: ...


class SimulatedFaceVerifier:
    """Accepts a real, decodable photo of sensible size for an existing, active account: any face, any photo.

    A demo device: it checks nothing about who is in the photo.
    """

    demo_device = True
    formats = {"JPEG", "PNG", "WEBP"}

    def verify(self, *, user, image, prompt, person=None):
        if len(image) > settings.FACE_MAX_UPLOAD_BYTES:
            mb = settings.FACE_MAX_UPLOAD_BYTES // (1024 * 1024)
            return VerifierResult(False, _("照片文件过大，请不要超过%(mb)sMB。") % {"mb": mb})
        try:
            with Image.open(io.BytesIO(image)) as im:
                fmt, (width, height) = im.format, im.size
                if fmt not in self.formats:
                    return VerifierResult(False, _("请上传JPG或PNG格式的照片。"))
                if width * height > settings.FACE_MAX_PIXELS:
                    return VerifierResult(False, _("照片像素过大，请用手机相机正常拍摄。"), fmt, width, height)
                im.load()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            return VerifierResult(False, _("无法识别该照片，请重新拍摄或上传清晰的正面照片。"))
        if min(width, height) < settings.FACE_MIN_SIDE:
            return VerifierResult(False, _("照片太小，请正对镜头重新拍摄。"), fmt, width, height)
        if person is not None:  # a relative without an account: a real verifier compares the registry's photo
            if person.pk is None:
                return VerifierResult(False, _("人脸核验未通过，请核对使用人的证件信息后重试。"), fmt, width, height)
            return VerifierResult(True, "", fmt, width, height)
        if user is None or not user.is_active or user.person_id is None:
            return VerifierResult(
                False, _("人脸核验未通过，请确认身份证号码后重试，或改用其他方式登录。"), fmt, width, height
            )
        return VerifierResult(True, "", fmt, width, height)


class UnavailableVerifier:
    """Stands in for a demo verifier where demo devices are not allowed: face sign-in refuses, it never guesses."""

    def verify(self, *, user, image, prompt, person=None):
        return VerifierResult(False, _("人脸识别登录暂未开通，请改用密码或短信验证码登录。"))


def get_verifier() -> IdentityVerifier:
    verifier = import_string(settings.FACE_VERIFIER)
    if is_demo_device(verifier) and not demo_devices_allowed():
        return UnavailableVerifier()
    return verifier()


def face_challenge_start(*, user: User | None) -> FaceChallenge:
    """A new random prompt. Unknown identifiers get one too, so the page does not tell who has an account."""
    now = timezone.now()
    prompt = secrets.choice(LivenessPrompt.values)
    return FaceChallenge.objects.create(
        user=user, prompt=prompt, created_at=now, expires_at=now + settings.FACE_CHALLENGE_TTL
    )


def face_verify(*, challenge_id, image: bytes, person=None) -> FaceVerification:
    """Claim the challenge once, then let the verifier look at the photo (against `person` when given)."""
    now = timezone.now()
    claimed = FaceChallenge.objects.filter(pk=challenge_id, used_at__isnull=True).update(used_at=now)
    if not claimed:
        raise FaceCheckError(_("本次活体检测已使用过，不能重复提交。请重新开始人脸识别。"))
    challenge = FaceChallenge.objects.select_related("user").get(pk=challenge_id)
    if challenge.expires_at < now:
        raise FaceCheckError(_("活体检测已超时，请重新开始人脸识别。"))
    verifier = get_verifier()
    extra = {"person": person} if person is not None else {}
    result = verifier.verify(user=challenge.user, image=image, prompt=challenge.prompt, **extra)
    with transaction.atomic():
        return FaceVerification.objects.create(
            challenge=challenge,
            user=challenge.user,
            passed=result.passed,
            reason=result.reason,
            verifier=type(verifier).__name__,
            image_format=result.image_format or "",
            image_width=result.width,
            image_height=result.height,
        )


def face_verification_consume(*, verification_id) -> FaceVerification | None:
    """A passed verification signs in once."""
    now = timezone.now()
    consumed = FaceVerification.objects.filter(pk=verification_id, passed=True, consumed_at__isnull=True).update(
        consumed_at=now
    )
    if not consumed:
        return None
    return FaceVerification.objects.select_related("user").get(pk=verification_id)


def capture_context(challenge, form, **extra) -> dict:
    """What a face-capture page (sign-in or the fresh identity check) shows: the prompt and the seconds left."""
    remaining = max(0, int((challenge.expires_at - timezone.now()).total_seconds()))
    used = challenge.used_at is not None
    return {"form": form, "challenge": challenge, "remaining": remaining, "used": used, **extra}
