"""The hall's URLs plus /bench/bare/: the cheapest page an authenticated request can get.

/bench/chrome/ is base.html with an empty content block: the cost every resident page pays on top of bare.
/bench/policy-write/ is the scale-out phase's policy write (superuser only, POST).

Same middleware, same session backend (cached_db on Redis), same sign-in check; no template, no query of
its own. Every page's throughput in BENCHMARKS.md is also given as a ratio to this one. The URL exists only
under bench.settings, never in the production URLconf.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@login_required
def bare(request):
    return HttpResponse(f"<!doctype html><title>bare</title><p>{request.user.pk}</p>")


_CHROME = None


@login_required
def chrome(request):
    """base.html with an empty content block: what every resident page pays for the header, banners and footer."""
    global _CHROME
    if _CHROME is None:
        from django.template import engines

        _CHROME = engines["django"].from_string('{% extends "base.html" %}')
    return HttpResponse(_CHROME.render({}, request))


@require_POST
@login_required
def policy_write(request):
    """The scale-out check (bench/scaleout.py): a superuser's write to one policy row, as the policy admin saves it
    (the row, then policies.cache.policies_changed() unless ?bump=0), made through this instance."""
    from policies.cache import policies_changed
    from policies.models import PolicyVersion

    if not request.user.is_superuser:
        raise PermissionDenied
    limit = int(request.POST["at_once_limit"]) if request.POST.get("at_once_limit") else None
    with transaction.atomic():
        versions = PolicyVersion.objects.filter(region__code=request.POST["region"], effective_to__isnull=True)
        version = versions.order_by("-id").first()
        version.at_once_limit = limit
        version.save(update_fields=["at_once_limit"])
        if request.POST.get("bump", "1") == "1":
            policies_changed()
    return HttpResponse(f"{version.pk}")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/chrome/", chrome, name="bench_chrome"),
    path("bench/policy-write/", policy_write, name="bench_policy_write"),
    path("", include("config.urls")),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
