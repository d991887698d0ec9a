"""The review queue's table, built in one pass with admin's own markup (the rows of 50 cases were most of the
page's time through admin's per-cell tags); anything unusual goes through admin's own code. Words and city
labels are looked up once per process and language. tests/bindings/test_queue_rows.py compares the two."""

import functools
from datetime import date, time
from html import escape as escape_text
from types import SimpleNamespace

from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_value
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.template.loader import select_template
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext as _t

from accounts.regions import region_name
from bindings.models import ShownStatus
from bindings.selectors import working_days_between
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
