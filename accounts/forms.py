import re

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .idnumbers import normalize_identifier, parse_id_number
from .sms import RESEND_WAIT, sms_resend_interval, sms_resend_wait

# [0-9], not \d: in Python \d also matches Arabic-Indic and other digits.
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")


def clean_phone_value(value: str) -> str:
    value = normalize_identifier(value)
    if not PHONE_RE.fullmatch(value):
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="phone_format")
    return value


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("身份证号码"))
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("min_length", 1)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "text", "spellcheck": "false"})

    def to_python(self, value):
        # Before the length check: a number typed with spaces or full-width digits is still 18 characters.
        return normalize_identifier(super().to_python(value))

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        info = parse_id_number(value)
        self.info = info
        return info.number


class IdentifierField(forms.CharField):
    """身份证号码或手机号码, as the label says: either is accepted and normalised the one way every sign-in
    compares identifiers (normalize_identifier); a number that is neither is told so in those words."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("身份证号码或手机号码"))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})

    def to_python(self, value):
        return normalize_identifier(super().to_python(value))

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values or PHONE_RE.fullmatch(value):
            return value
        if len(value) == 18:
            return parse_id_number(value).number  # its own words: check digit, birth date
        raise ValidationError(_("请输入18位身份证号码或11位手机号码。"), code="identifier_format")


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号码"))
        kwargs.setdefault("max_length", 11)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "numeric"})

    def to_python(self, value):
        return normalize_identifier(super().to_python(value))

    def clean(self, value):
        value = super().clean(value)
        return clean_phone_value(value) if value else value


class SmsCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("短信验证码"))
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d{6}"})

    def to_python(self, value):
        return normalize_identifier(super().to_python(value))  # a code typed in full-width digits is the same code


class HallFormMixin:
    """请填写{label} instead of Django's bare 请填写此项 for a required field without a message of its own (the
    hall's catalogue, locale/zh_Hans, rewords the rest of Django's defaults)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = str(forms.Field.default_error_messages["required"])
        for field in self.fields.values():
            if str(field.error_messages.get("required", "")) != default or not field.label:
                continue
            if isinstance(field, forms.BooleanField):
                message = _("请勾选“%(label)s”。")
            elif isinstance(field, (forms.ChoiceField, forms.FileField)):
                message = _("请选择%(label)s。")
            else:
                message = _("请填写%(label)s。")
            field.error_messages["required"] = message % {"label": field.label}


class SmsResendMixin:
    """What includes/sms_send_button.html shows next to a form's 获取验证码: the server's resend interval and how
    long this phone still has to wait, so the countdown starts from the server's number (no-JS: the hint says it)."""

    sms_phone_field = "phone"
    sms_phone = ""  # a fixed phone (the account's own, for the fresh identity check) instead of a typed one

    def _sms_target(self) -> str:
        if self.sms_phone:
            return self.sms_phone
        if self.is_bound and not self.has_error(self.sms_phone_field) and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get(self.sms_phone_field) or ""
        return ""

    @cached_property
    def resend_wait(self) -> int:
        return sms_resend_wait(self._sms_target())

    @property
    def resend_interval(self) -> int:
        return sms_resend_interval()


def sms_refusal(request, form, exc, *, field=None) -> None:
    """A refused 获取验证码: asking again too soon is not a wrong phone number, so it is a notice (the button
    counts down), not an error on the field; every other refusal is the field's error."""
    if exc.code == RESEND_WAIT:
        messages.info(request, exc.message)
    else:
        form.add_error(field, exc.message)


class RegisterForm(HallFormMixin, SmsResendMixin, forms.Form):
    """Real-name registration on one page. The 'send code' button validates only the first three fields."""

    name = forms.CharField(label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = IdNumberField()
    phone = PhoneField()
    sms_code = SmsCodeField(required=False)
    password1 = forms.CharField(
        label=_("设置密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能全是数字，不要与身份证号或手机号相同。"),
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    agree = forms.BooleanField(label=_("我已阅读并同意《用户服务协议》和《个人信息保护政策》"), required=False)

    def __init__(self, *args, sending_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending_code = sending_code

    def clean(self):
        cleaned = super().clean()
        if self.sending_code or self.errors:
            return cleaned
        if not cleaned.get("sms_code"):
            self.add_error("sms_code", _("请输入短信验证码；还没有收到请点“获取验证码”。"))
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if not p1:
            self.add_error("password1", _("请设置登录密码。"))
        elif p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        else:
            try:
                password_validation.validate_password(p1)
            except ValidationError as exc:
                self.add_error("password1", exc)
            for personal in (cleaned.get("id_number"), cleaned.get("phone")):
                if personal and personal in p1:
                    self.add_error("password1", _("密码不能包含身份证号码或手机号码。"))
                    break
        if not cleaned.get("agree"):
            self.add_error("agree", _("请阅读并勾选同意用户协议和个人信息保护政策。"))
        return cleaned


class PasswordLoginForm(HallFormMixin, forms.Form):
    identifier = forms.CharField(
        label=_("身份证号码或手机号码"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def clean_identifier(self):
        return normalize_identifier(self.cleaned_data["identifier"])


class SmsCodeForm(HallFormMixin, SmsResendMixin, forms.Form):
    """A code from a text message: optional while asking for one (获取验证码), required when checking it. Used by
    the SMS sign-in and by the fresh identity check before granting a proxy (phone: the account's own)."""

    sms_code = SmsCodeField(required=False)

    def __init__(self, *args, sending_code=False, phone="", **kwargs):
        super().__init__(*args, **kwargs)
        self.sending_code = sending_code
        self.sms_phone = phone

    def clean(self):
        cleaned = super().clean()
        if not self.sending_code and not self.errors and not cleaned.get("sms_code"):
            self.add_error("sms_code", _("请输入短信验证码；还没有收到请点“获取验证码”。"))
        return cleaned


class SmsLoginForm(SmsCodeForm):
    phone = PhoneField()
    field_order = ["phone", "sms_code"]


class FaceStartForm(HallFormMixin, forms.Form):
    identifier = IdentifierField()
    consent = forms.BooleanField(
        label=_("我已阅读《人脸识别信息处理告知书》，同意本次登录使用人脸识别核验身份"), required=False
    )


class FaceCaptureForm(forms.Form):
    photo = forms.FileField(
        label=_("人脸照片"), required=True, error_messages={"required": _("请先拍照或选择一张照片。")}
    )


class HallPasswordChangeForm(HallFormMixin, PasswordChangeForm):
    """修改密码 with the required fields named (请填写原密码); Django's other messages come from locale/zh_Hans."""
