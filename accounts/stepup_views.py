"""The one step-up page, /accounts/verify/?next=...: an SMS code to the signed-in account's own confirmed phone,
or the simulated face check; on success the proof is recorded (accounts.stepup) and the resident goes back to
`next`, which must stay on this site. While acting for someone else, the check is the signed-in user's own.

The proxy grant's old step-up addresses (/family/proxies/step-up/...) call these views with their `next` fixed.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import services
from .acting import acting_scope, agent_of
from .face import FaceCheckError, capture_context, face_challenge_start, face_verification_consume, face_verify
from .forms import FaceCaptureForm, SmsCodeForm, sms_refusal
from .masking import mask_phone
from .models import FaceChallenge, SmsPurpose
from .sms import SmsError, sms_code_check, sms_code_send
from .stepup import StepUpMethod, max_minutes, safe_next, step_up_expires_in, step_up_peek, step_up_record

FACE_KEY = "step_up_face_challenge"


class StepUpFaceForm(forms.Form):
    consent = forms.BooleanField(
        label=gettext_lazy("我已阅读《人脸识别信息处理告知书》，同意本次使用人脸识别核验本人身份"),
        error_messages={"required": gettext_lazy("使用人脸识别核验，请先阅读并勾选同意《人脸识别信息处理告知书》。")},
    )


def _next(request) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), reverse("home"))


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def step_up_context(request, next_url: str, **extra) -> dict:
    """What templates/accounts/_step_up.html needs; the proxy confirm page includes it too."""
    agent = agent_of(request.user)
    proof = step_up_peek(request.session, user=agent)
    return {
        "proof": proof,
        "proof_minutes": step_up_expires_in(proof) if proof else 0,
        "max_minutes": max_minutes(),
        "phone": mask_phone(agent.phone),
        "sms_form": SmsCodeForm(phone=agent.phone),  # its 获取验证码 counts down this phone's resend wait
        "face_form": StepUpFaceForm(),
        "next": next_url,
        "acting": getattr(request, "acting", None),
        **extra,
    }


def _passed(request, method: str, next_url: str):
    step_up_record(request.session, user=agent_of(request.user), method=method)
    messages.success(request, _("本人身份已核验，%(m)s分钟内有效，请继续办理。") % {"m": max_minutes()})
    return redirect(next_url)


def verify_page(request, *, next_url: str, back_url: str, page):
    """GET: the choice of check. POST: send an SMS code (then back to `back_url`), or check the one typed."""
    if request.method != "POST":
        return page()
    agent = agent_of(request.user)
    sending = request.POST.get("action") == "send_code"
    form = SmsCodeForm(request.POST, sending_code=sending, phone=agent.phone)
    if not agent.phone:
        form.add_error(None, _("您的账户没有已验证的手机号，请改用人脸识别核验。"))
    elif form.is_valid():
        if sending:
            try:
                sms_code_send(phone=agent.phone, purpose=SmsPurpose.STEP_UP, ip=_ip(request), session=request.session)
            except SmsError as exc:
                sms_refusal(request, form, exc)
            else:
                messages.info(
                    request, _("验证码已发送到您的手机%(phone)s，5分钟内有效。") % {"phone": mask_phone(agent.phone)}
                )
                return redirect(back_url)
        else:
            check = sms_code_check(phone=agent.phone, purpose=SmsPurpose.STEP_UP, code=form.cleaned_data["sms_code"])
            if check.ok:
                return _passed(request, StepUpMethod.SMS, next_url)
            form.add_error("sms_code", check.message)
    return page(sms_form=form)


def face_start(request, *, next_url: str, capture_url: str, page):
    """Consent, then a fresh liveness challenge for the signed-in account."""
    form = StepUpFaceForm(request.POST)
    if not form.is_valid():
        return page(face_form=form)
    agent = agent_of(request.user)
    services.face_consent_record(user=agent)
    challenge = face_challenge_start(user=agent)
    request.session[FACE_KEY] = str(challenge.pk)
    return redirect(capture_url)


def face_capture(request, *, next_url: str, back_url: str):
    agent = agent_of(request.user)
    challenge_id = request.session.get(FACE_KEY)
    challenge = FaceChallenge.objects.filter(pk=challenge_id, user=agent).first() if challenge_id else None
    if challenge is None:
        messages.info(request, _("请先选择人脸识别核验。"))
        return redirect(back_url)
    form = FaceCaptureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("challenge") != str(challenge.pk):
            form.add_error(None, _("活体检测与本次会话不符，请重新开始人脸识别。"))
        else:
            image = form.cleaned_data["photo"].read(settings.FACE_MAX_UPLOAD_BYTES + 1)
            try:
                verification = face_verify(challenge_id=challenge.pk, image=image)
            except FaceCheckError as exc:
                form.add_error(None, exc.message)
            else:
                request.session.pop(FACE_KEY, None)
                passed = verification.passed and verification.user_id == agent.pk
                if passed and face_verification_consume(verification_id=verification.pk) is not None:
                    return _passed(request, StepUpMethod.FACE, next_url)
                form.add_error(None, verification.reason or _("人脸核验未通过，请重试或改用短信验证码。"))
        challenge.refresh_from_db()
    return render(request, "accounts/verify_face.html", capture_context(challenge, form, back_url=back_url))


def _ip(request):
    return request.META.get("REMOTE_ADDR")


# --- the page's own addresses ----------------------------------------------------------------------------------


def _verify_page(request, next_url: str):
    def page(**extra):
        return render(request, "accounts/verify.html", step_up_context(request, next_url, **extra))

    return page


@acting_scope(None)  # the signed-in user's own check, also while he acts for someone else
@login_required
def verify(request):
    next_url = _next(request)
    back_url = _with_next(reverse("accounts:verify"), next_url)
    return verify_page(request, next_url=next_url, back_url=back_url, page=_verify_page(request, next_url))


@acting_scope(None)
@login_required
@require_POST
def verify_face(request):
    next_url = _next(request)
    capture_url = _with_next(reverse("accounts:verify_face_capture"), next_url)
    return face_start(request, next_url=next_url, capture_url=capture_url, page=_verify_page(request, next_url))


@acting_scope(None)
@login_required
def verify_face_capture(request):
    next_url = _next(request)
    return face_capture(request, next_url=next_url, back_url=_with_next(reverse("accounts:verify"), next_url))
