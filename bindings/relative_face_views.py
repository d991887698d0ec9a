"""The wizard's step "请被共济人本人完成人脸识别": where the city asks it (Verdict.face_check_age), the relative does a
liveness check on the applicant's device before the application can be submitted (bindings.services.relative_face).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.acting import acting_scope
from accounts.face import FaceCheckError
from accounts.forms import FaceCaptureForm
from accounts.models import FaceChallenge, ProxyScope

from . import selectors, services
from .models import Status
from .services.relative_face import relative_face_record_of, relative_face_start, relative_face_verify

SESSION_KEY = "relative_face"  # {binding pk: challenge id}


class RelativeFaceConsentForm(forms.Form):
    consent = forms.BooleanField(
        label=gettext_lazy("被共济人本人已阅读《人脸识别信息处理告知书》，同意本次使用人脸识别核验身份"),
        error_messages={"required": gettext_lazy("请由被共济人本人阅读并勾选同意后，再开始人脸识别。")},
    )


def _challenges(request) -> dict:
    return request.session.get(SESSION_KEY, {})


@login_required
@acting_scope(ProxyScope.APPLY)
def relative_face(request, case, pk):
    application = selectors.application_for_user(user=request.user, case_number=case)
    if application.submitted_at:
        return redirect("bindings:done", case=case)
    binding = application.bindings.filter(pk=pk, status=Status.DRAFT).select_related("relative", "authorizer").first()
    if binding is None:
        raise Http404
    binding.application = application
    verdict = services.binding_verdict(binding=binding)
    record = relative_face_record_of(binding)
    if verdict.face_check_age is None and record is None:
        return redirect("bindings:proof", case=case)
    context = {
        "application": application,
        "binding": binding,
        "verdict": verdict,
        "record": record,
        "face_age": verdict.face_check_age,
    }
    if record is not None:
        return render(request, "bindings/apply_relative_face.html", context)

    challenges = _challenges(request)
    challenge_id = challenges.get(str(binding.pk))
    challenge = FaceChallenge.objects.filter(pk=challenge_id, user=None).first() if challenge_id else None
    starting = request.method == "POST" and request.POST.get("action") == "start"
    capturing = request.method == "POST" and not starting
    consent = RelativeFaceConsentForm(request.POST if starting else None)
    capture = FaceCaptureForm(request.POST if capturing else None, request.FILES if capturing else None)
    if starting:
        if consent.is_valid():
            challenge = relative_face_start(binding=binding)
            request.session[SESSION_KEY] = {**challenges, str(binding.pk): str(challenge.pk)}
            return redirect("bindings:relative_face", case=case, pk=pk)
        challenge = None
    elif capturing and challenge is not None and capture.is_valid():
        if request.POST.get("challenge") != str(challenge.pk):
            capture.add_error(None, _("活体检测与本次会话不符，请重新开始人脸识别。"))
        else:
            image = capture.cleaned_data["photo"].read(settings.FACE_MAX_UPLOAD_BYTES + 1)
            try:
                verification = relative_face_verify(
                    binding=binding, challenge_id=challenge.pk, image=image, actor=request.user
                )
            except FaceCheckError as exc:
                capture.add_error(None, exc.message)
            else:
                if verification.passed:
                    request.session[SESSION_KEY] = {k: v for k, v in challenges.items() if k != str(binding.pk)}
                    messages.success(request, _("%(name)s本人人脸识别核验通过。") % {"name": binding.relative.name})
                    return redirect("bindings:proof", case=case)
                capture.add_error(None, verification.reason or _("人脸核验未通过，请重新开始。"))
        challenge.refresh_from_db()
    if challenge is not None and (challenge.used_at is not None or challenge.expires_at < timezone.now()):
        context["used"] = True
    context.update(
        {
            "consent": consent,
            "form": capture,
            "challenge": challenge,
            "remaining": max(0, int((challenge.expires_at - timezone.now()).total_seconds())) if challenge else 0,
        }
    )
    return render(request, "bindings/apply_relative_face.html", context)
