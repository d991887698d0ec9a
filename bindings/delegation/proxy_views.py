"""The resident's pages for trusted proxies (代办人), under /family/proxies/.

Naming a proxy takes three steps: the form (who, what he may do, until when), a fresh identity check (an SMS code
to the resident's own confirmed phone, or a face check: see stepup.py), then the grant itself. Revoking asks once
more, naming the agent; a proxy may also end his own agency. These pages are the signed-in resident's own business:
while he acts for someone else they tell him to switch back, and their POST views declare no acting scope, so
ActingMiddleware refuses them then. The rules are the services' (proxies.py); the views only move between steps.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.face import FaceCheckError, face_challenge_start, face_verification_consume, face_verify
from accounts.forms import FaceCaptureForm
from accounts.masking import mask_phone
from accounts.models import FaceChallenge, ProxyGrant, SmsPurpose
from accounts.sms import SmsError, sms_code_check, sms_code_send
from accounts.views import client_ip

from . import proxies
from .forms import ProxyGrantForm, StepUpFaceForm, StepUpSmsForm
from .stepup import StepUpMethod, step_up_expires_in, step_up_peek, step_up_record, step_up_take

PENDING_KEY = "proxy_pending"  # the form's data between the form and the grant
FACE_KEY = "step_up_face_challenge"


@dataclass(frozen=True)
class ProxyPanel:
    """What templates/family/_proxies.html shows: my proxies, and the people I am proxy for."""

    given: list
    held: list
    today: datetime.date


def proxy_panel(request) -> ProxyPanel | None:
    """For the household page: `{% include "family/_proxies.html" with proxies=proxies %}` after putting
    `proxies = proxy_panel(request)` in its context. None while acting for someone else (it is his own business)."""
    person = request.user.person
    acting = getattr(request, "acting", None)
    if person is None or (acting is not None and acting.for_someone_else):
        return None
    today = timezone.localdate()
    return ProxyPanel(given=list(proxies.grants_given(person)), held=proxies.grants_held(person, today), today=today)


def _own_person(request):
    """The signed-in resident's registry person when he acts for himself; a page saying so otherwise."""
    acting = getattr(request, "acting", None)
    if acting is not None and acting.for_someone_else:
        # The same page as the guardian's own pages: these are the signed-in resident's own affairs.
        context = {"acting_name": acting.person.name, "next": request.path}
        return None, render(request, "family/guardian_switch_back.html", context)
    if request.user.person is None:
        raise Http404
    return request.user.person, None


def _pending(request) -> dict | None:
    data = request.session.get(PENDING_KEY)
    if not data:
        return None
    return {**data, "ends_on": datetime.date.fromisoformat(data["ends_on"])}


def _grant_in_progress(request):
    """(the grant being made, None), or (None, the page to answer): switch back first, or fill in the form first."""
    _person, refused = _own_person(request)
    if refused:
        return None, refused
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("请先填写代办人信息。"))
        return None, redirect("family:proxy_add")
    return pending, None


@login_required
def proxy_list(request):
    person, refused = _own_person(request)
    if refused:
        return refused
    return render(request, "family/proxy_list.html", {"proxies": proxy_panel(request)})


@login_required
def proxy_add(request):
    person, refused = _own_person(request)
    if refused:
        return refused
    pending = _pending(request)
    form = ProxyGrantForm(request.POST or None, initial=pending or {})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proxies.proxy_precheck(
                principal=person,
                agent_id_number=data["agent_id_number"],
                agent_name=data["agent_name"],
                ends_on=data["ends_on"],
            )
        except proxies.ProxyError as exc:
            form.add_error(None, exc.message)
            existing = exc.grant
        else:
            request.session[PENDING_KEY] = {**data, "ends_on": data["ends_on"].isoformat()}
            return redirect("family:proxy_confirm")
    else:
        existing = None
    return render(request, "family/proxy_add.html", {"form": form, "existing": existing})


def _confirm_context(request, pending: dict, **extra) -> dict:
    user = request.user
    proof = step_up_peek(request.session, user=user)
    return {
        "pending": pending,
        "proof": proof,
        "proof_minutes": step_up_expires_in(proof) if proof else 0,
        "max_minutes": int(settings.STEP_UP_MAX_AGE.total_seconds() // 60),
        "phone": mask_phone(user.phone),
        "sms_form": StepUpSmsForm(),
        "face_form": StepUpFaceForm(),
        **extra,
    }


@login_required
def proxy_confirm(request):
    """GET: what will be granted, and the identity check. POST: the grant, with the check taken (used once)."""
    pending, page = _grant_in_progress(request)
    if page is not None:
        return page
    if request.method != "POST":
        return render(request, "family/proxy_confirm.html", _confirm_context(request, pending))
    proof = step_up_take(request.session)
    try:
        grant = proxies.proxy_grant_online(principal_user=request.user, step_up=proof, ip=client_ip(request), **pending)
    except proxies.ProxyError as exc:
        context = _confirm_context(request, pending, error=exc.message, existing=exc.grant)
        return render(request, "family/proxy_confirm.html", context)
    request.session.pop(PENDING_KEY, None)
    messages.success(
        request,
        _("已委托%(name)s为您的代办人，有效期至%(ends)s。您和%(name)s都会收到通知。")
        % {"name": grant.agent.name, "ends": f"{grant.ends_on:%Y-%m-%d}"},
    )
    if not proxies.has_account(grant.agent):
        messages.warning(
            request,
            _(
                "%(name)s还没有注册网上服务大厅账户：授权已生效，但%(name)s要先用本人身份证号码和手机号实名注册，才能为您办理。"
            )
            % {"name": grant.agent.name},
        )
    return redirect("family:proxies")


@login_required
@require_POST
def proxy_step_up_sms(request):
    """Send a code to the resident's own confirmed phone, or check the one he typed."""
    pending, page = _grant_in_progress(request)
    if page is not None:
        return page
    user = request.user
    sending = request.POST.get("action") == "send_code"
    form = StepUpSmsForm(request.POST, sending_code=sending)
    if not user.phone:
        form.add_error(None, _("您的账户没有已验证的手机号，请改用人脸识别核验。"))
    elif form.is_valid():
        if sending:
            try:
                sms_code_send(
                    phone=user.phone, purpose=SmsPurpose.STEP_UP, ip=client_ip(request), session=request.session
                )
            except SmsError as exc:
                form.add_error(None, exc.message)
            else:
                messages.info(
                    request, _("验证码已发送到您的手机%(phone)s，5分钟内有效。") % {"phone": mask_phone(user.phone)}
                )
                return redirect("family:proxy_confirm")
        else:
            check = sms_code_check(phone=user.phone, purpose=SmsPurpose.STEP_UP, code=form.cleaned_data["sms_code"])
            if check.ok:
                return _step_up_passed(request, StepUpMethod.SMS)
            form.add_error("sms_code", check.message)
    context = _confirm_context(request, pending, sms_form=form)
    return render(request, "family/proxy_confirm.html", context)


def _step_up_passed(request, method: str):
    step_up_record(request.session, user=request.user, method=method)
    minutes = int(settings.STEP_UP_MAX_AGE.total_seconds() // 60)
    messages.success(request, _("本人身份已核验。请在%(m)s分钟内点“确认委托”完成办理。") % {"m": minutes})
    return redirect("family:proxy_confirm")


@login_required
@require_POST
def proxy_step_up_face(request):
    """Consent, then a fresh liveness challenge for this account."""
    pending, page = _grant_in_progress(request)
    if page is not None:
        return page
    form = StepUpFaceForm(request.POST)
    if not form.is_valid():
        return render(request, "family/proxy_confirm.html", _confirm_context(request, pending, face_form=form))
    account_services.face_consent_record(user=request.user)
    challenge = face_challenge_start(user=request.user)
    request.session[FACE_KEY] = str(challenge.pk)
    return redirect("family:proxy_step_up_face_capture")


@login_required
def proxy_step_up_face_capture(request):
    person, refused = _own_person(request)
    if refused:
        return refused
    challenge_id = request.session.get(FACE_KEY)
    challenge = FaceChallenge.objects.filter(pk=challenge_id, user=request.user).first() if challenge_id else None
    if challenge is None or _pending(request) is None:
        messages.info(request, _("请先选择人脸识别核验。"))
        return redirect("family:proxy_confirm")
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
                passed = verification.passed and verification.user_id == request.user.pk
                if passed and face_verification_consume(verification_id=verification.pk) is not None:
                    return _step_up_passed(request, StepUpMethod.FACE)
                form.add_error(None, verification.reason or _("人脸核验未通过，请重试或改用短信验证码。"))
        challenge.refresh_from_db()
    remaining = max(0, int((challenge.expires_at - timezone.now()).total_seconds()))
    context = {"form": form, "challenge": challenge, "remaining": remaining, "used": challenge.used_at is not None}
    return render(request, "family/proxy_face.html", context)


def _grant_or_404(pk, **who) -> ProxyGrant:
    return get_object_or_404(
        ProxyGrant.objects.select_related("principal", "agent"), pk=pk, revoked_at__isnull=True, **who
    )


def _end(request, grant: ProxyGrant, template: str, done: str):
    if request.method != "POST":
        return render(request, template, {"grant": grant})
    try:
        proxies.proxy_revoke(grant=grant, actor=request.user, ip=client_ip(request))
    except proxies.ProxyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("family:proxies")


@login_required
def proxy_revoke(request, pk):
    """The principal ends a grant: a confirmation naming the agent, then the POST that ends it at once."""
    person, refused = _own_person(request)
    if refused:
        return refused
    grant = _grant_or_404(pk, principal=person)
    done = _("已撤销%(name)s的代办授权，%(name)s从现在起不能再为您办理。") % {"name": grant.agent.name}
    return _end(request, grant, "family/proxy_revoke.html", done)


@login_required
def proxy_resign(request, pk):
    """The agent ends his own agency; the principal is told."""
    person, refused = _own_person(request)
    if refused:
        return refused
    grant = _grant_or_404(pk, agent=person)
    done = _("您已不再是%(name)s的代办人，%(name)s会收到通知。") % {"name": grant.principal.name}
    return _end(request, grant, "family/proxy_resign.html", done)


urlpatterns = [
    path("proxies/", proxy_list, name="proxies"),
    path("proxies/add/", proxy_add, name="proxy_add"),
    path("proxies/confirm/", proxy_confirm, name="proxy_confirm"),
    path("proxies/step-up/sms/", proxy_step_up_sms, name="proxy_step_up_sms"),
    path("proxies/step-up/face/", proxy_step_up_face, name="proxy_step_up_face"),
    path("proxies/step-up/face/capture/", proxy_step_up_face_capture, name="proxy_step_up_face_capture"),
    path("proxies/<int:pk>/revoke/", proxy_revoke, name="proxy_revoke"),
    path("proxies/<int:pk>/resign/", proxy_resign, name="proxy_resign"),
]
