"""忘记密码: a new password after an SMS code to the account's own confirmed phone.

Three pages under /accounts/password/forgot/: who (ID number or phone), the code, the new password twice.

No page tells whether an account exists: every identifier is counted and issued a code (accounts.sms with
deliver=False when there is no account or no confirmed phone, as the SMS sign-in does), and every answer (sent,
wait, hourly limit, wrong or expired code) is the same. Wrong codes count towards the same lockout as the
sign-ins, under the same key (accounts.lockout.account_key: the account the identifier reaches, whatever was
typed), through django-axes' own signal and handler. A new password ends every other session of the account:
Django checks each session's password hash on every request (SessionAuthenticationMiddleware's rule, built into
django.contrib.auth.get_user since 1.10), so they are signed out at their next click.
"""

import datetime

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import audit, region_of
from .backends import user_for_identifier
from .forms import SmsCodeForm, SmsResendMixin, sms_refusal
from .idnumbers import is_ascii_digits, normalize_identifier
from .models import AuditAction, SmsPurpose
from .sms import SmsError, sms_code_check, sms_code_send

SESSION_KEY = "password_reset"
VERIFIED_FOR = datetime.timedelta(minutes=10)  # from the right code to the new password


class ForgotForm(SmsResendMixin, forms.Form):
    """Who forgot: the 获取验证码 button counts down the wait of the number the code is counted under (the same
    for an identifier with or without an account, so the countdown tells nothing either)."""

    identifier = forms.CharField(
        label=gettext_lazy("身份证号码或手机号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={"required": gettext_lazy("请输入注册时使用的身份证号码或手机号码。")},
    )

    def clean_identifier(self):
        return normalize_identifier(self.cleaned_data["identifier"])

    def _sms_target(self) -> str:
        if self.is_bound and not self.has_error("identifier") and hasattr(self, "cleaned_data"):
            identifier = self.cleaned_data.get("identifier") or ""
            return code_phone(identifier, user_for_identifier(identifier)) if identifier else ""
        return ""


class ResendForm(SmsResendMixin, forms.Form):
    """The 重新获取验证码 button on the code page: counts down the wait of the number the code went to."""

    def __init__(self, phone: str):
        super().__init__()
        self.sms_phone = phone


class NewPasswordForm(SetPasswordForm):
    """Django's SetPasswordForm (AUTH_PASSWORD_VALIDATORS), with the hall's words."""

    error_messages = {"password_mismatch": gettext_lazy("两次输入的密码不一致。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("再次输入新密码")
        self.fields["new_password1"].help_text = _("至少8位，不要只用数字，不要与姓名、手机号相近。")


def code_phone(identifier: str, user) -> str:
    """The number a code is counted (and, for an account with a confirmed phone, sent) under.

    A phone number typed is counted under itself whether or not it has an account, as the SMS sign-in counts it;
    an ID number reaching an account with a confirmed phone, under that phone; anything else under a keyed hash
    of what was typed, stored in the 11 characters of the phone column and never sent."""
    if user is not None and user.phone:
        return user.phone
    if len(identifier) == 11 and is_ascii_digits(identifier):
        return identifier
    return "x" + salted_hmac("accounts.password_reset", identifier).hexdigest()[:10]


def _credentials(identifier: str) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: identifier}


def _client_ip(request):
    return request.META.get("REMOTE_ADDR")


@transaction.atomic
def password_reset(*, user, password: str, ip: str | None) -> None:
    """Set the new password and leave an audit row; other sessions end (see the module docstring)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit(
        actor=user,
        action=AuditAction.PASSWORD_RESET,
        target=f"user:{user.pk}",
        detail=_("本人通过已验证手机号的短信验证码重设密码"),
        ip=ip,
        region_code=region_of(user),
    )


def forgot(request):
    """Step 1: the identifier; a code goes to the account's confirmed phone, if there is one."""
    if request.user.is_authenticated:
        return redirect("accounts:password_change")
    form = ForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        user = user_for_identifier(identifier)
        phone = code_phone(identifier, user)
        try:
            sms_code_send(
                phone=phone,
                purpose=SmsPurpose.RESET_PASSWORD,
                ip=_client_ip(request),
                session=request.session,
                deliver=user is not None and bool(user.phone) and user.is_active,
            )
        except SmsError as exc:
            sms_refusal(request, form, exc, field="identifier")
        else:
            request.session[SESSION_KEY] = {"identifier": identifier, "phone": phone}
            messages.info(request, _("如该账户存在，验证码已发送到账户绑定的手机号，5分钟内有效。"))
            return redirect("accounts:password_forgot_code")
    return render(request, "accounts/password_forgot.html", {"form": form, "step": 1})


def forgot_code(request):
    """Step 2: the code. A wrong one is a failed sign-in for the lockout."""
    state = request.session.get(SESSION_KEY)
    if not state:
        return redirect("accounts:password_forgot")
    form = SmsCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = _credentials(state["identifier"])
        if AxesProxyHandler.is_locked(request, credentials):
            return _lockout_page(request)
        check = sms_code_check(
            phone=state["phone"], purpose=SmsPurpose.RESET_PASSWORD, code=form.cleaned_data["sms_code"]
        )
        user = user_for_identifier(state["identifier"]) if check.ok else None
        if user is not None and user.phone == state["phone"] and user.is_active:
            request.session[SESSION_KEY] = {**state, "user": user.pk, "at": timezone.now().isoformat()}
            return redirect("accounts:password_forgot_new")
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return _lockout_page(request)
        form.add_error("sms_code", check.message if not check.ok else _("验证码不正确，请核对短信中的6位数字。"))
    context = {"form": form, "step": 2, "identifier": state["identifier"], "resend_form": ResendForm(state["phone"])}
    return render(request, "accounts/password_forgot_code.html", context)


def _verified_user(request):
    state = request.session.get(SESSION_KEY) or {}
    try:
        at = datetime.datetime.fromisoformat(state["at"])
        user_id = int(state["user"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.now() > at + VERIFIED_FOR:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def forgot_new(request):
    """Step 3: the new password twice; then every session of the account ends, and he signs in again."""
    user = _verified_user(request)
    if user is None:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("验证已过期，请重新获取验证码。"))
        return redirect("accounts:password_forgot")
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset(user=user, password=form.cleaned_data["new_password1"], ip=_client_ip(request))
        request.session.pop(SESSION_KEY, None)
        request.session.cycle_key()
        messages.success(request, _("密码已重新设置，其他设备上的登录已退出。请用新密码登录。"))
        return redirect("accounts:login")
    return render(request, "accounts/password_forgot_new.html", {"form": form, "step": 3})


def _lockout_page(request):
    from .views import locked_out  # the one lockout page (AXES_LOCKOUT_CALLABLE)

    return locked_out(request)
