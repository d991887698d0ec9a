"""The clerks' dashboard (/admin/dashboard/): what waits per region, and two charts with the tables behind them.

Counts and chart data are scoped like the queue (accounts.clerks.region_q) and come from one aggregate query
per block. Charts are SVG drawn server-side by pygal and served from their own URL as image/svg+xml, shown with
<img>: the page itself carries no inline style or script, and pygal's script never runs (js=[]).

The URLs hang off the admin site (get_urls hook below), so they sit in the admin namespace and behind
admin_view (staff sign-in) without touching config/urls.py or the queue's ModelAdmin.
"""

import datetime
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pygal
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _t
from pygal.style import Style

from accounts.clerks import region_q
from accounts.regions import region_name
from bindings.makerchecker import with_pending_first_approval
from bindings.models import PENDING_STATUSES, Binding, BindingEvent, Status
from bindings.selectors import working_days_between
from policies.choices import ChannelKind, RegionLevel
from policies.models import Region
from policies.selectors import resolved_policies

WEEKS = 12
DECIDED = (Status.ACTIVE, Status.REJECTED)
# A binding's status now, as the outcome of its application.
OUTCOMES = {
    Status.ACTIVE: "approved",
    Status.DISSOLVED: "approved",
    Status.REJECTED: "rejected",
    Status.SUBMITTED: "open",
    Status.RETURNED: "open",
    Status.WITHDRAWN: "ended",
    Status.TERMINATED: "ended",
}


def outcome_labels():
    return {"approved": _t("已通过"), "rejected": _t("已驳回"), "open": _t("办理中"), "ended": _t("撤回或终止")}


def may_view(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("bindings.view_binding")


def visible_cities(user) -> list[str]:
    """The cities the viewer covers, from the region table (as the queue's region filter)."""
    cities = Region.objects.filter(region_q(user, "code"), level=RegionLevel.CITY).order_by("code")
    return list(cities.values_list("code", flat=True))


def review_limits(cities, today) -> dict[str, int]:
    """Each city's processing time in working days (its policy, else settings.REVIEW_WORKING_DAYS)."""
    policies = resolved_policies(cities, today) if cities else {}
    return {
        code: policies[code].effective_review_working_days if code in policies else settings.REVIEW_WORKING_DAYS
        for code in cities
    }


def overdue_since(today: datetime.date, limit: int) -> datetime.datetime:
    """The first moment a case submitted at or after it is NOT overdue: the queue's rule, a case is overdue when
    working_days_between(submitted date, today) > limit."""
    day = today
    while working_days_between(day, today) <= limit:
        day -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


# --- block 1: what waits ---------------------------------------------------------------------------------------
@dataclass
class RegionCounts:
    code: str
    name: str
    limit: int
    pending: int = 0
    returned: int = 0
    overdue: int = 0
    second: int = 0


def waiting_counts(user, today=None) -> list[RegionCounts]:
    """待审核, 待补充材料, 超时 and 待复核 per city the viewer covers: one aggregate query."""
    today = today or timezone.localdate()
    cities = visible_cities(user)
    limits = review_limits(cities, today)
    overdue = Q(pk__in=[])
    for code, limit in limits.items():
        overdue |= Q(application__city_code=code, submitted_at__lt=overdue_since(today, limit))
    submitted = Q(status=Status.SUBMITTED)
    queryset = with_pending_first_approval(
        Binding.objects.filter(region_q(user, "application__city_code"), status__in=PENDING_STATUSES)
    )
    rows = (
        queryset.values("application__city_code")
        .annotate(
            pending=Count("pk", filter=submitted),
            returned=Count("pk", filter=Q(status=Status.RETURNED)),
            overdue=Count("pk", filter=submitted & overdue),
            second=Count("pk", filter=submitted & Q(awaiting_second_approval=True)),
        )
        .order_by()
    )
    result = {code: RegionCounts(code, region_name(code), limit) for code, limit in limits.items()}
    for row in rows:
        code = row.pop("application__city_code")
        counts = result.get(code) or RegionCounts(code, region_name(code), settings.REVIEW_WORKING_DAYS)
        for key, value in row.items():
            setattr(counts, key, value)
        result[code] = counts
    return [result[code] for code in sorted(result)]


# --- block 2: applications per week ----------------------------------------------------------------------------
@dataclass
class Weekly:
    weeks: list[datetime.date]
    by_channel: dict[str, list[int]] = field(default_factory=dict)
    by_outcome: dict[str, list[int]] = field(default_factory=dict)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def weekly(user, today=None) -> Weekly:
    """Cases submitted per week (Monday first) in the last 12 weeks, by channel and by outcome: one query."""
    today = today or timezone.localdate()
    first = week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    weeks = [first + datetime.timedelta(weeks=n) for n in range(WEEKS)]
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = (
        Binding.objects.filter(region_q(user, "application__city_code"), submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at"), channel=F("application__channel"))
        .values("week", "channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    index = {week: n for n, week in enumerate(weeks)}
    channels, outcomes = defaultdict(lambda: [0] * WEEKS), defaultdict(lambda: [0] * WEEKS)
    for row in rows:
        week = row["week"]
        week = timezone.localtime(week).date() if isinstance(week, datetime.datetime) else week
        if week not in index:
            continue
        channels[row["channel"]][index[week]] += row["n"]
        outcomes[OUTCOMES.get(row["status"], "ended")][index[week]] += row["n"]
    channel_names = dict(ChannelKind.choices)
    labels = outcome_labels()
    return Weekly(
        weeks=weeks,
        by_channel={str(channel_names.get(code, code)): channels[code] for code in sorted(channels)},
        by_outcome={labels[key]: outcomes[key] for key in labels if key in outcomes},
    )


# --- block 3: days to decision ----------------------------------------------------------------------------------
@dataclass
class Decisions:
    code: str
    name: str
    limit: int
    days: list[int] = field(default_factory=list)

    @property
    def count(self):
        return len(self.days)

    @property
    def average(self):
        return round(sum(self.days) / len(self.days), 1) if self.days else 0

    @property
    def longest(self):
        return max(self.days, default=0)

    @property
    def within(self):
        return sum(1 for days in self.days if days <= self.limit)


def decision_days(user, today=None) -> list[Decisions]:
    """Working days from submission to approval or rejection, per city, for decisions in the last 12 weeks."""
    today = today or timezone.localdate()
    since = timezone.make_aware(
        datetime.datetime.combine(week_start(today) - datetime.timedelta(weeks=WEEKS - 1), datetime.time.min)
    )
    cities = visible_cities(user)
    limits = review_limits(cities, today)
    result = {code: Decisions(code, region_name(code), limit) for code, limit in limits.items()}
    rows = BindingEvent.objects.filter(
        region_q(user, "binding__application__city_code"),
        from_status=Status.SUBMITTED,
        to_status__in=DECIDED,
        created_at__gte=since,
        binding__submitted_at__isnull=False,
    ).values_list("binding__application__city_code", "binding__submitted_at", "created_at")
    for code, submitted_at, decided_at in rows:
        entry = result.setdefault(code, Decisions(code, region_name(code), settings.REVIEW_WORKING_DAYS))
        start, end = timezone.localtime(submitted_at).date(), timezone.localtime(decided_at).date()
        entry.days.append(working_days_between(start, end))
    return [result[code] for code in sorted(result) if result[code].days]


# --- charts ---------------------------------------------------------------------------------------------------
STYLE = Style(
    font_family="'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif",
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#555",
    colors=("#1f5fa8", "#d9822b", "#2e8540", "#b02a37", "#6f42c1", "#0d7a8a", "#7a5c00"),
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
)


SCRIPT = re.compile(rb"<script\b.*?</script>", re.DOTALL)


def _render(chart) -> bytes:
    """pygal writes a config <script> even with js=[]: nothing runs in an <img>, but leave none in the file."""
    return SCRIPT.sub(b"", chart.render())


def _chart(kind, title, **options):
    return kind(js=[], style=STYLE, title=title, width=900, height=420, legend_at_bottom=True, **options)


def whole_numbers(top) -> list[int]:
    """Counts and days are whole numbers: about eight axis labels, none of them fractions."""
    top = max(1, math.ceil(top))
    step = max(1, math.ceil(top / 8))
    return list(range(0, top + step, step))


def weekly_chart(data: dict[str, list[int]], weeks, title) -> bytes:
    chart = _chart(pygal.StackedBar, title, x_label_rotation=0)
    chart.y_labels = whole_numbers(max((sum(week) for week in zip(*data.values(), strict=True)), default=0))
    chart.x_labels = [week.strftime("%m-%d") for week in weeks]
    for name, values in data.items():
        chart.add(name, values)
    return _render(chart)


def decision_chart(rows: list[Decisions]) -> bytes:
    chart = _chart(pygal.Bar, _t("受理至办结的工作日（近12周）"))
    chart.x_labels = [row.name for row in rows]
    chart.y_labels = whole_numbers(max((max(row.longest, row.limit) for row in rows), default=0))
    chart.add(_t("平均"), [row.average for row in rows])
    chart.add(_t("最长"), [row.longest for row in rows])
    chart.add(_t("办理时限"), [row.limit for row in rows])
    return _render(chart)


CHARTS = ("channel", "outcome", "decision")


def _check(request):
    if not may_view(request.user):
        raise PermissionDenied


def dashboard_view(request):
    _check(request)
    today = timezone.localdate()
    counts = waiting_counts(request.user, today)
    week_data = weekly(request.user, today)
    context = {
        **admin.site.each_context(request),
        "title": _t("经办工作台"),
        "counts": counts,
        "totals": totals(counts),
        "weekly": week_data,
        "channel_rows": list(week_data.by_channel.items()),
        "outcome_rows": list(week_data.by_outcome.items()),
        "decisions": decision_days(request.user, today),
        "default_limit": settings.REVIEW_WORKING_DAYS,
    }
    return TemplateResponse(request, "admin/dashboard.html", context)


# Opened as a document, the SVG's own <style> must apply; scripts stay refused (and are stripped anyway).
@csp_update({"style-src": ["'unsafe-inline'"]})
def chart_view(request, name):
    _check(request)
    if name not in CHARTS:
        raise Http404
    today = timezone.localdate()
    if name == "decision":
        svg = decision_chart(decision_days(request.user, today))
    else:
        data = weekly(request.user, today)
        if name == "channel":
            svg = weekly_chart(data.by_channel, data.weeks, _t("每周申请数（按办理渠道）"))
        else:
            svg = weekly_chart(data.by_outcome, data.weeks, _t("每周申请数（按办理结果）"))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def totals(counts: list[RegionCounts]) -> dict[str, int]:
    return {key: sum(getattr(row, key) for row in counts) for key in ("pending", "returned", "overdue", "second")}


# --- hook into the admin site ------------------------------------------------------------------------------------
_site_get_urls = admin.site.get_urls
_site_index = admin.site.index


def _get_urls():
    from bindings.admin.export import export_view

    view = admin.site.admin_view
    return [
        path("dashboard/", view(dashboard_view), name="dashboard"),
        path("dashboard/chart/<str:name>.svg", view(chart_view), name="dashboard_chart"),
        path("dashboard/export.xlsx", view(export_view), name="queue_export"),
        *_site_get_urls(),
    ]


def _index(request, extra_context=None):
    """The admin index with the dashboard's headline counts and a link to it."""
    extra = dict(extra_context or {})
    if may_view(request.user):
        extra["dashboard_totals"] = totals(waiting_counts(request.user))
    return _site_index(request, extra)


admin.site.get_urls = _get_urls
admin.site.index = _index
