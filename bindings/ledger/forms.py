"""Forms for the ledger pages: they check the shape of the input (amounts in 元 become integer fen), the
services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import IdNumberField
from bindings.ledger.corrections import MAX_REASON_LENGTH
from bindings.ledger.money import MAX_CAP_FEN, MAX_ITEM_FEN, MAX_LEDGER_FEN, parse_yuan
from bindings.ledger.settlement import (
    MAX_ITEMS,
    MAX_SLIP_FEN,
    CareKind,
    InpatientSlip,
    Item,
    ItemKind,
    PlaceLocation,
    Visit,
)
from policies.choices import InstitutionLevel


class YuanField(forms.CharField):
    """An amount typed in 元; cleaned to integer fen."""

    def __init__(self, *args, limit: int = MAX_ITEM_FEN, allow_zero: bool = False, **kwargs):
        self.limit, self.allow_zero = limit, allow_zero
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return parse_yuan(value, limit=self.limit, allow_zero=self.allow_zero)


class PatientField(forms.ChoiceField):
    """Oneself or a binding number. Whether that binding lets one pay is the service's question: it answers
    with the reason (not bound, ended) rather than a bare "invalid choice"."""

    def valid_value(self, value):
        return value == "self" or str(value).isdigit()


class SimulatorForm(forms.Form):
    """Who, 门诊 or 住院, where; for 门诊 the items (a formset) and the slip's fund amount (only used where the
    sources leave the pooling terms out); for 住院 the three amounts of the hospital's settlement slip."""

    patient = PatientField(label=_("就医患者"))
    care = forms.ChoiceField(
        label=_("就医类型"),
        choices=CareKind.choices,
        initial=CareKind.OUTPATIENT,
        required=False,  # not sent (an older page, the counter's scripts): 门诊
        widget=forms.RadioSelect,
    )
    level = forms.ChoiceField(label=_("就医机构类别"), choices=[("", _("请选择"))] + list(InstitutionLevel.choices))
    location = forms.ChoiceField(
        label=_("就医地"), choices=PlaceLocation.choices, initial=PlaceLocation.INSURED_CITY, widget=forms.RadioSelect
    )
    filed = forms.BooleanField(
        label=_("已办理异地就医备案"),
        required=False,
        help_text=_("在参保地以外就医时填写。住院的家人在外省参保的，指已办理异地就医备案到授权人参保省（区）。"),
    )
    declared_fund = YuanField(
        label=_("统筹基金支付（按结算单，元）"),
        required=False,
        allow_zero=True,
        help_text=_("只在患者参保地的统筹标准未在来源中说明时使用；标准完整时按政策计算，可不填。"),
    )

    # 住院: the hospital's settlement slip (结算单), as printed.
    inpatient_total = YuanField(label=_("住院总费用（元）"), required=False, limit=MAX_SLIP_FEN)
    inpatient_in_scope = YuanField(
        label=_("其中政策范围内费用（元）"), required=False, allow_zero=True, limit=MAX_SLIP_FEN
    )
    inpatient_fund = YuanField(
        label=_("统筹基金支付（元）"),
        required=False,
        allow_zero=True,
        limit=MAX_SLIP_FEN,
        help_text=_("按医院结算单上的“统筹基金支付”填写。"),
    )

    def __init__(self, *args, patients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].choices = [(value, label) for value, label, *_rest in patients]
        if len(self.fields["patient"].choices) == 1:
            self.fields["patient"].initial = self.fields["patient"].choices[0][0]

    @property
    def inpatient(self) -> bool:
        """What the resident chose, before or after cleaning (the view skips the items for 住院)."""
        return self.data.get("care") == CareKind.INPATIENT

    def clean(self):
        data = super().clean()
        data["care"] = data.get("care") or CareKind.OUTPATIENT
        if data["care"] != CareKind.INPATIENT:
            return data
        if data.get("level") == InstitutionLevel.PHARMACY:
            self.add_error("level", _("住院请选择定点医疗机构，不能选择零售药店。"))
        names = ("inpatient_total", "inpatient_in_scope", "inpatient_fund")
        for name in names:
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("请按医院结算单填写此金额（没有请填0）。"))
        total, in_scope, fund = (data.get(name) for name in names)
        if None not in (total, in_scope) and in_scope > total:
            self.add_error("inpatient_in_scope", _("政策范围内费用不能大于总费用，请按结算单核对。"))
        elif None not in (in_scope, fund) and fund > in_scope:
            self.add_error("inpatient_fund", _("统筹基金支付不能大于政策范围内费用，请按结算单核对。"))
        return data


class CounterPatientForm(forms.Form):
    id_number = IdNumberField(label=_("患者居民身份证号码（可刷卡读入）"))


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("费用类别"), choices=[("", _("请选择"))] + list(ItemKind.choices), required=False)
    amount = YuanField(label=_("金额（元）"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("amount") is not None and not data.get("kind"):
            self.add_error("kind", _("请选择这笔费用的类别。"))
        if data.get("kind") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("请填写金额。"))
        return data


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.items():
            raise forms.ValidationError(_("请至少填写一项费用及金额。"))

    def items(self) -> tuple[Item, ...]:
        return tuple(
            Item(form.cleaned_data["kind"], form.cleaned_data["amount"])
            for form in self.forms
            if getattr(form, "cleaned_data", None) and form.cleaned_data.get("amount") is not None
        )


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=4, max_num=MAX_ITEMS, validate_max=True)


def visit_from(form: SimulatorForm, items: BaseItemFormSet) -> Visit | InpatientSlip:
    data = form.cleaned_data
    if data.get("care") == CareKind.INPATIENT:
        return InpatientSlip(
            level=data["level"],
            location=data["location"],
            filed=bool(data["filed"]),
            total_fen=data["inpatient_total"],
            in_scope_fen=data["inpatient_in_scope"],
            fund_fen=data["inpatient_fund"],
        )
    return Visit(level=data["level"], location=data["location"], filed=bool(data["filed"]), items=items.items())


class PremiumForm(forms.Form):
    binding = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("我已核对缴费人、年度和金额"), error_messages={"required": _("请勾选确认。")})


class UnboundPremiumForm(forms.Form):
    """代缴 for a relative without a sharing binding: who (ID number and name, checked against the registry),
    the relationship (from the payer's region's list), the year. `confirm` is asked on the second step."""

    id_number = IdNumberField(label=_("家人的居民身份证号码"))
    name = forms.CharField(label=_("家人姓名"), max_length=50)
    relationship = forms.ChoiceField(label=_("与您的关系"))
    year = forms.TypedChoiceField(label=_("缴费年度"), coerce=int)
    confirm = forms.BooleanField(label=_("我已核对参保人、年度和金额"), required=False)

    def __init__(self, *args, relationships=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship"].choices = [("", _("请选择"))] + list(relationships)
        self.fields["year"].choices = [(y, _("%(y)s年度") % {"y": y}) for y in years]


class CapForm(forms.Form):
    monthly_limit = YuanField(
        label=_("每月共济上限（元）"),
        required=False,
        limit=MAX_CAP_FEN,
        help_text=_("不填表示不设上限。达到上限后，本月剩余的个人负担由家人本人现金支付。"),
    )


class CorrectionForm(forms.Form):
    """A supervisor's balance correction: which way, how much (元, through parse_yuan) and why. The service
    (corrections.check_correction) decides whether it may be made."""

    INCREASE, DECREASE = "increase", "decrease"

    direction = forms.ChoiceField(
        label=_("更正方向"),
        choices=[(INCREASE, _("增加余额")), (DECREASE, _("减少余额"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择增加还是减少余额。")},
    )
    amount = YuanField(label=_("更正金额（元）"), limit=MAX_LEDGER_FEN)
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明依据，例如核对单号或漏记、错记的月份。原因会记入明细和审计日志，并告知参保人。"),
        error_messages={"required": _("请填写更正原因。")},
    )
    # The balance the clerk saw when he confirmed: the service refuses if it moved meanwhile.
    expected_balance = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def signed_amount_fen(self) -> int:
        fen = self.cleaned_data["amount"]
        return -fen if self.cleaned_data["direction"] == self.DECREASE else fen
