"""The review queue and the case page. Admin is one more client of the binding services: it never writes status."""

import functools
from datetime import date, time
from html import escape as escape_text
from types import SimpleNamespace

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_value
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeData, mark_safe
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
from bindings.makerchecker import pending_first_approval, second_approval_reason, with_pending_first_approval
from bindings.models import PENDING_STATUSES, Binding, ShownStatus, Status
from bindings.selectors import working_days_between
from bindings.transitions import action_flags, binding_actions
from policies.choices import ChannelKind
from policies.relationships import Relationship
from policies.selectors import resolved_policies


@functools.cache
def city_cell(code: str) -> str:
    """The city without its province, the full name on hover (region names are fixed data)."""
    full, province = region_name(code), region_name(code[:2] + "0000")
    short = full.removeprefix(province) or full
    return format_html('<span title="{}">{}</span>', full, short)


@functools.cache
def queue_words(language: str | None) -> dict:
    """The words every row repeats, translated once per process and language (a translation lookup costs more
    than the rest of a cell). The checkbox label is a format string, as admin's own checkbox uses it."""
    return {
        # Column labels by value: a dict lookup per row instead of get_FOO_display's rebuilt choice dict.
        "relationships": {value: str(label) for value, label in Relationship.choices},
        "channels": {value: str(label) for value, label in ChannelKind.choices},
        "overdue": escape_text(_t("超时")),
        "checkbox": str(_t("Select this object for an action - {}")),
    }


# What a queue row shows: the columns below, the date-aware status word (shown_status), the row's region (the
# search audit's), the 待复核 annotation. A column reading anything else would cost a query per row (the query
# count per page is pinned in tests/perf/test_admin_queue_queries.py).
QUEUE_ROW_FIELDS = [
    *("id", "status", "relationship", "region_code", "submitted_at", "start_date", "end_date", "reason_code"),
    *("application__case_number", "application__city_code", "application__channel"),
    *("relative__name", "relative__id_number", "authorizer__name", "authorizer__id_number"),
]


class QueueChangeList(ChangeList):
    """Attaches each row's processing time (a policy number) and working days waited in one batch for the page:
    the policies once per city, the working days once per submission day (a page of 50 spans a few days).

    The table itself is built by `results_html` (the queue's change_list.html), not admin's `{% result_list %}`."""

    def get_results(self, request):
        super().get_results(request)
        if isinstance(self.result_list, QuerySet):
            # The page's rows with the columns the table reads, not every column of four tables: half the cost of
            # building 50 bindings with their application and parties. (The actions and the case page read whole
            # rows: they use the admin's queryset, not this page.)
            self.result_list = self.result_list.only(*QUEUE_ROW_FIELDS)
        today = timezone.localdate()
        codes = {binding.application.city_code for binding in self.result_list}
        policies = resolved_policies(codes, today) if codes else {}
        waited, words = {}, {}
        for binding in self.result_list:
            binding.review_days = policies[binding.application.city_code].effective_review_working_days
            # The status word once per page and status (a translation lookup), the local time once per row.
            shown = binding.shown_status(today)
            if shown not in words:
                words[shown] = str(ShownStatus(shown).label)
            binding.status_text = words[shown]
            if binding.submitted_at:
                binding.submitted_local = timezone.localtime(binding.submitted_at)
                day = binding.submitted_local.date()
                if day not in waited:
                    waited[day] = working_days_between(day, today)
                binding.waited_days = waited[day]

    def results_html(self):
        """The page's table: admin's change_list_results.html with the same headers, and rows with the same cells,
        classes and link as admin's items_for_result, built in one pass from list_display's methods.

        Admin's generic path resolves every cell on its own (lookup_field asks the model for a field of that name
        and catches the miss, display_for_value, a format_html per cell, a URL reversal per row): for 50 rows of
        nine columns that was half the queue's time. Here the columns are resolved once per page and the change
        URL reversed once. Anything the fast path does not cover (an editable list, a popup, a column that is not
        one of the admin's methods, custom links) renders through admin's own tag."""
        from django.contrib.admin.templatetags import admin_list

        columns = self._fast_columns()
        if columns is None:
            context = admin_list.result_list(self)
        else:
            headers = list(admin_list.result_headers(self))
            context = {
                "cl": self,
                "result_hidden_fields": [],
                "result_headers": headers,
                "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
                "results": [admin_list.ResultList(None, [self._row_html(obj, columns)]) for obj in self.result_list],
            }
        opts = self.opts
        template = select_template(
            [
                f"admin/{opts.app_label}/{opts.model_name}/change_list_results.html",
                f"admin/{opts.app_label}/change_list_results.html",
                "admin/change_list_results.html",
            ]
        )
        return mark_safe(template.render(context))

    def _fast_columns(self):
        model_admin = self.model_admin
        plain_links = (
            not self.list_display_links
            or list(self.list_display_links) == [name for name in self.list_display if name != "action_checkbox"][:1]
        )
        if getattr(self, "formset", None) is not None or self.is_popup or not plain_links:
            return None
        empty = model_admin.get_empty_value_display()
        columns, linked = [], False
        for name in self.list_display:
            method = getattr(model_admin, name, None) if isinstance(name, str) else None
            if method is None or not callable(method) or getattr(method, "boolean", False):
                return None
            link = name != "action_checkbox" and not linked
            linked = linked or link
            css = "action-checkbox" if name == "action_checkbox" else f"field-{name}"
            columns.append((method, css, getattr(method, "empty_value_display", empty), link))
        # One reversal for the page: the preserved filters are the same for every row, only the pk differs.
        stand_in = SimpleNamespace(**{self.pk_attname: "QUEUEPK"})
        url = add_preserved_filters(
            {"preserved_filters": self.preserved_filters, "opts": self.opts}, self.url_for_result(stand_in)
        )
        self._row_url = str(escape(url))
        return columns

    def _row_html(self, obj, columns):
        cells = []
        for method, css, empty, link in columns:
            value = method(obj)
            # display_for_value's result for the values the columns return, without its general dispatch.
            if isinstance(value, SafeData):
                text = value if value.strip() else empty
            elif type(value) is str:
                text = escape_text(value) if value.strip() else empty
            elif type(value) is int and -1000 < value < 1000:
                text = str(value)  # what number_format gives below the first thousands separator
            else:
                text = conditional_escape(display_for_value(value, empty))
                if isinstance(value, (date, time)):
                    css += " nowrap"
            if link:
                href = self._row_url.replace("QUEUEPK", str(obj.pk))
                cells.append(f'<th class="{css}"><a href="{href}">{text}</a></th>')
            else:
                cells.append(f'<td class="{css}">{text}</td>')
        return mark_safe("".join(cells))


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
