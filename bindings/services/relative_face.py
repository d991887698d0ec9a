"""The relative's own face check, where the city asks for one (贵港: relatives aged 16 and over, seed 003).

Whether a relative needs it is the engine's answer (Verdict.face_check_age, policies.eligibility.relative_face_age).
Online, the relative completes a liveness check on the authorizer's device with the hall's face verifier
(accounts.face), checked against the registry person the draft names; at the counter the clerk records that the
relative was there in person and verified. Either way the result is one BindingEvent on the draft binding (who
operated, when, how, on which channel) with one of FACE_CODES, so the submit check, the clerk's case page and the
timeline read the same record. No photo is kept: accounts.face stores only its format and size.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.face import face_challenge_start, face_verify
from accounts.models import FaceChallenge, FaceVerification
from policies.choices import ChannelKind

from ..models import ActorRole, Binding, Status
from ..transitions import Action
from .core import BindingError, ensure_allowed, lock_binding, record_event

FACE_ONLINE = "relative_face_online"  # passed the hall's liveness check on the applicant's device
FACE_COUNTER = "relative_face_counter"  # present at the counter, verified by the clerk
FACE_CODES = (FACE_ONLINE, FACE_COUNTER)


def relative_face_record_of(binding: Binding):
    """The event that records the relative's passed face check on this binding, if any."""
    return binding.events.filter(reason_code__in=FACE_CODES).order_by("-created_at", "-id").first()


def relative_face_passed(binding: Binding) -> bool:
    return binding.events.filter(reason_code__in=FACE_CODES).exists()


def _record(binding: Binding, *, actor, role: ActorRole, channel: str, code: str, text: str) -> None:
    locked = lock_binding(binding)
    ensure_allowed(locked, Action.EDIT_PROOF, _("该申请已提交，不能再修改。"))
    record_event(
        locked,
        actor=actor,
        role=role,
        from_status=locked.status,
        to_status=locked.status,
        channel=channel,
        reason_code=code,
        reason_text=text,
    )


def relative_face_start(*, binding: Binding) -> FaceChallenge:
    """A fresh liveness prompt for the relative (the challenge names no account: he may have none)."""
    if binding.status != Status.DRAFT:
        raise BindingError(_("该申请已提交，不能再修改。"))
    return face_challenge_start(user=None)


def relative_face_verify(*, binding: Binding, challenge_id, image: bytes, actor) -> FaceVerification:
    """Claim the challenge, let the verifier compare the photo with the relative, and record a pass on the binding.

    Raises accounts.face.FaceCheckError for a used or expired challenge; a failed check returns the verification
    (its reason says why) and records nothing on the binding.
    """
    verification = face_verify(challenge_id=challenge_id, image=image, person=binding.relative)
    if verification.passed:
        with transaction.atomic():
            _record(
                binding,
                actor=actor,
                role=ActorRole.AUTHORIZER,
                channel=binding.application.channel,
                code=FACE_ONLINE,
                text=_("%(name)s本人完成人脸识别（活体检测：%(prompt)s），核验通过")
                % {"name": binding.relative.name, "prompt": verification.challenge.get_prompt_display()},
            )
    return verification


@transaction.atomic
def relative_face_counter_record(*, binding: Binding, clerk) -> None:
    """At the counter: the clerk confirms the relative came in person and was verified face to face."""
    if relative_face_passed(binding):
        return
    _record(
        binding,
        actor=clerk,
        role=ActorRole.CLERK,
        channel=ChannelKind.COUNTER,
        code=FACE_COUNTER,
        text=_("经办人员确认%(name)s本人到场，当面核验身份证件并完成人脸识别") % {"name": binding.relative.name},
    )
