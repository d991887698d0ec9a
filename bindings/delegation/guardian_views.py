"""The 家庭成员 page (/family/) and the guardian's own pages: ask to be recorded as a guardian, end a guardianship.

These pages are about the signed-in resident himself (whom he looks after), so they are used as himself: while he
is acting for someone else they say so and offer to switch back. Their POST views declare no acting scope, so
ActingMiddleware refuses them while he acts for someone else (deny by default), which is what they need.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.acting import agent_of, guardians_of, household
from accounts.capacity import has_full_capacity
from accounts.masking import mask_name
from accounts.models import DelegationStatus, Guardianship
from bindings.models import IdType
from bindings.rejections import DocumentRejected

from .forms import GuardianEndForm, GuardianRequestForm
from .guardians import GuardianCode, GuardianshipError, guardianship_end, guardianship_request
from .proxy_views import proxy_panel

SHOWN_STATUSES = (DelegationStatus.PENDING, DelegationStatus.ACTIVE, DelegationStatus.REJECTED)


def _as_himself(request):
    """The signed-in resident's own person, or a page telling him to switch back first (None, page)."""
    acting = getattr(request, "acting", None)
    if acting is not None and acting.for_someone_else:
        page = render(
            request,
            "family/guardian_switch_back.html",
            {"acting_name": acting.person.name, "next": request.path},
        )
        return None, page
    person = agent_of(request.user).person
    if person is None:
        raise Http404  # a staff account has no family page
    return person, None


def _ward_row(row: Guardianship, today) -> dict:
    """One guardianship as the guardian reads it. The ward's name is shown whole only once he is the verified
    guardian (he acts for the ward then); a request still pending or refused shows it masked."""
    active = row.status == DelegationStatus.ACTIVE
    grown_up = active and has_full_capacity(row.ward, today)
    return {
        "row": row,
        "name": row.ward.name if active else mask_name(row.ward.name),
        "age": row.ward.age_on(today),
        "grown_up": grown_up,
        "in_force": active and not grown_up,
        "pending": row.status == DelegationStatus.PENDING,
        "may_end": row.status in (DelegationStatus.PENDING, DelegationStatus.ACTIVE),
    }


@login_required
def home(request):
    """家庭成员: whom he may act for today, the guardianships he holds or asked for, his own guardians, proxies."""
    person, page = _as_himself(request)
    if page is not None:
        return page
    today = timezone.localdate()
    agent = agent_of(request.user)
    wards = (
        Guardianship.objects.filter(guardian=person, status__in=SHOWN_STATUSES)
        .select_related("ward")
        .order_by("-created_at", "-id")
    )
    context = {
        "person": person,
        "today": today,
        "members": household(agent, today),
        "wards": [_ward_row(row, today) for row in wards],
        "my_guardians": [mask_name(guardian.name) for guardian in guardians_of(person, today)],
        "may_be_guardian": has_full_capacity(person, today),
        "proxies": proxy_panel(request),
    }
    return render(request, "family/home.html", context)


@login_required
def guardian_add(request):
    """添加被监护人: the ward's number and name, the basis, and the proof when the registry cannot confirm it."""
    person, page = _as_himself(request)
    if page is not None:
        return page
    posted = request.method == "POST"
    form = GuardianRequestForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        by_certificate = data["id_type"] == IdType.BIRTH_CERTIFICATE
        try:
            row = guardianship_request(
                guardian_user=agent_of(request.user),
                ward_id_number="" if by_certificate else data["id_number"],
                birth_certificate_no=data["id_number"] if by_certificate else "",
                ward_name=data["name"],
                basis=data["basis"],
                document=data.get("document"),
            )
        except DocumentRejected as exc:
            form.add_error("document", exc.message)
        except GuardianshipError as exc:
            form.add_error("document" if exc.code == GuardianCode.DOCUMENT_REQUIRED else None, exc.message)
        else:
            if row.status == DelegationStatus.ACTIVE:
                messages.success(
                    request,
                    _("登记信息核验通过，您已是%(name)s的监护人。可在页面上方“家庭成员”中选择%(name)s办理业务。")
                    % {"name": row.ward.name},
                )
            else:
                messages.success(
                    request,
                    _("申请已提交，等待经办人员审核。审核结果会通过站内消息和短信告诉您，也可在本页查看。"),
                )
            return redirect("family:home")
    return render(request, "family/guardian_add.html", {"form": form, "person": person})


@login_required
def guardian_end(request, pk):
    """Ending (or withdrawing) a guardianship: a page that says what it means, then the POST that does it."""
    person, page = _as_himself(request)
    if page is not None:
        return page
    row = get_object_or_404(
        Guardianship.objects.select_related("ward"),
        pk=pk,
        guardian=person,
        status__in=(DelegationStatus.PENDING, DelegationStatus.ACTIVE),
    )
    form = GuardianEndForm(request.POST if request.method == "POST" else None)
    pending = row.status == DelegationStatus.PENDING
    if request.method == "POST" and form.is_valid():
        try:
            guardianship_end(guardianship=row, actor=agent_of(request.user))
        except GuardianshipError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("申请已撤回。") if pending else _("监护关系已结束，您不能再为其网上办理业务。"))
        return redirect("family:home")
    context = {"form": form, "ward": _ward_row(row, timezone.localdate()), "pending": pending}
    return render(request, "family/guardian_end.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("guardians/add/", guardian_add, name="guardian_add"),
    path("guardians/<int:pk>/end/", guardian_end, name="guardian_end"),
]
