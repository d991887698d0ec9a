"""Public policy pages. Every number comes from the rule rows through selectors.resolved_policy.

The main content of each page (templates/policies/fragments/) is the same for every viewer: it is rendered once
per process and policy generation (policies.cache.fragment), keyed by everything it depends on (the page, its
parameters, the days, the viewer's 关怀模式 and language), and dropped by any policy write (the token changes).
The page around it (base.html: the resident's name, menus, csrf token) is rendered for each request.
"""

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_GET

from config.pagecache import viewer_page

from . import cache as policy_cache
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


@dataclass(frozen=True)
class Fragment:
    body: SafeString
    name: str = ""  # the region named in the title (city page)
    status: int = 200


def _page(request, name: str, key: tuple, build, *, cache: bool = True):
    """Render policies/<name>.html around the fragment build(token) renders, kept under the policy token and key."""
    token = policy_cache.generation()  # before build() reads any row: see policy_cache.fragment
    if cache:
        key = (name, *key, bool(getattr(request, "elder_mode", False)), get_language())
        page = policy_cache.fragment(token, key, lambda: build(token))
    else:
        page = build(token)
    return render(request, f"policies/{name}.html", {"page": page}, status=page.status)


def _fragment(name: str, context: dict) -> SafeString:
    return render_to_string(f"policies/fragments/{name}.html", context)


@require_GET
@viewer_page  # a signed-in resident's whole page (config.pagecache); visitors get the fragment
def index(request):
    query = request.GET.get("q", "").strip()[:50]

    def build(token):
        national, groups = regions_grouped(query)
        context = {"national": national, "groups": groups, "query": query, "max_compare": MAX_COMPARE}
        return Fragment(_fragment("index", context))

    return _page(request, "index", (query,), build)


def _region_and_history(token, slug: str) -> tuple:
    """A region page's region, versions and revisions, the same on every day: kept per process with the resolved
    policies (policies.cache memo), so another day in the 政策依据 picker reads only that day's rules."""
    key = ("region page", slug)
    found = policy_cache.memo_get(token, key)
    if found is None:
        region = region_by_slug(slug)
        found = (region, version_history(region), recent_revisions(region))
        policy_cache.memo_put(token, key, found)
    return found


@require_GET
@viewer_page  # a signed-in resident's whole page (config.pagecache); visitors get the fragment
def detail(request, slug):
    on, date_error = _day(request)
    today = timezone.localdate()

    def build(token):
        region, history, revisions = _region_and_history(token, slug)
        policy = resolved_policy(region.code, on)
        context = {
            "region": region,
            "policy": policy,
            "on": on,
            "today": today,
            "date_error": date_error,
            "history": history,
            "revisions": revisions,
            "current_versions": {v.pk for v in policy.versions},
        }
        return Fragment(_fragment("detail", context), name=region.name)

    # A date that does not parse is echoed in the warning: that page is not kept.
    return _page(request, "detail", (slug, on, today), build, cache=not date_error)


def _requested_slugs(request) -> list[str]:
    slugs = []
    for value in request.GET.getlist("cities"):
        for part in value.split(","):
            part = part.strip().lower()
            if part and part not in slugs:
                slugs.append(part)
    return slugs


@require_GET
@viewer_page  # a signed-in resident's whole page (config.pagecache); visitors get the fragment
def compare(request):
    slugs = _requested_slugs(request)
    on = timezone.localdate()

    def build(token):
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
        context = {
            "columns": columns,
            "errors": errors,
            "on": on,
            "groups": groups,
            "national": national,
            "selected": slugs,
            "max_compare": MAX_COMPARE,
        }
        return Fragment(_fragment("compare", context), status=400 if errors else 200)

    # Only a page that can be asked for again is kept (up to MAX_COMPARE cities; more are refused anyway).
    return _page(request, "compare", (tuple(slugs), on), build, cache=len(slugs) <= MAX_COMPARE)


@require_GET
@viewer_page  # a signed-in resident's whole page (config.pagecache); visitors get the fragment
def guide(request):
    on = timezone.localdate()
    selected = request.GET.get("region", "").strip()[:50]

    def build(token):
        national, groups = regions_grouped()
        cities = [city for group in groups for city in group.cities]
        policies = resolved_policies([city.code for city in cities], on)
        sections = [(city, policies[city.code]) for city in cities]
        return Fragment(_fragment("guide", {"sections": sections, "on": on, "selected": selected}))

    return _page(request, "guide", (selected, on), build)
