from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from accounts.forms import PhoneField
from accounts.idnumbers import parse_id_number
from policies.choices import DatesMode
from policies.relationships import CLOSE_RELATIVES, Relationship

from .models import IdType, RejectReason


class DateInput(forms.DateInput):
    input_type = "date"


# Django's widget templates that only include input.html (bindings/widgets/input.html is that, inlined).
_PLAIN_INPUTS = {
    f"django/forms/widgets/{name}.html" for name in ("input", "text", "date", "email", "number", "tel", "url")
}


class _HandBoundField(BoundField):
    """Marks an invalid widget as crispy-bootstrap5 does (Django adds aria-invalid and aria-describedby)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        css = attrs.get("class") or (widget or self.field.widget).attrs.get("class", "")
        if self.errors and "is-invalid" not in css.split():  # crispy (the counter desk's form) adds its own
            attrs["class"] = f"{css} is-invalid".strip()
        return attrs


class HandRenderedForm(forms.Form):
    """A form a hot page lays out with templates/includes/form_fields.html instead of crispy's per-field templates:
    the same markup (bootstrap 5 classes, labels, required marks, errors, help texts and aria attributes) for
    a fraction of the rendering time. Text inputs and selects only."""

    bound_field_class = _HandBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{type(widget).__name__.lower()} {kind}"
            # Django's own widget templates with their per-option and attrs includes inlined: the same HTML.
            if widget.template_name == "django/forms/widgets/select.html":
                widget.template_name = "bindings/widgets/select.html"
            elif widget.template_name in _PLAIN_INPUTS:
                widget.template_name = "bindings/widgets/input.html"


class RelativeForm(HandRenderedForm):
    """The relative's identity as the authorizer types it. The service matches it against the registry."""

    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=20,
        help_text=_("居民身份证18位；新生儿填写出生医学证明编号。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = PhoneField(label=_("使用人手机号码"), required=False, help_text=_("用于接收共济生效、解除等通知，可不填。"))
    relationship = forms.ChoiceField(
        label=_("与您的关系"), choices=[("", _("请选择"))] + [(r.value, r.label) for r in CLOSE_RELATIVES]
    )
    start_date = forms.DateField(label=_("共济开始日期"), required=False, widget=DateInput)
    end_date = forms.DateField(label=_("共济结束日期"), required=False, widget=DateInput)

    def __init__(self, *args, dates_mode=DatesMode.NOT_ALLOWED, relationships=None, phone_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.dates_mode = dates_mode
        if phone_required:  # the city asks for it (policies.eligibility.phone_required, which the engine checks)
            phone = self.fields["phone"]
            phone.required = True
            phone.label = _("使用人联系电话（手机号码）")
            phone.help_text = _("本地政策规定须填写使用人的联系电话，用于核实和通知。")
            phone.error_messages["required"] = _("请填写使用人的联系电话（11位手机号码）。")
        if relationships is not None:  # only what the city's rules allow (policy_relationships)
            field = self.fields["relationship"]
            field.choices = [("", _("请选择"))] + [(r.value, r.label) for r in relationships]
            allowed = "、".join(str(r.label) for r in relationships)
            field.error_messages["invalid_choice"] = _(
                "本地政策可办理家庭共济的亲属为：%(allowed)s；请从列表中选择，其他亲属不能办理。"
            ) % {"allowed": allowed}
        if dates_mode == DatesMode.NOT_ALLOWED:
            del self.fields["start_date"]
            del self.fields["end_date"]
        elif dates_mode == DatesMode.REQUIRED:
            self.fields["start_date"].required = True
            self.fields["end_date"].required = True

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip().upper().replace(" ", "")
        if self.data.get("id_type", IdType.RESIDENT_ID) == IdType.RESIDENT_ID:
            return parse_id_number(value).number
        if not value.isalnum() or len(value) < 8:
            raise forms.ValidationError(_("出生医学证明编号为字母和数字，请按证明上的编号填写。"))
        return value

    def clean_relationship(self):
        return Relationship(self.cleaned_data["relationship"])


def policy_relationships(policy) -> list[Relationship]:
    """The close relatives the city's rules allow on the policy's day (ResolvedPolicy.allowed_relationships), in
    the Civil Code's order. Where no rule is stated, or none allows anyone yet, every close relative is offered
    and the eligibility engine says why a choice is refused: the form never hides the reason."""
    allowed = {rule.relationship for rule in policy.allowed_relationships()}
    return [r for r in CLOSE_RELATIVES if r.value in allowed] or list(CLOSE_RELATIVES)


class UploadForm(forms.Form):
    binding = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.CharField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("选择照片或PDF文件"),
        error_messages={"required": _("请先拍照或选择要上传的文件。")},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class SubmitForm(forms.Form):
    commitment = forms.BooleanField(
        label=_("本人郑重承诺：所填信息和上传材料真实有效，与使用人确为近亲属关系；如有虚假，愿承担相应法律责任。"),
        error_messages={"required": _("请阅读并勾选个人郑重承诺。")},
    )


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("驳回原因"), choices=[("", _("请选择"))] + list(RejectReason.choices))
    reason_text = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
