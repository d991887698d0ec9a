from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .acting import SESSION_KEY, acting_for, acting_scope, agent_of
from .agreements import AGREEMENTS, agreement_by_slug
from .backends import user_for_identifier
from .capacity import account_block
from .face import FaceCheckError, capture_context, face_challenge_start, face_verify
from .forms import (
    FaceCaptureForm,
    FaceStartForm,
    HallPasswordChangeForm,
    PasswordLoginForm,
    RegisterForm,
    SmsLoginForm,
    sms_refusal,
)
from .guardian_views import account_blocked, pending_registration
from .lockout import NETWORK, lockout_scope
from .models import FaceChallenge, SmsPurpose
from .outbox import sms_outbox_page
from .regions import region_name
from .sms import SmsError, sms_code_check, sms_code_send

FACE_SESSION_KEY = "face_challenge"
FACE_IDENTIFIER_KEY = "face_identifier"


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _signed_in(request, user):
    """Django's login() rotates the session key, which defeats session fixation.

    A minor's account that may not be used yet (under 14, or 14 to 17 without a guardian's consent:
    accounts.capacity.account_block) is not signed in, and the page says why. The credentials were right, so
    django-axes saw no failure: this is never counted towards a lockout.
    """
    block = account_block(user, timezone.localdate())
    if block is not None:
        return account_blocked(request, block)
    login(request, user)
    if request.session.get("elder_mode") and not user.elder_mode:
        services.elder_mode_set(user=user, enabled=True)
    messages.success(request, _("登录成功，欢迎使用医保网上服务大厅。"))
    return redirect(_next_url(request))


def _locked(request) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def login_password(request):
    form = PasswordLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["identifier"], password=form.cleaned_data["password"])
        if user is not None:
            return _signed_in(request, user)
        if not _locked(request):
            form.add_error(
                None, _("账号或密码不正确。连续输错%(n)s次将暂时锁定。") % {"n": settings.AXES_FAILURE_LIMIT}
            )
    return render(
        request, "accounts/login_password.html", {"form": form, "method": "password", "next": _next_url(request)}
    )


def login_sms(request):
    sending = request.POST.get("action") == "send_code"
    form = SmsLoginForm(request.POST or None, sending_code=sending)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if sending:
            # Only registered phones are sent a code, but every phone is counted and given one that is never sent,
            # so the answers (sent, wait, hourly limit, then wrong or expired code) cannot tell who has an account.
            try:
                sms_code_send(
                    phone=phone,
                    purpose=SmsPurpose.LOGIN,
                    ip=client_ip(request),
                    session=request.session,
                    deliver=user_for_identifier(phone) is not None,
                )
            except SmsError as exc:
                sms_refusal(request, form, exc, field="phone")
            else:
                messages.info(request, _("如该手机号已注册，验证码已发送，5分钟内有效。"))
        else:
            user = authenticate(request, username=phone, sms_code=form.cleaned_data["sms_code"])
            if user is not None:
                return _signed_in(request, user)
            if not _locked(request):
                check = getattr(request, "sms_check", None)
                form.add_error("sms_code", check.message if check and not check.ok else _("手机号或验证码不正确。"))
    return render(request, "accounts/login_sms.html", {"form": form, "method": "sms", "next": _next_url(request)})


def login_face(request):
    form = FaceStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_for_identifier(form.cleaned_data["identifier"])
        consent = form.cleaned_data["consent"]
        # Consent is asked on every face sign-in, for every identifier: asking only those with an account that
        # never consented would tell a stranger which ID numbers have one.
        if not consent:
            form.add_error("consent", _("使用人脸识别登录，请先阅读并勾选同意《人脸识别信息处理告知书》。"))
        else:
            if user is not None:
                services.face_consent_record(user=user)
            challenge = face_challenge_start(user=user)
            request.session[FACE_SESSION_KEY] = str(challenge.pk)
            request.session[FACE_IDENTIFIER_KEY] = form.cleaned_data["identifier"]
            url = reverse("accounts:login_face_capture")
            nxt = request.POST.get("next")
            return redirect(f"{url}?next={nxt}" if nxt else url)
    return render(
        request, "accounts/login_face_start.html", {"form": form, "method": "face", "next": _next_url(request)}
    )


def login_face_capture(request):
    challenge_id = request.session.get(FACE_SESSION_KEY)
    challenge = FaceChallenge.objects.filter(pk=challenge_id).first() if challenge_id else None
    if challenge is None:
        messages.info(request, _("请先输入身份证号码，开始人脸识别。"))
        return redirect("accounts:login_face")
    form = FaceCaptureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("challenge") != str(challenge.pk):
            form.add_error(None, _("活体检测与本次会话不符，请重新开始人脸识别。"))
        else:
            upload = form.cleaned_data["photo"]
            image = upload.read(settings.FACE_MAX_UPLOAD_BYTES + 1)
            try:
                verification = face_verify(challenge_id=challenge.pk, image=image)
            except FaceCheckError as exc:
                form.add_error(None, str(exc))
            else:
                identifier = request.session.get(FACE_IDENTIFIER_KEY, "")
                user = authenticate(request, username=identifier, face_verification_id=verification.pk)
                if user is not None:
                    request.session.pop(FACE_SESSION_KEY, None)
                    request.session.pop(FACE_IDENTIFIER_KEY, None)
                    return _signed_in(request, user)
                if not _locked(request):
                    form.add_error(None, verification.reason or _("人脸核验未通过。"))
        if _locked(request):
            return render(request, "accounts/login_face_capture.html", {"form": form, "challenge": challenge})
    context = capture_context(challenge, form, method="face", next=_next_url(request))
    return render(request, "accounts/login_face_capture.html", context)


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    sending = request.POST.get("action") == "send_code"
    form = RegisterForm(request.POST or None, sending_code=sending)
    registered = False  # the proved phone or the person already has an account: point to sign-in
    under_age = False  # a child under 14: point to the guardian path (家庭成员)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warning = getattr(form.fields["id_number"], "info", None)
        if warning is not None and warning.warning:
            messages.warning(request, warning.warning)
        try:
            person = services.registry_match(name=data["name"], id_number=data["id_number"])
            services.own_account_allowed(person=person)  # under 14: the guardian path, before any SMS is sent
        except ValidationError as exc:
            form.add_error(None, exc)
            under_age = exc.code == "under_own_account_age"
        else:
            # Whether this person or this phone already has an account is said only once the phone is proved
            # (services.account_register): before that, the answer is the same for everyone.
            if sending:
                try:
                    sms_code_send(
                        phone=data["phone"],
                        purpose=SmsPurpose.REGISTER,
                        ip=client_ip(request),
                        session=request.session,
                    )
                except SmsError as exc:
                    sms_refusal(request, form, exc, field="phone")
                else:
                    messages.info(request, _("验证码已发送到您的手机，5分钟内有效。"))
            else:
                check = sms_code_check(phone=data["phone"], purpose=SmsPurpose.REGISTER, code=data["sms_code"])
                if not check.ok:
                    form.add_error("sms_code", check.message)
                else:
                    try:
                        user = services.account_register(
                            person=person,
                            phone=data["phone"],
                            password=data["password1"],
                            elder_mode=bool(request.session.get("elder_mode")),
                        )
                    except ValidationError as exc:
                        form.add_error("phone" if exc.code == "phone_taken" else None, exc)
                        registered = True
                    else:
                        if account_block(user, timezone.localdate()) is not None:
                            return pending_registration(request, user)  # 14 to 17: a guardian consents first
                        user.backend = "accounts.backends.IdentifierPasswordBackend"
                        return _signed_in(request, user)
    context = {"form": form, "registered": registered, "under_age": under_age}
    return render(request, "accounts/register.html", context)


@acting_scope(None)  # the signed-in user's own display setting, also while he acts for someone else
@require_POST
def elder_mode_toggle(request):
    enabled = request.POST.get("enabled") == "1"
    request.session["elder_mode"] = enabled
    if request.user.is_authenticated:
        services.elder_mode_set(user=agent_of(request.user), enabled=enabled)
    messages.info(request, _("已开启关怀模式。") if enabled else _("已切换到标准模式。"))
    return redirect(_next_url(request))


@acting_scope(None)  # whom the signed-in user acts for is his own session's choice
@login_required
@require_POST
def acting_switch(request):
    """家庭成员: act for a ward or a principal, or for himself again ("self" or his own person id).

    Only the choice is stored; ActingMiddleware checks it again on every request (accounts.acting)."""
    agent = agent_of(request.user)
    wanted = request.POST.get("person", "")
    if wanted == "self" or (agent.person_id and wanted == str(agent.person_id)):
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("已切换回本人，现在办理的是您本人的业务。"))
        return redirect(_next_url(request))
    acting = acting_for(agent, int(wanted)) if wanted.isdigit() else None
    if acting is None or not acting.for_someone_else:
        message = _(
            "您不能为这位家人办理。为未成年子女办理需先登记监护关系并通过核验；为成年家人办理需要他（她）本人"
            "授权您为代办人，且授权在有效期内。"
        )
        return render(request, "accounts/acting_refused.html", {"message": message}, status=403)
    request.session[SESSION_KEY] = acting.person.pk
    messages.success(request, _("现在正在为%(name)s办理。") % {"name": acting.person.name})
    return redirect(_next_url(request))


def sms_outbox(request):
    """The demo outbox: the simulated phone, or masked and audited for clerks with the permission (accounts.outbox)."""
    return sms_outbox_page(request, ip=client_ip(request))


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = HallPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)


@login_required
def profile(request):
    person = request.user.person
    region = region_name(person.city_code) if person else ""
    return render(request, "accounts/profile.html", {"person": person, "person_region": region})


def agreement(request, slug):
    """用户服务协议 or 个人信息保护政策: public pages, linked from registration."""
    page = agreement_by_slug(slug)
    others = [other for other in AGREEMENTS if other.slug != slug]
    return render(request, page.template, {"agreement": page, "others": others})


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page: says how long to wait, never echoes the identifier.

    Locked for the account (accounts.lockout: whatever identifier or method was used) or for the network address.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"cooloff_minutes": minutes, "network": lockout_scope(request) == NETWORK}
    return render(request, "accounts/locked_out.html", context, status=429)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
