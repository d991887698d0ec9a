"""The review queue and the case page. Admin is one more client of the binding services: it never writes status."""

from html import escape as escape_text

from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditedSearchMixin, RegionScopedAdmin
from accounts.audit import audit, region_of
from accounts.masking import mask_id_number, mask_name, mask_phone
from accounts.models import AuditAction, AuditEntry
from accounts.regions import region_name
from accounts.views import client_ip
from bindings import services, timeline
from bindings.admin.decide import DecisionMixin, MoreForm, ReasonForm, blank_forms
from bindings.admin.filters import AgeBandFilter, ChannelFilter, RegionFilter, SecondReviewFilter, StatusFilter
from bindings.admin.queue_rows import QueueChangeList, city_cell, queue_words
from bindings.makerchecker import pending_first_approval, second_approval_reason, with_pending_first_approval
from bindings.models import PENDING_STATUSES, Binding, Status
from bindings.selectors import working_days_between
from bindings.transitions import action_flags, binding_actions


@admin.register(Binding)
class BindingAdmin(DecisionMixin, AuditedSearchMixin, RegionScopedAdmin):
    region_field = "region_code"  # the application's city, on the binding: the queue needs no join
    list_display = [
        "case_number",
        "relative_masked",
        "authorizer_masked",
        "city",
        "channel",
        "status_and_review",
        "submitted",
        "waited",
    ]
    list_filter = [StatusFilter, SecondReviewFilter, RegionFilter, "relationship", AgeBandFilter, ChannelFilter]
    list_select_related = ["application", "relative", "authorizer"]
    search_fields = ["=application__case_number", "=relative__id_number", "=authorizer__id_number"]
    search_help_text = _("按受理编号或完整身份证号码查询")
    ordering = ["submitted_at", "id"]
    actions = ["approve_selected", "reject_selected", "request_more_selected"]
    change_form_template = "admin/bindings/binding/review.html"
    # review.html replaces admin's form with the case page; admin still builds its (read-only) form for the view:
    # one field rather than every column of the binding keeps that step cheap.
    fields = ["relationship"]
    list_per_page = 50
    show_full_result_count = False

    # --- columns ---------------------------------------------------------------------------------------
    @admin.display(description=_("受理编号"), ordering="application__case_number")
    def case_number(self, obj):
        return obj.application.case_number

    # Issue 13: the queue fits 1280 px without sideways scrolling: name and number on two lines, the relationship
    # beside the relative, the city without its province, the date without the year's words.
    # The columns run once per row (50 a page): plain f-strings with every value escaped, rather than
    # format_html's general argument handling; the page's shared values come from QueueChangeList.get_results.
    @admin.display(description=_("使用人（关系）"), ordering="relationship")
    def relative_masked(self, obj):
        relationship = queue_words(get_language())["relationships"].get(obj.relationship, obj.relationship)
        return mark_safe(
            f"{escape_text(mask_name(obj.relative.name))}（{escape_text(relationship)}）<br>"
            f'<span class="id-masked">{escape_text(mask_id_number(obj.relative.id_number))}</span>'
        )

    @admin.display(description=_("授权人"))
    def authorizer_masked(self, obj):
        return mark_safe(
            f"{escape_text(mask_name(obj.authorizer.name))}<br>"
            f'<span class="id-masked">{escape_text(mask_id_number(obj.authorizer.id_number))}</span>'
        )

    @admin.display(description=_("统筹区"))
    def city(self, obj):
        return city_cell(obj.application.city_code)

    @admin.display(description=_("提交时间"), ordering="submitted_at")
    def submitted(self, obj):
        if not obj.submitted_at:
            return "—"
        local = getattr(obj, "submitted_local", None) or timezone.localtime(obj.submitted_at)
        return local.strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("渠道"))
    def channel(self, obj):
        return queue_words(get_language())["channels"].get(obj.application.channel, obj.application.channel)

    @admin.display(description=_("状态"), ordering="status")
    def status_and_review(self, obj):
        """The status, and 待复核 on a case one clerk has approved and a second must check."""
        word = getattr(obj, "status_text", None) or obj.status_word()  # the date-aware word (待生效, 已到期)
        if getattr(obj, "awaiting_second_approval", False):
            return format_html('{} <strong class="awaiting-second">{}</strong>', word, _t("（已初审，待复核）"))
        return word

    @admin.display(description=_("已等待（工作日）"))
    def waited(self, obj):
        if obj.status not in PENDING_STATUSES or not obj.submitted_at:
            return "—"
        days = getattr(obj, "waited_days", None)
        if days is None:
            days = working_days_between(timezone.localtime(obj.submitted_at).date(), timezone.localdate())
        review_days = getattr(obj, "review_days", None)
        if days > (settings.REVIEW_WORKING_DAYS if review_days is None else review_days):
            return mark_safe(f'<strong class="overdue">{days} ⚠ {queue_words(get_language())["overdue"]}</strong>')
        return days

    def action_checkbox(self, obj):
        """Admin's row checkbox, the same markup, without rendering a form widget template for each of 50 rows
        and without str(obj) (one more label lookup): a fifth of the queue's rendering time."""
        label = queue_words(get_language())["checkbox"].format(escape_text(obj.application.case_number))
        return mark_safe(
            f'<input type="checkbox" name="{admin.helpers.ACTION_CHECKBOX_NAME}" value="{obj.pk}"'
            f' class="action-select" aria-label="{label}">'
        )

    def get_queryset(self, request):
        # The case page reads both parties and the application of the one row: in the same query.
        queryset = super().get_queryset(request).select_related("application", "authorizer", "relative")
        return with_pending_first_approval(queryset)

    def get_object(self, request, object_id, from_field=None):
        """The case page asks for its binding twice (here for the context, then admin's change view): one query
        on a GET. Anything that writes reads it fresh."""
        if request.method != "GET":
            return super().get_object(request, object_id, from_field)
        memo = request.__dict__.setdefault("_case_objects", {})
        key = (str(object_id), from_field)
        if key not in memo:
            memo[key] = super().get_object(request, object_id, from_field)
        return memo[key]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip().upper())

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    # --- permissions -----------------------------------------------------------------------------------
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # status and data change only through the decision services

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("bindings.decide_binding")

    # --- the case page ---------------------------------------------------------------------------------
    def get_urls(self):
        custom = [
            path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view), name="bindings_binding_decide"),
            path("<int:pk>/reveal/", self.admin_site.admin_view(self.reveal_view), name="bindings_binding_reveal"),
        ]
        return custom + super().get_urls()

    def _case_context(self, request, binding, revealed=()):
        verdict = services.binding_verdict(binding=binding)
        authorizer, relative = binding.authorizer, binding.relative

        def show(field, value, masker):
            return value if field in revealed else masker(value)

        return {
            "binding": binding,
            "verdict": verdict,
            "parties": [
                {
                    "role": _t("授权人"),
                    "key": "authorizer",
                    "person": authorizer,
                    "name": show("authorizer", authorizer.name, mask_name),
                    "id_number": show("authorizer", authorizer.id_number, mask_id_number),
                    "phone": show("authorizer", authorizer.phone, mask_phone),
                    "region": region_name(authorizer.city_code),
                    "revealed": "authorizer" in revealed,
                },
                {
                    "role": _t("使用人"),
                    "key": "relative",
                    "person": relative,
                    "name": show("relative", relative.name, mask_name),
                    "id_number": show("relative", relative.id_number, mask_id_number),
                    "phone": show("relative", binding.relative_phone or relative.phone, mask_phone),
                    "region": region_name(relative.city_code),
                    "revealed": "relative" in revealed,
                },
            ],
            "region": region_name(binding.application.city_code),
            "documents": list(binding.documents.all()),
            "events": timeline.for_clerk(binding.events.select_related("actor", *timeline.EVENT_RELATED)),
            "audit": list(
                AuditEntry.objects.filter(case_number=binding.application.case_number).select_related("actor")[:50]
            ),
            **blank_forms(),
            # The buttons the services would honour for this clerk now, maker-checker included.
            "can": action_flags(binding_actions(binding, request.user)),
            # The admin's queryset annotates the same rule (awaiting_second_approval): the event itself is read
            # only for a case that has one, not with two more queries on every case page.
            "first_approval": (
                pending_first_approval(binding) if getattr(binding, "awaiting_second_approval", True) else None
            ),
            # Said before any decision: why this case needs two clerks ("" when one decides).
            "second_reason": (
                second_approval_reason(binding, request.user) if binding.status == Status.SUBMITTED else ""
            ),
        }

    def _standalone_context(self, request, binding, revealed=(), **extra):
        """The case page outside admin's change view (reveal, a refused form, a confirmation)."""
        return {
            **self.admin_site.each_context(request),
            **self._case_context(request, binding, revealed=revealed),
            "opts": self.opts,
            "original": binding,
            "title": _t("审核共济申请"),
            "has_view_permission": True,
            "change": True,
            "is_popup": False,
            "save_as": False,
            "has_delete_permission": False,
            "has_add_permission": False,
            "has_change_permission": False,
            "has_editable_inline_admin_formsets": False,
            "add": False,
            "show_save": False,
            "app_label": self.opts.app_label,
            **extra,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        binding = self.get_object(request, object_id)
        if binding is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        extra_context = {**(extra_context or {}), **self._case_context(request, binding)}
        return super().change_view(request, object_id, form_url, extra_context)

    def reveal_view(self, request, pk):
        """Show one party's full number and name, once, and log that the clerk looked."""
        binding = self.get_object(request, str(pk))
        if binding is None or request.method != "POST":
            raise Http404
        party = request.POST.get("party")
        if party not in ("authorizer", "relative"):
            raise Http404
        audit(
            actor=request.user,
            action=AuditAction.REVEAL,
            target=f"binding:{binding.pk}:{party}",
            case_number=binding.application.case_number,
            detail=_t("查看%(who)s完整姓名、证件号码和手机号")
            % {"who": _t("授权人") if party == "authorizer" else _t("使用人")},
            ip=client_ip(request),
            region_code=region_of(binding),
        )
        context = self._standalone_context(request, binding, revealed={party})
        return TemplateResponse(request, "admin/bindings/binding/reveal.html", context)

    # --- bulk actions ----------------------------------------------------------------------------------
    def _selected_outside(self, request, queryset):
        asked = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        return len(asked) - queryset.count()

    @admin.action(description=_("批量审核通过（仅核验通过的申请）"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        approved, skipped = 0, []
        for binding in queryset.select_related("application", "authorizer", "relative"):
            try:
                services.binding_approve(binding=binding, clerk=request.user, ip=client_ip(request))
                approved += 1
            except services.BindingError as exc:
                skipped.append(f"{binding.application.case_number}：{exc.message}")
        self.message_user(request, _t("已审核通过%(n)s件。") % {"n": approved})
        for line in skipped:
            self.message_user(request, _t("未通过：") + line, messages.WARNING)

    @admin.action(description=_("批量驳回（须填写原因）"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        return self._bulk_with_form(request, queryset, ReasonForm, "reject_selected", _t("驳回"), self._reject_one)

    @admin.action(description=_("要求补充材料"), permissions=["decide"])
    def request_more_selected(self, request, queryset):
        return self._bulk_with_form(
            request, queryset, MoreForm, "request_more_selected", _t("要求补充材料"), self._more_one
        )

    def _reject_one(self, request, binding, data):
        services.binding_reject(binding=binding, clerk=request.user, ip=client_ip(request), **data)

    def _more_one(self, request, binding, data):
        services.binding_request_more(binding=binding, clerk=request.user, ip=client_ip(request), **data)

    def _bulk_with_form(self, request, queryset, form_class, action, label, apply_one):
        form = form_class(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            done, failed = 0, []
            for binding in queryset:
                try:
                    apply_one(request, binding, form.cleaned_data)
                    done += 1
                except services.BindingError as exc:
                    failed.append(f"{binding.application.case_number}：{exc.message}")
            self.message_user(request, _t("已处理%(n)s件。") % {"n": done})
            for line in failed:
                self.message_user(request, line, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": label,
            "queryset": queryset.select_related("application", "relative"),
            "form": form,
            "action": action,
            "opts": self.opts,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/bindings/binding/bulk_form.html", context)
