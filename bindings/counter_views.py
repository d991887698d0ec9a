"""The counter desk: simple screens for a counter PC or tablet. Staff with the counter permission only."""

from functools import wraps
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.clerks import clerk_covers
from accounts.forms import IdNumberField
from accounts.models import InsuranceStatus, InsuredPerson
from accounts.views import client_ip
from policies.choices import ChannelKind, DatesMode
from policies.selectors import resolved_policy

from . import counter, services
from .forms import RelativeForm
from .models import Application, Binding, CounterTicket, Status
from .services import BindingError, RelativeInput
from .views import _handle_proof_post, _proof_context

TICKET_KEY = "counter_ticket"


def counter_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (request.user.is_staff and request.user.has_perm("bindings.use_counter")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class LookupForm(forms.Form):
    id_number = IdNumberField(label=gettext_lazy("居民身份证号码（可刷卡读入）"))


class StartForm(forms.Form):
    id_card_checked = forms.BooleanField(
        label=gettext_lazy("已当面核验授权人居民身份证原件（无需人脸识别）"),
        error_messages={"required": gettext_lazy("请先当面核验授权人的居民身份证原件。")},
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("参保状态"), choices=InsuranceStatus.choices)


def _ticket(request):
    pk = request.session.get(TICKET_KEY)
    return CounterTicket.objects.filter(pk=pk, clerk=request.user).first() if pk else None


def _person(request, pk) -> InsuredPerson:
    person = InsuredPerson.objects.filter(pk=pk).first()
    if person is None or not clerk_covers(request.user, person.city_code):
        raise Http404
    return person


def _application(request, case) -> Application:
    application = (
        Application.objects.select_related("authorizer", "created_by")
        .filter(case_number=case, channel=ChannelKind.COUNTER)
        .first()
    )
    if application is None or not clerk_covers(request.user, application.city_code):
        raise Http404
    return application


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
    recent = Application.objects.filter(channel=ChannelKind.COUNTER, created_by=request.user).order_by("-created_at")[
        :10
    ]
    context = {"ticket": _ticket(request), "lookup": lookup, "recent": recent}
    return render(request, "counter/desk.html", context)


@counter_required
def person(request, pk):
    resident = _person(request, pk)
    start = StartForm(request.POST if request.POST.get("action") == "start" else None)
    status_form = StatusForm(
        request.POST if request.POST.get("action") == "status" else None, initial={"status": resident.status}
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start" and start.is_valid():
            try:
                application = counter.counter_application_start(
                    clerk=request.user, authorizer=resident, id_card_checked=True, ticket=_ticket(request)
                )
            except (counter.CounterError, BindingError) as exc:
                messages.error(request, exc.message)
            else:
                return redirect("counter:application", case=application.case_number)
        elif action == "status" and status_form.is_valid():
            ended = services.registry_status_change(
                person=resident, status=status_form.cleaned_data["status"], actor=request.user, ip=client_ip(request)
            )
            messages.success(
                request,
                _("参保状态已改为“%(s)s”，自动结束%(n)s项共济。") % {"s": resident.get_status_display(), "n": ended},
            )
            return redirect("counter:person", pk=pk)
    bindings = Binding.objects.filter(authorizer=resident).exclude(status=Status.DRAFT).select_related(
        "relative", "application"
    ) | Binding.objects.filter(relative=resident).exclude(status=Status.DRAFT).select_related(
        "authorizer", "application"
    )
    context = {
        "person": resident,
        "start": start,
        "status_form": status_form,
        "bindings": bindings.order_by("-created_at"),
        "ticket": _ticket(request),
    }
    return render(request, "counter/person.html", context)


@counter_required
def application(request, case):
    app = _application(request, case)
    if app.submitted_at:
        return redirect("counter:receipt", case=case)
    policy = resolved_policy(app.authorizer.city_code, timezone.localdate())
    dates_mode = policy.dates_mode.value or DatesMode.NOT_ALLOWED
    is_relative_post = request.POST.get("action") == "relative"
    form = RelativeForm(request.POST if is_relative_post else None, dates_mode=dates_mode)
    form.fields["relationship"].label = _("与授权人的关系")
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
        elif action in ("upload", "remove", "pledge"):
            return _handle_proof_post(request, app, drafts, redirect_to=reverse("counter:application", args=[case]))
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
        "rows": _proof_context(app, drafts),
        "ticket": _ticket(request),
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
    app = _application(request, case)
    if not app.submitted_at:
        return redirect("counter:application", case=case)
    thermal = request.GET.get("layout") == "thermal"
    context = {
        "application": app,
        "bindings": app.bindings.select_related("relative").order_by("id"),
        "qr": mark_safe(_qr_svg(app.case_number)),  # noqa: S308 - generated by qrcode from our own case number
        "thermal": thermal,
        "clerk": app.created_by,
        "printed_at": timezone.now(),
    }
    return render(request, "counter/receipt.html", context)
