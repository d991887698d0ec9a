"""The review queue's filters. The queue opens on what waits for a decision."""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.clerks import region_q, sees_all_regions
from accounts.regions import region_name
from bindings.models import Status
from policies import cache as policy_cache
from policies.choices import ChannelKind, RegionLevel
from policies.models import Region


class AgeBandFilter(admin.SimpleListFilter):
    title = _("使用人年龄段")
    parameter_name = "age"

    BANDS = {"under16": (0, 16), "16to59": (16, 60), "60plus": (60, 200)}

    def lookups(self, request, model_admin):
        return [("under16", _("未满16周岁")), ("16to59", _("16至59周岁")), ("60plus", _("60周岁及以上"))]

    def queryset(self, request, queryset):
        if self.value() not in self.BANDS:
            return queryset
        low, high = self.BANDS[self.value()]
        today = timezone.localdate()
        youngest = today.replace(year=today.year - low) if low else today
        oldest = today.replace(year=today.year - high) + timedelta(days=1)
        return queryset.filter(relative__birth_date__lte=youngest, relative__birth_date__gte=oldest)


class RegionFilter(admin.SimpleListFilter):
    """The cities the clerk covers, from the region table: never a scan of the applications themselves.

    Regions are policy data: the list is kept per process under the policy generation token (policies/cache.py),
    so the queue reads it once per worker until the policy data changes, not once per page."""

    title = _("统筹区")
    parameter_name = "city"

    def lookups(self, request, model_admin):
        scope = "*" if sees_all_regions(request.user) else getattr(request.user, "region_code", "") or ""
        token = policy_cache.generation()
        cities = policy_cache.memo_get(token, ("queue_cities", scope))
        if cities is None:
            rows = Region.objects.filter(region_q(request.user, "code"), level=RegionLevel.CITY).order_by("code")
            cities = [(city.code, region_name(city.code)) for city in rows]
            policy_cache.memo_put(token, ("queue_cities", scope), cities)
        return cities

    def queryset(self, request, queryset):
        return queryset.filter(region_code=self.value()) if self.value() else queryset


class ChannelFilter(admin.SimpleListFilter):
    title = _("办理渠道")
    parameter_name = "channel"

    def lookups(self, request, model_admin):
        return ChannelKind.choices

    def queryset(self, request, queryset):
        return queryset.filter(application__channel=self.value()) if self.value() else queryset


class StatusFilter(admin.SimpleListFilter):
    """The queue opens on what waits for a decision; a search (a case number, an ID number) looks in every status
    unless the clerk picked one, so an active case is found rather than reported as 0 条结果."""

    title = _("状态")
    parameter_name = "status"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.searching = bool(request.GET.get("q", "").strip())

    def default(self) -> str:
        return "all" if self.searching else Status.SUBMITTED

    def lookups(self, request, model_admin):
        return [*Status.choices, ("all", _("全部"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or self.default()) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.default()
        return queryset if value == "all" else queryset.filter(status=value)


class SecondReviewFilter(admin.SimpleListFilter):
    """待复核: cases one clerk has approved and a second clerk must check (the queue's `awaiting_second_approval`
    annotation, from makerchecker.with_pending_first_approval)."""

    title = _("两人审核")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("second", _("待复核（已初审）"))]

    def queryset(self, request, queryset):
        return queryset.filter(awaiting_second_approval=True) if self.value() == "second" else queryset
