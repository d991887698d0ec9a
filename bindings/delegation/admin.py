"""The clerks' side of acting for someone else: the guardianship review queue, and parent links and proxies to read.

Like the binding queue, admin is one more client of the services: a guardianship changes only through
guardianship_decide, on a confirmation page (no one-click rejection); names and numbers are masked, and the
appointment document is shown only through a permission-checked view that writes an audit row on every opening.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditedSearchMixin, ReadOnlyScopedAdmin, RegionScopedAdmin, masked_person
from accounts.audit import audit
from accounts.capacity import capacity_on
from accounts.masking import mask_id_number, mask_name, mask_phone
from accounts.models import (
    AuditAction,
    AuditEntry,
    DelegationStatus,
    FamilyLink,
    Guardianship,
    ProxyGrant,
    ProxyScope,
)
from accounts.regions import region_name
from accounts.views import client_ip

from .. import uploads
from .guardians import DECIDE_PERMISSION, GuardianCode, GuardianshipError, guardianship_decide


class DecisionForm(forms.Form):
    """The confirmation page's form. Whether a reason is needed is the service's rule (a rejection needs one)."""

    reason_text = forms.CharField(
        label=_("驳回原因（申请人会看到，请写明如何补正）"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(label=_("审核意见（可选，记入审计日志）"), required=False, max_length=200)


@admin.register(Guardianship)
class GuardianshipAdmin(AuditedSearchMixin, RegionScopedAdmin):
    region_field = "region_code"
    list_display = ["created_at", "ward_masked", "guardian_masked", "basis", "status", "verified_via", "region"]
    list_filter = ["status", "basis", "verified_via"]
    list_select_related = ["guardian", "ward"]
    search_fields = ["=ward__id_number", "=guardian__id_number"]
    search_help_text = _("按被监护人或监护人的完整身份证号码查询")
    ordering = ["created_at", "id"]  # oldest first: the queue is worked from the top
    change_form_template = "admin/accounts/guardianship/review.html"
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("被监护人"))
    def ward_masked(self, obj):
        return masked_person(obj.ward)

    @admin.display(description=_("监护人"))
    def guardian_masked(self, obj):
        return masked_person(obj.guardian)

    @admin.display(description=_("统筹区"))
    def region(self, obj):
        return region_name(obj.region_code)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip().upper())

    # --- permissions: status and data change only through guardianship_decide ----------------------------------
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    def get_urls(self):
        views = {"decide": self.decide_view, "reveal": self.reveal_view, "document": self.document_view}
        custom = [
            path(f"<int:pk>/{name}/", self.admin_site.admin_view(view), name=f"accounts_guardianship_{name}")
            for name, view in views.items()
        ]
        return custom + super().get_urls()

    # --- the case page --------------------------------------------------------------------------------------
    def _object_or_404(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = self.get_object(request, str(pk))  # region-scoped; an attempt outside is logged
        if row is None:
            raise Http404
        return row

    def _case_context(self, request, row, *, revealed=False):
        today = timezone.localdate()
        # Why this clerk cannot decide, if he cannot: the service would refuse for the same reasons.
        if row.status != DelegationStatus.PENDING:
            decide_note = _t("该申请已处理（%(status)s），无需审核。") % {"status": row.get_status_display()}
        elif getattr(request.user, "person_id", None) in (row.guardian_id, row.ward_id):
            decide_note = _t("您是该监护关系的当事人，须回避，由其他经办人员审核。")
        elif not self.has_decide_permission(request):
            decide_note = _t("您没有审核监护关系的权限。")
        else:
            decide_note = ""

        def party(role, person):
            return {
                "role": role,
                "person": person,
                "name": person.name if revealed else mask_name(person.name),
                "id_number": person.id_number if revealed else mask_id_number(person.id_number),
                "phone": person.phone if revealed else mask_phone(person.phone),
                "age": person.age_on(today),
                "capacity": capacity_on(person, today).label,
                "region": region_name(person.city_code),
            }

        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": row,
            "guardianship": row,
            "title": _t("审核监护关系"),
            "parties": [party(_t("监护人"), row.guardian), party(_t("被监护人"), row.ward)],
            "revealed": revealed,
            "registry_link": FamilyLink.objects.filter(parent=row.guardian_id, child=row.ward_id).first(),
            "region": region_name(row.region_code),
            "can_decide": not decide_note,
            "decide_note": decide_note,
            "audit": list(
                AuditEntry.objects.filter(target__in=[f"guardianship:{row.pk}", f"guardianship:{row.pk}:document"])
                .select_related("actor")
                .order_by("-created_at", "-id")[:50]
            ),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        row = self.get_object(request, object_id)
        if row is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        extra_context = {**(extra_context or {}), **self._case_context(request, row)}
        return super().change_view(request, object_id, form_url, extra_context)

    def reveal_view(self, request, pk):
        """Both parties' full names and numbers, to compare with the document; the look is logged."""
        if request.method != "POST":
            raise Http404
        row = self._object_or_404(request, pk)
        audit(
            actor=request.user,
            action=AuditAction.REVEAL,
            target=f"guardianship:{row.pk}",
            detail=_t("查看监护人和被监护人完整姓名、证件号码和手机号"),
            ip=client_ip(request),
            region_code=row.region_code,
        )
        context = {**self._case_context(request, row, revealed=True), "has_view_permission": True}
        return TemplateResponse(request, "admin/accounts/guardianship/reveal.html", context)

    def decide_view(self, request, pk):
        """GET: the confirmation page for ?decision=approve|reject. POST: the decision through the service."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        row = self._object_or_404(request, pk)
        decision = request.POST.get("decision") if request.method == "POST" else request.GET.get("decision")
        if decision not in ("approve", "reject"):
            raise Http404
        case_url = reverse("admin:accounts_guardianship_change", args=[row.pk])
        form = DecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            approve = decision == "approve"
            text = form.cleaned_data["note"] if approve else form.cleaned_data["reason_text"]
            try:
                guardianship_decide(
                    guardianship=row, clerk=request.user, approve=approve, reason_text=text, ip=client_ip(request)
                )
            except GuardianshipError as exc:
                audit(
                    actor=request.user,
                    action=AuditAction.REFUSED,
                    target=f"guardianship:{row.pk}",
                    detail=f"{decision}: {exc.message}",
                    ip=client_ip(request),
                    region_code=row.region_code,
                )
                self.message_user(request, exc.message, messages.ERROR)
                if exc.code == GuardianCode.REASON_MISSING:
                    return HttpResponseRedirect(f"{request.path}?decision=reject")
                return HttpResponseRedirect(case_url)
            row.refresh_from_db()
            self.message_user(request, _t("已处理：当前状态“%(status)s”。") % {"status": row.get_status_display()})
            return HttpResponseRedirect(reverse("admin:accounts_guardianship_changelist"))
        context = {
            **self._case_context(request, row),
            "decision": decision,
            "form": form,
            "case_url": case_url,
            "title": _t("确认审核通过") if decision == "approve" else _t("确认驳回"),
        }
        return TemplateResponse(request, "admin/accounts/guardianship/decide.html", context)

    def document_view(self, request, pk):
        """Stream the document to a clerk of the region, writing an audit row for every opening (admin_view makes
        it staff-only and never cached)."""
        row = self._object_or_404(request, pk)
        if not row.document_name:
            raise Http404
        with transaction.atomic():
            audit(
                actor=request.user,
                action=AuditAction.DOCUMENT_VIEW,
                target=f"guardianship:{row.pk}:document",
                detail=_t("监护关系证明材料（%(basis)s）") % {"basis": row.get_basis_display()},
                ip=client_ip(request),
                region_code=row.region_code,
            )
        return uploads.serve_document(row.document_name, row.document_type, "guardianship")


@admin.register(FamilyLink)
class FamilyLinkAdmin(AuditedSearchMixin, ReadOnlyScopedAdmin):
    """The registry's parent-child links, as the online verification of a parent's guardianship reads them."""

    region_field = "child__city_code"
    list_display = ["child_masked", "parent_masked", "source"]
    list_filter = ["source"]
    list_select_related = ["parent", "child"]
    search_fields = ["=child__id_number", "=parent__id_number"]
    search_help_text = _("按子女或父母的完整身份证号码查询")

    @admin.display(description=_("子女"))
    def child_masked(self, obj):
        return masked_person(obj.child)

    @admin.display(description=_("父母"))
    def parent_masked(self, obj):
        return masked_person(obj.parent)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip().upper())


@admin.register(ProxyGrant)
class ProxyGrantAdmin(AuditedSearchMixin, ReadOnlyScopedAdmin):
    """Proxies (代办人) as granted online or at the counter: read-only; granting and revoking are the principal's."""

    region_field = "region_code"
    list_display = ["principal_masked", "agent_masked", "scope_labels", "starts_on", "ends_on", "granted_via", "state"]
    list_filter = ["granted_via", "may_apply", "may_pay"]
    list_select_related = ["principal", "agent"]
    search_fields = ["=principal__id_number", "=agent__id_number"]
    search_help_text = _("按委托人或代办人的完整身份证号码查询")
    # The storage name of the scanned 委托书 says nothing to a clerk and is not a link: left out.
    fields = [
        "principal",
        "agent",
        "may_apply",
        "may_pay",
        "starts_on",
        "ends_on",
        "granted_via",
        "has_letter",
        "region_code",
        "granted_by",
        "created_at",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = ["has_letter"]

    @admin.display(description=_("委托人"))
    def principal_masked(self, obj):
        return masked_person(obj.principal)

    @admin.display(description=_("代办人"))
    def agent_masked(self, obj):
        return masked_person(obj.agent)

    @admin.display(description=_("授权范围"))
    def scope_labels(self, obj):
        granted = obj.scopes()
        return "、".join(str(scope.label) for scope in ProxyScope if scope in granted)

    @admin.display(description=_("状态"))
    def state(self, obj):
        if obj.revoked_at:
            return _t("已撤销")
        return _t("有效") if obj.in_force_on(timezone.localdate()) else _t("未生效或已到期")

    @admin.display(description=_("有委托书扫描件"), boolean=True)
    def has_letter(self, obj):
        return bool(obj.document_name)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip().upper())
