"""Forms of the 家庭成员 pages. They check the shape of the input; the services in this package check the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import IdNumberField
from accounts.idnumbers import parse_id_number
from accounts.models import GuardianBasis
from bindings.models import IdType

# --- guardianship (guardian_views) ------------------------------------------------------------------------------

DOCUMENT_ACCEPT = "image/jpeg,image/png,application/pdf"


class GuardianRequestForm(forms.Form):
    """The ward as the guardian types him, the basis, and the proof when the registry cannot confirm it."""

    id_type = forms.ChoiceField(
        label=_("被监护人证件类型"), choices=IdType.choices, initial=IdType.RESIDENT_ID, widget=forms.RadioSelect
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=20,
        help_text=_("居民身份证18位；还没有身份证的孩子填写出生医学证明编号。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("被监护人姓名"), max_length=50)
    basis = forms.ChoiceField(
        label=_("监护依据"), choices=GuardianBasis.choices, initial=GuardianBasis.PARENT_HUKOU, widget=forms.RadioSelect
    )
    document = forms.FileField(
        label=_("证明材料（照片或PDF）"),
        required=False,
        help_text=_(
            "父母：登记信息中已有亲子关系的，可不上传，提交后立即生效；没有的，请上传户口簿（本人页和孩子页）"
            "或出生医学证明。法院或居（村）委会、民政部门指定的监护人：请上传指定监护的文书。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip().upper().replace(" ", "")
        if self.data.get("id_type", IdType.RESIDENT_ID) == IdType.RESIDENT_ID:
            return parse_id_number(value).number
        if not value.isalnum() or len(value) < 8:
            raise forms.ValidationError(_("出生医学证明编号为字母和数字，请按证明上的编号填写。"))
        return value


class GuardianEndForm(forms.Form):
    """Ending a guardianship is a deliberate step: the guardian ticks that he understands what it means."""

    confirm = forms.BooleanField(
        label=_("我已了解：结束后我不能再为其办理业务；如需恢复，要重新申请。"),
        error_messages={"required": _("请先勾选确认。")},
    )


# --- proxies (proxy_views, bindings/counter/proxy.py) -----------------------------------------------------------

LETTER_ACCEPT = "image/jpeg,image/png,application/pdf"


def default_proxy_end(today: datetime.date | None = None) -> datetime.date:
    """What the form offers: one year from today. The sources set no longest term, and the grant can be revoked at
    any time, so this is only a suggestion."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today + datetime.timedelta(days=365)


class ProxyGrantForm(forms.Form):
    """Whom the principal names, what the proxy may do besides looking (查看 is always included), until when."""

    agent_id_number = IdNumberField(label=_("代办人身份证号码"))
    agent_name = forms.CharField(
        label=_("代办人姓名"),
        max_length=50,
        help_text=_("与代办人身份证上的姓名一致。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    may_apply = forms.BooleanField(label=_("申请和解除家庭共济"), required=False)
    may_pay = forms.BooleanField(label=_("代缴保费"), required=False)
    ends_on = forms.DateField(
        label=_("授权截止日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("默认一年。到期前也可以随时撤销，撤销后立即生效。"),
        error_messages={"required": _("请选择授权截止日期。"), "invalid": _("请按“年-月-日”填写日期。")},
    )

    def __init__(self, *args, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("ends_on", default_proxy_end())
        super().__init__(*args, **kwargs)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.fields["ends_on"].widget.attrs["min"] = tomorrow.isoformat()

    def clean_agent_name(self):
        return self.cleaned_data["agent_name"].strip()

    def clean_ends_on(self):
        value = self.cleaned_data["ends_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("授权截止日期须晚于今天，请重新选择。"))
        return value


class CounterProxyGrantForm(ProxyGrantForm):
    """The counter's form: the clerk ticks that he checked the principal's ID card, and uploads the signed 委托书."""

    id_checked = forms.BooleanField(
        label=_("已核验委托人身份证件原件"),
        error_messages={"required": _("请先当面核验委托人的居民身份证原件，并勾选此项。")},
        widget=forms.CheckboxInput(attrs={"autofocus": True}),
    )
    letter = forms.FileField(
        label=_("委托书扫描件（委托人签字，JPG/PNG/PDF）"),
        error_messages={"required": _("请上传委托人签字的委托书扫描件或照片。")},
        widget=forms.ClearableFileInput(attrs={"accept": LETTER_ACCEPT}),
    )
    field_order = ["id_checked", "agent_id_number", "agent_name", "may_apply", "may_pay", "ends_on", "letter"]


class CounterProxyRevokeForm(forms.Form):
    id_checked = forms.BooleanField(
        label=_("已核验办理人（委托人或代办人本人）身份证件原件"),
        error_messages={"required": _("请先当面核验办理人的居民身份证原件，并勾选此项。")},
        widget=forms.CheckboxInput(attrs={"autofocus": True}),
    )
