"""The counter desk: simple screens for a counter PC or tablet. Staff with the counter permission only."""

from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import IdNumberField
from accounts.views import client_ip
from bindings import services
from bindings.counter import selectors
from bindings.counter import services as counter
from bindings.counter.permissions import counter_required
from bindings.counter.receipt import next_steps, office_name, ticket_for
from bindings.counter.status import StatusChangeForm, status_change_step
from bindings.delegation.proxies import grants_of_person
from bindings.forms import RelativeForm, policy_relationships
from bindings.models import Binding, Status
from bindings.proofs import handle_proof_post, proof_rows
from bindings.services import BindingError, RelativeInput
from policies.choices import DatesMode
from policies.eligibility import phone_required
from policies.requirements import application_requirements
from policies.selectors import resolved_policy

TICKET_KEY = "counter_ticket"


class LookupForm(forms.Form):
    id_number = IdNumberField(label=gettext_lazy("居民身份证号码（可刷卡读入）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The card reader types like a keyboard: the field has focus on load, after 取下一个号 and after an error.
        self.fields["id_number"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})


class StartForm(forms.Form):
    id_card_checked = forms.BooleanField(
        label=gettext_lazy("已当面核验授权人居民身份证原件（无需人脸识别）"),
        error_messages={"required": gettext_lazy("请先当面核验授权人的居民身份证原件。")},
        widget=forms.CheckboxInput(attrs={"autofocus": True}),
    )


class RelativeFaceCounterForm(forms.Form):
    binding = forms.IntegerField(widget=forms.HiddenInput)
    present = forms.BooleanField(
        label=gettext_lazy("使用人本人已到场，已当面核验其身份证件原件并完成人脸识别"),
        error_messages={"required": gettext_lazy("请先请使用人本人到场，当面核验身份并完成人脸识别，再勾选此项。")},
    )


def _focus(form, default: str) -> None:
    """Autofocus the first field with an error, else the default one: the clerk never tabs to where he types."""
    name = next((n for n in form.fields if n in form.errors), default)
    form.fields[name].widget.attrs["autofocus"] = True


def _ticket(request):
    return selectors.ticket_of(clerk=request.user, pk=request.session.get(TICKET_KEY))


@counter_required
def desk(request):
    lookup = LookupForm(request.POST if request.POST.get("action") == "lookup" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "ticket":
            ticket = counter.ticket_take(clerk=request.user)
            request.session[TICKET_KEY] = ticket.pk
            messages.success(request, _("已取号：%(n)s，请叫号。") % {"n": ticket.label})
            return redirect("counter:desk")
        if action == "lookup" and lookup.is_valid():
            try:
                person = counter.person_lookup(
                    clerk=request.user, id_number=lookup.cleaned_data["id_number"], ip=client_ip(request)
                )
            except counter.CounterError as exc:
                lookup.add_error("id_number", exc.message)
            else:
                return redirect("counter:person", pk=person.pk)
    recent = selectors.recent_applications(clerk=request.user)
    context = {
        "ticket": _ticket(request),
        "lookup": lookup,
        "recent": recent,
    }
    return render(request, "counter/desk.html", context)


@counter_required
def person(request, pk):
    resident = selectors.person_for_clerk(clerk=request.user, pk=pk)
    start = StartForm(request.POST if request.POST.get("action") == "start" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start" and start.is_valid():
            try:
                application = counter.counter_application_start(
                    clerk=request.user,
                    authorizer=resident,
                    id_card_checked=True,
                    ticket=_ticket(request),
                )
            except (counter.CounterError, BindingError) as exc:
                messages.error(request, exc.message)
            else:
                return redirect("counter:application", case=application.case_number)
    bindings = Binding.objects.filter(authorizer=resident).exclude(status=Status.DRAFT).select_related(
        "relative", "application"
    ) | Binding.objects.filter(relative=resident).exclude(status=Status.DRAFT).select_related(
        "authorizer", "application"
    )
    context = {
        "person": resident,
        "start": start,
        "status_form": StatusChangeForm(person=resident),
        "bindings": bindings.order_by("-created_at"),
        "proxy_grants": grants_of_person(resident),
        "ticket": _ticket(request),
    }
    return render(request, "counter/person.html", context)


@counter_required
def status_change(request, pk):
    """The resident's insurance status: reason, then a confirmation of what ends (see bindings/counter/status)."""
    resident = selectors.person_for_clerk(clerk=request.user, pk=pk)
    if request.method != "POST":
        return redirect("counter:person", pk=pk)
    step = status_change_step(request, resident)
    if step.message:
        messages.success(request, step.message)
        return redirect("counter:person", pk=pk)
    if step.preview is None:
        _focus(step.form, "status")  # back on step one: straight to what needs fixing
    context = {"person": resident, "status_form": step.form, "preview": step.preview, "ticket": _ticket(request)}
    return render(request, "counter/status.html", context)


@counter_required
def application(request, case):
    app = selectors.application_for_clerk(clerk=request.user, case_number=case)
    if app.submitted_at:
        return redirect("counter:receipt", case=case)
    policy = resolved_policy(app.authorizer.city_code, timezone.localdate())
    dates_mode = policy.dates_mode.value or DatesMode.NOT_ALLOWED
    is_relative_post = request.POST.get("action") == "relative"
    form = RelativeForm(
        request.POST if is_relative_post else None,
        dates_mode=dates_mode,
        relationships=policy_relationships(policy),  # what the city allows today, from the policy engine
        phone_required=phone_required(policy),
    )
    form.fields["relationship"].label = _("与授权人的关系")
    if form.is_bound:
        form.is_valid()
    _focus(form, "id_number")  # where the card reader types the relative's number
    result = None
    drafts = list(app.bindings.filter(status=Status.DRAFT).select_related("relative", "authorizer"))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "relative":
            if form.is_valid():
                result = services.binding_add_relative(
                    application=app, data=RelativeInput(**form.cleaned_data), actor=request.user
                )
                if result.binding is not None:
                    messages.success(request, _("预检通过：已添加%(name)s。") % {"name": result.relative.name})
                    return redirect("counter:application", case=case)
        elif action == "relative_face":
            face_form = RelativeFaceCounterForm(request.POST)
            if not face_form.is_valid():
                messages.error(request, next(iter(face_form.errors.values()))[0])
            else:
                try:
                    counter.counter_relative_face(
                        clerk=request.user, application=app, binding_pk=face_form.cleaned_data["binding"]
                    )
                except (counter.CounterError, BindingError) as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, _("已记录：使用人本人到场并完成人脸核验。"))
            return redirect("counter:application", case=case)
        elif action in ("upload", "remove", "pledge"):
            return handle_proof_post(request, drafts, redirect_to=reverse("counter:application", args=[case]))
        elif action == "submit":
            try:
                counter.counter_submit(
                    clerk=request.user,
                    application=app,
                    paper_pledge=bool(request.POST.get("paper_pledge")),
                    ip=client_ip(request),
                )
            except (counter.CounterError, BindingError) as exc:
                messages.error(request, exc.message)
            else:
                return redirect("counter:receipt", case=case)
    context = {
        "application": app,
        "form": form,
        "result": result,
        "rows": proof_rows(drafts),
        "ticket": _ticket(request),
        "requirements": application_requirements(policy, channel=app.channel, authorizer=app.authorizer),
    }
    return render(request, "counter/application.html", context)


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


@counter_required
def receipt(request, case):
    app = selectors.application_for_clerk(clerk=request.user, case_number=case)
    if not app.submitted_at:
        return redirect("counter:application", case=case)
    thermal = request.GET.get("layout") == "thermal"
    policy = resolved_policy(app.authorizer.city_code, timezone.localdate())
    bindings = list(app.bindings.select_related("relative").order_by("id"))
    context = {
        "application": app,
        "bindings": bindings,
        "steps": next_steps(bindings, policy),
        "office": office_name(policy),
        "ticket": ticket_for(app),
        "qr": mark_safe(_qr_svg(app.case_number)),  # noqa: S308 - generated by qrcode from our own case number
        "thermal": thermal,
        "clerk": app.created_by,
        "printed_at": timezone.now(),
    }
    return render(request, "counter/receipt.html", context)
