"""Resident pages for family sharing. Thin: forms check shape, services check rules, POST redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.acting import acting_scope
from accounts.audit import audit, region_of
from accounts.models import AuditAction, ProxyScope
from accounts.stepup import step_up_guard, step_up_peek, verify_url
from accounts.views import client_ip
from bindings.services import BindingError, RelativeInput
from config.pagecache import people_changed, viewer_page
from policies.choices import ChannelKind, DatesMode
from policies.eligibility import phone_required
from policies.requirements import application_requirements
from policies.selectors import resolved_policy

from . import selectors, services, timeline, uploads
from .forms import RelativeForm, SubmitForm, policy_relationships
from .models import DocumentAccess, Notice, Status
from .proofs import handle_proof_post, proof_rows
from .transitions import PARTY_ACTIONS, Action, action_flags, binding_actions, party_may


def _person_or_explain(request):
    person = request.user.person
    if person is None:
        raise Http404
    return person


def _policy(person):
    return resolved_policy(person.city_code, timezone.localdate())


def _drafts(application) -> list:
    """The draft relatives of an application, with their relative; the application and its authorizer (read
    already) are set on each, not read again per row."""
    bindings = list(application.bindings.filter(status=Status.DRAFT).select_related("relative"))
    for binding in bindings:
        binding.application, binding.authorizer = application, application.authorizer
    return bindings


def _unless_stepped_up(request):
    """The summary says whether a step-up proof is fresh; the proof ages while the session stays the same, so a
    summary shown with one is not kept (config.pagecache)."""
    return None if step_up_peek(request.session, user=request.user) else ""


def _quota(person, application=None):
    return selectors.binding_quota(authorizer=person, on=timezone.localdate(), application=application)


@login_required
@acting_scope(ProxyScope.APPLY)
@viewer_page
def apply(request):
    """Step 1: the region's notice (告知书). Resumes a draft when there is one."""
    person = _person_or_explain(request)
    rows = selectors.authorizer_bindings(person=person)  # the draft and the quota line read the same rows
    draft = selectors.draft_application_for(person=person, rows=rows)
    if draft is not None and request.method == "GET" and not request.GET.get("new"):
        step = "summary" if draft.bindings.exists() else "relative"
        messages.info(
            request, _("您有一份未提交的申请（受理编号%(case)s），已为您继续。") % {"case": draft.case_number}
        )
        return redirect(f"bindings:{step}", case=draft.case_number)
    policy = _policy(person)
    if request.method == "POST":
        if not request.POST.get("agree"):
            messages.error(request, _("请阅读告知书并勾选“我已阅读并知晓”。"))
        else:
            application = services.application_start(authorizer=person, actor=request.user)
            return redirect("bindings:relative", case=application.case_number)
    # What the city asks in this wizard (the online hall), from the engine, before the resident starts.
    requirements = application_requirements(policy, channel=ChannelKind.ONLINE_HALL, authorizer=person)
    quota = selectors.binding_quota(authorizer=person, on=timezone.localdate(), rows=rows)
    context = {"policy": policy, "person": person, "quota": quota, "requirements": requirements}
    return render(request, "bindings/apply_notice.html", context)


@login_required
@acting_scope(ProxyScope.APPLY)
@viewer_page
def relative(request, case):
    """Step 2 and 3: the relative, then the engine's pre-check before anything is uploaded."""
    application = selectors.application_for_user(user=request.user, case_number=case)
    if application.submitted_at:
        return redirect("bindings:done", case=case)
    policy = _policy(application.authorizer)
    dates_mode = policy.dates_mode.value or DatesMode.NOT_ALLOWED
    form = RelativeForm(
        request.POST if request.method == "POST" else None,
        dates_mode=dates_mode,
        relationships=policy_relationships(policy),  # what the city allows today, as at the counter
        phone_required=phone_required(policy),
    )
    result = None
    if request.method == "POST" and form.is_valid():
        data = RelativeInput(**form.cleaned_data)
        result = services.binding_add_relative(application=application, data=data, actor=request.user)
        if result.binding is not None and result.verdict.face_check_age is not None:
            messages.success(
                request,
                _("预检通过：%(name)s可以绑定。请%(name)s本人完成人脸识别。") % {"name": result.relative.name},
            )
            return redirect("bindings:relative_face", case=case, pk=result.binding.pk)
        if result.binding is not None:
            messages.success(
                request, _("预检通过：%(name)s可以绑定。请上传证明材料。") % {"name": result.relative.name}
            )
            return redirect("bindings:proof", case=case)
    # One read for the quota line and the relatives already on this draft.
    rows = selectors.application_rows(application)
    drafts = sorted(
        (b for b in rows if b.application_id == application.pk), key=lambda b: (b.created_at, b.id), reverse=True
    )
    quota = selectors.binding_quota(
        authorizer=application.authorizer, on=timezone.localdate(), application=application, rows=rows
    )
    context = {
        "application": application,
        "form": form,
        "result": result,
        "policy": policy,
        "quota": quota,
        "drafts": drafts,
        "requirements": application_requirements(
            policy, channel=application.channel, authorizer=application.authorizer
        ),
    }
    return render(request, "bindings/apply_relative.html", context)


@login_required
@acting_scope(ProxyScope.APPLY)
@viewer_page
def proof(request, case):
    """Step 4: the proof checklist per relative; photos, PDFs, or the pledge where the region allows it."""
    application = selectors.application_for_user(user=request.user, case_number=case)
    if application.submitted_at:
        return redirect("bindings:done", case=case)
    bindings = _drafts(application)
    if not bindings:
        return redirect("bindings:relative", case=case)
    if request.method == "POST":
        # 下一步 and 再添加 send the checklist's form too: a file chosen there is stored, never dropped.
        next_urls = {step: reverse(f"bindings:{step}", args=[case]) for step in ("summary", "relative")}
        return handle_proof_post(
            request, bindings, redirect_to=reverse("bindings:proof", args=[case]), next_urls=next_urls
        )
    return render(
        request,
        "bindings/apply_proof.html",
        {"application": application, "rows": proof_rows(bindings)},
    )


@login_required
@require_POST
@acting_scope(ProxyScope.APPLY)
def remove_relative(request, case, pk):
    application = selectors.application_for_user(user=request.user, case_number=case)
    binding = application.bindings.filter(pk=pk, status=Status.DRAFT).first()
    if binding is None:
        raise Http404
    services.binding_remove_draft(binding=binding, actor=request.user)
    messages.info(request, _("已从申请中移除该家庭成员。"))
    return redirect("bindings:relative", case=case)


@login_required
@acting_scope(ProxyScope.APPLY)
def discard(request, case):
    """放弃本次申请: a confirmation, then the POST that deletes the draft and its files (only its owner, or
    someone acting for him with the APPLY scope: application_for_user and acting_scope)."""
    application = selectors.application_for_user(user=request.user, case_number=case)
    if application.submitted_at:
        return redirect("bindings:done", case=case)
    if request.method == "POST":
        try:
            services.application_discard(application=application, actor=request.user, ip=client_ip(request))
        except BindingError as exc:
            messages.error(request, exc.message)
            return redirect("bindings:mine")
        messages.success(request, _("已放弃本次申请，填写的信息和上传的材料已删除。"))
        return redirect("bindings:mine")
    drafts = application.bindings.select_related("relative")
    return render(request, "bindings/apply_discard.html", {"application": application, "drafts": drafts})


@login_required
@acting_scope(ProxyScope.APPLY)
@viewer_page(vary=_unless_stepped_up)
def summary(request, case):
    """Step 5: check everything, tick the solemn commitment, submit."""
    application = selectors.application_for_user(user=request.user, case_number=case)
    if application.submitted_at:
        return redirect("bindings:done", case=case)
    bindings = _drafts(application)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    errors = []
    if request.method == "POST" and form.is_valid():
        # Authorising relatives to spend his balance: a fresh identity check of the signed-in user first.
        verify = step_up_guard(request, next_url=request.path, why=_("提交申请前，请先核验本人身份。"))
        if verify is not None:
            return verify
        try:
            services.application_submit(application=application, actor=request.user, commitment=True)
        except BindingError as exc:
            errors = exc.reasons or [exc]
        else:
            return redirect("bindings:done", case=case)
    if not bindings:
        return redirect("bindings:relative", case=case)
    facts_rows = selectors.fact_rows_for(bindings)  # the checklist's verdicts and the quota line count the same rows
    quota = selectors.binding_quota(
        authorizer=application.authorizer, on=timezone.localdate(), application=application, rows=facts_rows
    )
    context = {
        "application": application,
        "rows": proof_rows(bindings, facts_rows=facts_rows),
        "form": form,
        "errors": errors,
        "quota": quota,
        "step_up": step_up_peek(request.session, user=request.user),
        "verify_url": verify_url(request.path),
    }
    return render(request, "bindings/apply_summary.html", context)


@login_required
def done(request, case):
    """Step 6: the case number and what happens next."""
    application = selectors.application_for_user(user=request.user, case_number=case)
    if not application.submitted_at:
        return redirect("bindings:summary", case=case)
    bindings = list(application.bindings.select_related("relative"))
    context = {"application": application, "bindings": bindings, "headline": timeline.outcome_headline(bindings)}
    return render(request, "bindings/apply_done.html", context)


@login_required
@viewer_page
def mine(request):
    """我的共济关系: as authorizer and as relative."""
    person = _person_or_explain(request)
    today = timezone.localdate()
    # One read of every binding he is a party to: both lists, the quota's count and his draft come from it.
    as_authorizer, as_relative, mine_rows = selectors.bindings_of_party(person=person)
    context = {
        "person": person,
        "as_authorizer": as_authorizer,
        "as_relative": as_relative,
        "quota": (
            selectors.binding_quota(authorizer=person, on=today, rows=mine_rows)
            if person.has_personal_account
            else None
        ),
        "draft": selectors.draft_application_for(person=person, rows=mine_rows),
        "today": today,
    }
    return render(request, "bindings/mine.html", context)


@login_required
@acting_scope(ProxyScope.APPLY)
@viewer_page
def detail(request, pk):
    """One binding: status, dates, documents and its timeline, with the actions its state allows."""
    binding = selectors.binding_for_party(user=request.user, pk=pk)
    actions = binding_actions(binding, request.user)
    if request.method == "POST" and Action.EDIT_PROOF in actions:
        here = reverse("bindings:detail", args=[pk])
        on_goto = {}
        if Action.RESUBMIT in actions:
            on_goto[Action.RESUBMIT.value] = lambda: _resubmit(request, binding)
        next_urls = dict.fromkeys(on_goto, here)
        return handle_proof_post(request, [binding], redirect_to=here, next_urls=next_urls, on_goto=on_goto)
    rows = proof_rows([binding]) if Action.EDIT_PROOF in actions else []
    context = {
        "binding": binding,
        "is_authorizer": request.user.person_id == binding.authorizer_id,
        "can": action_flags(actions),
        "events": timeline.party_timeline(binding, request.user),
        "documents": binding.documents.all(),
        "rows": rows,
    }
    return render(request, "bindings/detail.html", context)


def _resubmit(request, binding) -> None:
    """补充完成，重新提交, from the detail page's button or from the checklist's form (files chosen there first)."""
    try:
        services.binding_resubmit(binding=binding, actor=request.user)
        messages.success(request, _("已重新提交，等待经办人员审核。"))
    except BindingError as exc:
        messages.error(request, exc.message)


@login_required
@require_POST
@acting_scope(ProxyScope.APPLY)
def act(request, pk, action):
    binding = selectors.binding_for_party(user=request.user, pk=pk)
    # The table says whether his role may take the action at all; the service says whether the binding's
    # state allows it now, in words the resident reads (a page left open while the case moved on).
    if action not in PARTY_ACTIONS or not party_may(binding, request.user, action):
        raise Http404
    try:
        if action == Action.WITHDRAW:
            services.binding_withdraw(binding=binding, actor=request.user)
            messages.success(request, _("申请已撤回。"))
        elif action == Action.DISSOLVE:
            services.binding_dissolve_by_party(binding=binding, user=request.user)
            messages.success(request, _("共济关系已解除。"))
        else:
            _resubmit(request, binding)
    except BindingError as exc:
        messages.error(request, exc.message)
    return redirect("bindings:detail", pk=pk)


@login_required
@never_cache
def document(request, pk):
    """Stream a proof document to someone allowed to see it, and log the view."""
    doc = selectors.document_for_viewer(user=request.user, pk=pk)
    ip = client_ip(request)
    if not request.user.is_staff:
        # A party's look is one row: a single INSERT commits on its own (no BEGIN and COMMIT around it).
        DocumentAccess.objects.create(document=doc, user=request.user, ip_address=ip)
    else:
        with transaction.atomic():  # a clerk's look is logged twice (access row, audit entry): both or neither
            DocumentAccess.objects.create(document=doc, user=request.user, ip_address=ip)
            audit(
                actor=request.user,
                action=AuditAction.DOCUMENT_VIEW,
                target=f"document:{doc.pk}",
                case_number=doc.binding.application.case_number,
                detail=doc.get_kind_display(),
                ip=ip,
                region_code=region_of(doc),
            )
    return uploads.serve_document(doc.storage_name, doc.content_type, doc.kind)


@login_required
@viewer_page
def notices(request):
    person = request.user.person
    qs = Notice.objects.filter(person=person) if person else Notice.objects.none()
    number = request.GET.get("page")
    first = list(qs[:21]) if number in (None, "", "1") else None
    if first is not None and len(first) <= 20:
        page = Paginator(first, 20).get_page(1)  # one page only: no COUNT query
    else:
        page = Paginator(qs, 20).get_page(number)
    unread = [n.pk for n in page.object_list if n.read_at is None]
    if unread:
        Notice.objects.filter(pk__in=unread).update(read_at=timezone.now())
        people_changed(person.pk)  # an update() sends no signal: the kept pages' 未读 marks are out of date
    return render(request, "bindings/notices.html", {"page": page, "unread": set(unread)})
