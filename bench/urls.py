"""The hall's URLs plus /bench/bare/: the cheapest page an authenticated request can get.

Same middleware, same session backend (cached_db on Redis), same sign-in check; no template, no query of
its own. Every page's throughput in BENCHMARKS.md is also given as a ratio to this one. The URL exists only
under bench.settings, never in the production URLconf.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def bare(request):
    return HttpResponse(f"<!doctype html><title>bare</title><p>{request.user.pk}</p>")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("config.urls")),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
