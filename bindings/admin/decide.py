"""The case page's three decisions, each through a confirmation page that names the case and the outcome.

A POST from the case page validates its form; a valid one shows the confirmation, an invalid one shows the case
page again with the errors. Only a POST carrying `confirm` reaches the service. `edit` goes back to the case page
with what the clerk typed.
"""

import functools

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.admin import masked_person
from accounts.audit import audit, region_of
from accounts.models import AuditAction
from accounts.views import client_ip
from bindings import services
from bindings.makerchecker import ApprovalStep, approval_step
from bindings.models import RejectReason
from bindings.services.decisions import MIN_EXPLANATION, explanation_problem


@functools.cache
def _blank_markup(form_class, language) -> str:
    return super(BlankMarkupMixin, form_class()).as_p()


class BlankMarkupMixin:
    """An empty decision form looks the same on every case page: its markup is rendered once per process and
    language (rendering three forms through the form templates was a fifth of the case page). A form with data,
    errors, initial values or a prefix renders as usual."""

    def as_p(self):
        if self.is_bound or self.initial or self.prefix or self.auto_id != "id_%s":
            return super().as_p()
        return _blank_markup(type(self), get_language())


class ExplanationField(forms.CharField):
    """The sentence the resident reads: the service's own rule, so the form and the service never disagree."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _(
                "申请人会在网上服务大厅和短信中看到这段话。请写明哪里有问题、下一步怎么办，例如：“户口簿照片模糊看不清姓名，请重新拍摄清晰的户口簿首页和本人页后再提交。”"
            ),
        )
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "cols": 60}))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("data-min-length", str(MIN_EXPLANATION))

    def validate(self, value):
        if problem := explanation_problem(value):
            raise forms.ValidationError(problem)


class ReasonForm(BlankMarkupMixin, forms.Form):
    reason_code = forms.ChoiceField(
        label=_("驳回原因"),
        choices=[("", _("请选择驳回原因"))] + list(RejectReason.choices),
        error_messages={"required": _("请选择驳回原因。")},
    )
    reason_text = ExplanationField(label=_("给申请人的说明"))


class MoreForm(BlankMarkupMixin, forms.Form):
    missing_note = ExplanationField(
        label=_("需补充的材料"),
        help_text=_(
            "申请人会看到这段话。请写明缺少什么材料、怎样补充，例如：“请补充上传户口簿户主页和使用人本人页的清晰照片。”"
        ),
    )


class ApproveForm(BlankMarkupMixin, forms.Form):
    note = forms.CharField(label=_("审核意见（可选）"), required=False, max_length=200)


FORMS = {"approve": ApproveForm, "reject": ReasonForm, "request_more": MoreForm}
FORM_KEYS = {"approve": "approve_form", "reject": "reject_form", "request_more": "more_form"}


def blank_forms() -> dict:
    return {key: FORMS[decision]() for decision, key in FORM_KEYS.items()}


class DecisionMixin:
    """For BindingAdmin: `decide_view` and the pages it shows. Needs `_case_context` and `_standalone_context`."""

    def decide_view(self, request, pk):
        if request.method != "POST":
            raise Http404
        if not self.has_decide_permission(request):
            raise PermissionDenied
        binding = self.get_object(request, str(pk))
        if binding is None:
            raise Http404
        decision = request.POST.get("decision")
        if decision not in FORMS:
            raise Http404
        form = FORMS[decision](request.POST)
        if "edit" in request.POST or not form.is_valid():
            return self._case_again(request, binding, decision, form)
        if "confirm" not in request.POST:
            return self._confirmation(request, binding, decision, form)
        return self._apply(request, binding, decision, form.cleaned_data)

    def _case_again(self, request, binding, decision, form):
        """The case page with the clerk's form as he left it (errors shown when it was refused)."""
        if form.errors and "edit" not in request.POST:
            self._refused(request, binding, decision, "; ".join(e for errs in form.errors.values() for e in errs))
        context = self._standalone_context(request, binding, **{FORM_KEYS[decision]: form})
        return TemplateResponse(request, "admin/bindings/binding/case_page.html", context)

    def _confirmation(self, request, binding, decision, form):
        step = approval_step(binding, request.user) if decision == "approve" else None
        data = form.cleaned_data
        if decision == "reject":
            outcome = _t("驳回。原因：%(reason)s") % {"reason": RejectReason(data["reason_code"]).label}
            explanation, title, button = data["reason_text"], _t("确认驳回"), _t("确认驳回")
        elif decision == "request_more":
            outcome = _t("退回申请人补充材料")
            explanation, title, button = data["missing_note"], _t("确认退回补充材料"), _t("确认退回")
        elif step == ApprovalStep.FIRST:
            outcome = _t("初审通过，待另一名经办人员复核后生效")
            explanation, title, button = data["note"], _t("确认初审通过"), _t("确认初审通过")
        else:
            outcome = _t("审核通过，共济关系生效")
            explanation, title, button = data["note"], _t("确认审核通过"), _t("确认审核通过")
        context = self._standalone_context(
            request,
            binding,
            title=title,
            decision=decision,
            form=form,
            outcome=outcome,
            explanation=explanation,
            confirm_label=button,
            relative_masked=masked_person(binding.relative),
            authorizer_masked=masked_person(binding.authorizer),
            case_url=reverse("admin:bindings_binding_change", args=[binding.pk]),
        )
        return TemplateResponse(request, "admin/bindings/binding/confirm.html", context)

    def _apply(self, request, binding, decision, data):
        ip = client_ip(request)
        try:
            if decision == "approve":
                services.binding_approve(binding=binding, clerk=request.user, note=data["note"], ip=ip)
            elif decision == "reject":
                services.binding_reject(binding=binding, clerk=request.user, ip=ip, **data)
            else:
                services.binding_request_more(binding=binding, clerk=request.user, ip=ip, **data)
        except services.BindingError as exc:
            self._refused(request, binding, decision, exc.message)
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:bindings_binding_change", args=[binding.pk]))
        binding.refresh_from_db()
        self.message_user(
            request,
            _t("已处理：%(case)s 当前状态“%(status)s”。")
            % {"case": binding.application.case_number, "status": binding.get_status_display()},
        )
        return HttpResponseRedirect(reverse("admin:bindings_binding_changelist"))

    def _refused(self, request, binding, decision, message):
        audit(
            actor=request.user,
            action=AuditAction.REFUSED,
            target=f"binding:{binding.pk}",
            case_number=binding.application.case_number,
            detail=f"{decision}: {message}",
            ip=client_ip(request),
            region_code=region_of(binding),
        )
