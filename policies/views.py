"""Public policy pages. Every number comes from the rule rows through selectors.resolved_policy."""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_GET

from .selectors import (
    recent_revisions,
    region_by_slug,
    regions_by_slugs,
    regions_grouped,
    resolved_policies,
    resolved_policy,
    version_history,
)

MAX_COMPARE = 5  # a layout limit (columns on a phone), not a policy number


def _day(request) -> tuple[datetime.date, str]:
    """The day to show the rules for: ?on=YYYY-MM-DD, or today."""
    raw = request.GET.get("on", "").strip()
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        return datetime.date.fromisoformat(raw), ""
    except ValueError:
        return today, _t("日期“%(raw)s”格式不正确，已按今天显示。请按 年-月-日 填写，例如 2024-09-01。") % {"raw": raw}


@require_GET
def index(request):
    query = request.GET.get("q", "").strip()[:50]
    national, groups = regions_grouped(query)
    return render(
        request,
        "policies/index.html",
        {"national": national, "groups": groups, "query": query, "max_compare": MAX_COMPARE},
    )


@require_GET
def detail(request, slug):
    region = region_by_slug(slug)
    on, date_error = _day(request)
    policy = resolved_policy(region.code, on)
    return render(
        request,
        "policies/detail.html",
        {
            "region": region,
            "policy": policy,
            "on": on,
            "today": timezone.localdate(),
            "date_error": date_error,
            "history": version_history(region),
            "revisions": recent_revisions(region),
            "current_versions": {v.pk for v in policy.versions},
        },
    )


def _requested_slugs(request) -> list[str]:
    slugs = []
    for value in request.GET.getlist("cities"):
        for part in value.split(","):
            part = part.strip().lower()
            if part and part not in slugs:
                slugs.append(part)
    return slugs


@require_GET
def compare(request):
    slugs = _requested_slugs(request)
    on = timezone.localdate()
    errors = []
    regions, unknown = regions_by_slugs(slugs)
    if unknown:
        errors.append(_t("没有找到这些地区：%(names)s。") % {"names": "、".join(unknown)})
    if len(slugs) > MAX_COMPARE:
        errors.append(
            _t("一次最多比较%(max)s个地区，您选择了%(count)s个：%(names)s。")
            % {"max": MAX_COMPARE, "count": len(slugs), "names": "、".join(slugs)}
        )
    columns = []
    if not errors and regions:
        policies = resolved_policies([region.code for region in regions], on)
        columns = [(region, policies[region.code]) for region in regions]
    national, groups = regions_grouped()
    return render(
        request,
        "policies/compare.html",
        {
            "columns": columns,
            "errors": errors,
            "on": on,
            "groups": groups,
            "national": national,
            "selected": slugs,
            "max_compare": MAX_COMPARE,
        },
        status=400 if errors else 200,
    )


@require_GET
def guide(request):
    on = timezone.localdate()
    national, groups = regions_grouped()
    cities = [city for group in groups for city in group.cities]
    selected = request.GET.get("region", "").strip()
    policies = resolved_policies([city.code for city in cities], on)
    sections = [(city, policies[city.code]) for city in cities]
    return render(
        request,
        "policies/guide.html",
        {"sections": sections, "on": on, "selected": selected},
    )
