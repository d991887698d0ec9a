"""A registry status change in two steps, as the counter desk and the admin registry both run it.

Step one asks for the new status and a reason. Step two shows whom it concerns and what it will end (counted by
the service's own query) and changes nothing until the clerk presses the confirm button. Plain HTML forms: the
confirmation works without JavaScript. The rule itself (reason required, bindings ended) is the service's.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import InsuranceStatus, InsuredPerson
from accounts.views import client_ip
from bindings import services
from bindings.counter.selectors import StatusChangePreview, status_change_preview

CONFIRM = "confirm"  # the confirm button's name: only a POST carrying it changes anything
EDIT = "edit"  # the button that goes back to step one with what the clerk typed


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("新的参保状态"))
    reason = forms.CharField(
        label=gettext_lazy("变更原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "记入经办日志，并写入被结束的共济关系，共济双方都能看到；请只写参保方面的原因，如“单位停止缴费”。"
        ),
        error_messages={"required": gettext_lazy("请填写变更参保状态的原因。")},
    )
    # The status the clerk saw: the service refuses if it changed before he confirmed.
    expected = forms.ChoiceField(choices=InsuranceStatus.choices, widget=forms.HiddenInput)

    def __init__(self, data=None, *, person: InsuredPerson):
        super().__init__(data, initial={"expected": person.status})
        status = self.fields["status"]
        status.choices = [(value, label) for value, label in InsuranceStatus.choices if value != person.status]
        status.error_messages["invalid_choice"] = _("请选择与当前状态（“%(now)s”）不同的参保状态。") % {
            "now": person.get_status_display()
        }


@dataclass(frozen=True)
class StatusStep:
    """Where one POST left the clerk: the form again, the confirmation (preview set), or done (message set)."""

    form: StatusChangeForm
    preview: StatusChangePreview | None = None
    message: str = ""


def status_change_step(request, person: InsuredPerson) -> StatusStep:
    form = StatusChangeForm(request.POST, person=person)
    if not form.is_valid() or EDIT in request.POST:
        return StatusStep(form)
    data = form.cleaned_data
    if CONFIRM not in request.POST:
        return StatusStep(form, status_change_preview(person=person, status=data["status"]))
    try:
        ended = services.registry_status_change(
            person=person,
            status=data["status"],
            actor=request.user,
            reason=data["reason"],
            expected_status=data["expected"],
            ip=client_ip(request),
        )
    except services.BindingError as exc:
        # Start again from what the registry holds now, keeping what the clerk typed.
        person.refresh_from_db()
        form = StatusChangeForm({**request.POST.dict(), "expected": person.status}, person=person)
        form.is_valid()
        form.add_error(None, exc.message)
        return StatusStep(form)
    # The message is built from the registry after the change, never from the object read before it.
    person.refresh_from_db()
    words = {"status": person.get_status_display(), "n": ended}
    if ended:
        message = _("参保状态已改为“%(status)s”，已自动结束%(n)s项共济关系或待审核申请。")
    else:
        message = _("参保状态已改为“%(status)s”，没有需要结束的共济关系。")
    return StatusStep(form, message=message % words)
