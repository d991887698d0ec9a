"""The resident's pages for trusted proxies (代办人), under /family/proxies/.

Naming a proxy takes three steps: the form (who, what he may do, until when), a fresh identity check (an SMS code
to the resident's own confirmed phone, or a face check: the one step-up form of accounts.stepup_views), then the
grant itself. Revoking asks once
more, naming the agent; a proxy may also end his own agency. These pages are the signed-in resident's own business:
while he acts for someone else they tell him to switch back, and their POST views declare no acting scope, so
ActingMiddleware refuses them then. The rules are the services' (proxies.py); the views only move between steps.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import stepup_views
from accounts.models import ProxyGrant
from accounts.stepup import step_up_take
from accounts.stepup_views import step_up_context
from accounts.views import client_ip

from . import proxies
from .forms import ProxyGrantForm

PENDING_KEY = "proxy_pending"  # the form's data between the form and the grant


@dataclass(frozen=True)
class ProxyPanel:
    """What templates/family/_proxies.html shows: my proxies, and the people I am proxy for."""

    given: list
    held: list
    today: datetime.date


def proxy_panel(request) -> ProxyPanel | None:
    """For the household page: `{% include "family/_proxies.html" with proxies=proxies %}` after putting
    `proxies = proxy_panel(request)` in its context. None while acting for someone else (it is his own business)."""
    person = request.user.person
    acting = getattr(request, "acting", None)
    if person is None or (acting is not None and acting.for_someone_else):
        return None
    today = timezone.localdate()
    return ProxyPanel(given=list(proxies.grants_given(person)), held=proxies.grants_held(person, today), today=today)


def _own_person(request):
    """The signed-in resident's registry person when he acts for himself; a page saying so otherwise."""
    acting = getattr(request, "acting", None)
    if acting is not None and acting.for_someone_else:
        # The same page as the guardian's own pages: these are the signed-in resident's own affairs.
        context = {"acting_name": acting.person.name, "next": request.path}
        return None, render(request, "family/guardian_switch_back.html", context)
    if request.user.person is None:
        raise Http404
    return request.user.person, None


def _pending(request) -> dict | None:
    data = request.session.get(PENDING_KEY)
    if not data:
        return None
    return {**data, "ends_on": datetime.date.fromisoformat(data["ends_on"])}


def _grant_in_progress(request):
    """(the grant being made, None), or (None, the page to answer): switch back first, or fill in the form first."""
    _person, refused = _own_person(request)
    if refused:
        return None, refused
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("请先填写代办人信息。"))
        return None, redirect("family:proxy_add")
    return pending, None


@login_required
def proxy_list(request):
    person, refused = _own_person(request)
    if refused:
        return refused
    return render(request, "family/proxy_list.html", {"proxies": proxy_panel(request)})


@login_required
def proxy_add(request):
    person, refused = _own_person(request)
    if refused:
        return refused
    pending = _pending(request)
    form = ProxyGrantForm(request.POST or None, initial=pending or {})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proxies.proxy_precheck(
                principal=person,
                agent_id_number=data["agent_id_number"],
                agent_name=data["agent_name"],
                ends_on=data["ends_on"],
            )
        except proxies.ProxyError as exc:
            form.add_error(None, exc.message)
            existing = exc.grant
        else:
            request.session[PENDING_KEY] = {**data, "ends_on": data["ends_on"].isoformat()}
            return redirect("family:proxy_confirm")
    else:
        existing = None
    return render(request, "family/proxy_add.html", {"form": form, "existing": existing})


def _confirm_context(request, pending: dict, **extra) -> dict:
    """The grant being made, and the one step-up form (accounts/_step_up.html) coming back here."""
    confirm = reverse("family:proxy_confirm")
    return {"pending": pending, **step_up_context(request, confirm, **extra)}


def _confirm_page(request, pending):
    def page(**extra):
        return render(request, "family/proxy_confirm.html", _confirm_context(request, pending, **extra))

    return page


@login_required
def proxy_confirm(request):
    """GET: what will be granted, and the identity check. POST: the grant, with the check taken (used once)."""
    pending, page = _grant_in_progress(request)
    if page is not None:
        return page
    if request.method != "POST":
        return render(request, "family/proxy_confirm.html", _confirm_context(request, pending))
    proof = step_up_take(request.session)
    try:
        grant = proxies.proxy_grant_online(principal_user=request.user, step_up=proof, ip=client_ip(request), **pending)
    except proxies.ProxyError as exc:
        context = _confirm_context(request, pending, error=exc.message, existing=exc.grant)
        return render(request, "family/proxy_confirm.html", context)
    request.session.pop(PENDING_KEY, None)
    messages.success(
        request,
        _("已委托%(name)s为您的代办人，有效期至%(ends)s。您和%(name)s都会收到通知。")
        % {"name": grant.agent.name, "ends": f"{grant.ends_on:%Y-%m-%d}"},
    )
    if not proxies.has_account(grant.agent):
        messages.warning(
            request,
            _(
                "%(name)s还没有注册网上服务大厅账户：授权已生效，但%(name)s要先用本人身份证号码和手机号实名注册，才能为您办理。"
            )
            % {"name": grant.agent.name},
        )
    return redirect("family:proxies")


# The proxy grant's own step-up addresses, kept for pages and bookmarks made before the one check page
# (/accounts/verify/): the same views, coming back to the confirmation.


@login_required
@require_POST
def proxy_step_up_sms(request):
    pending, page = _grant_in_progress(request)
    if page is not None:
        return page
    confirm = reverse("family:proxy_confirm")
    return stepup_views.verify_page(request, next_url=confirm, back_url=confirm, page=_confirm_page(request, pending))


@login_required
@require_POST
def proxy_step_up_face(request):
    pending, page = _grant_in_progress(request)
    if page is not None:
        return page
    return stepup_views.face_start(
        request,
        next_url=reverse("family:proxy_confirm"),
        capture_url=reverse("family:proxy_step_up_face_capture"),
        page=_confirm_page(request, pending),
    )


@login_required
def proxy_step_up_face_capture(request):
    person, refused = _own_person(request)
    if refused:
        return refused
    confirm = reverse("family:proxy_confirm")
    if _pending(request) is None:
        messages.info(request, _("请先选择人脸识别核验。"))
        return redirect(confirm)
    return stepup_views.face_capture(request, next_url=confirm, back_url=confirm)


def _grant_or_404(pk, **who) -> ProxyGrant:
    return get_object_or_404(
        ProxyGrant.objects.select_related("principal", "agent"), pk=pk, revoked_at__isnull=True, **who
    )


def _end(request, grant: ProxyGrant, template: str, done: str):
    if request.method != "POST":
        return render(request, template, {"grant": grant})
    try:
        proxies.proxy_revoke(grant=grant, actor=request.user, ip=client_ip(request))
    except proxies.ProxyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("family:proxies")


@login_required
def proxy_revoke(request, pk):
    """The principal ends a grant: a confirmation naming the agent, then the POST that ends it at once."""
    person, refused = _own_person(request)
    if refused:
        return refused
    grant = _grant_or_404(pk, principal=person)
    done = _("已撤销%(name)s的代办授权，%(name)s从现在起不能再为您办理。") % {"name": grant.agent.name}
    return _end(request, grant, "family/proxy_revoke.html", done)


@login_required
def proxy_resign(request, pk):
    """The agent ends his own agency; the principal is told."""
    person, refused = _own_person(request)
    if refused:
        return refused
    grant = _grant_or_404(pk, agent=person)
    done = _("您已不再是%(name)s的代办人，%(name)s会收到通知。") % {"name": grant.principal.name}
    return _end(request, grant, "family/proxy_resign.html", done)


urlpatterns = [
    path("proxies/", proxy_list, name="proxies"),
    path("proxies/add/", proxy_add, name="proxy_add"),
    path("proxies/confirm/", proxy_confirm, name="proxy_confirm"),
    path("proxies/step-up/sms/", proxy_step_up_sms, name="proxy_step_up_sms"),
    path("proxies/step-up/face/", proxy_step_up_face, name="proxy_step_up_face"),
    path("proxies/step-up/face/capture/", proxy_step_up_face_capture, name="proxy_step_up_face_capture"),
    path("proxies/<int:pk>/revoke/", proxy_revoke, name="proxy_revoke"),
    path("proxies/<int:pk>/resign/", proxy_resign, name="proxy_resign"),
]
