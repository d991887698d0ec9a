import logging
import sys
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from bindings.standing import resident_standing

from .middleware import is_outage
from .pagecache import viewer_page
from .tiles import TILES

logger = logging.getLogger("hall.healthz")
http_logger = logging.getLogger("hall.http")


@viewer_page
def home(request):
    """The hall's front page: for a signed-in resident, where he stands first (bindings.standing), then the tiles."""
    context = {"tiles": TILES}
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    if person is not None:
        context["standing"] = resident_standing(person, timezone.localdate())
    return render(request, "home.html", context)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    token = uuid.uuid4().hex
    cache.set("healthz", token, 10)
    if cache.get("healthz") != token:
        raise RuntimeError("cache did not return what was written")


def _storage() -> None:
    """Object storage: the bucket answers to our credentials (no object is read or written)."""
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:
        default_storage.connection.meta.client.head_bucket(Bucket=bucket)
    else:
        default_storage.listdir("")


def healthz(request):
    """For load balancers and monitoring: 200 when every dependency answers, else 503 naming the one down.

    Reached through config.middleware.HealthCheckMiddleware before sessions and the signed-in user are
    loaded, so a dead database or Redis does not hide the other's state.
    """
    probes = {"database": _database, "cache": _cache}
    if not isinstance(default_storage, FileSystemStorage):
        probes["storage"] = _storage
    checks = {}
    for name, probe in probes.items():
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "down"
            logger.warning("healthz: %s down: %r", name, exc)
            checks[name] = f"down: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503
    )
    add_never_cache_headers(response)
    return response


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def service_unavailable(request=None):
    """The outage page. Rendered without the request: no session, no user, no database, no cache."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    add_never_cache_headers(response)
    return response


def request_too_large(request=None):
    """413 for a body over settings.MAX_REQUEST_BODY_BYTES (config.middleware.RequestBodyLimitMiddleware).

    Stands alone like the outage page: rendered without the request, before sessions or CSRF are reached.
    """
    limit = settings.MAX_REQUEST_BODY_BYTES
    if request is not None:
        http_logger.warning(
            "Request body of %s bytes refused (limit %s) on %s %s",
            request.META.get("CONTENT_LENGTH"),
            limit,
            request.method,
            request.path,
        )
    body = loader.render_to_string("413.html", {"limit_mb": limit // (1024 * 1024)})
    response = HttpResponse(body, status=413)
    add_never_cache_headers(response)
    return response


def length_required(request=None):
    """411 for a body without a Content-Length (chunked): Django would not read it (see the middleware)."""
    response = HttpResponse(
        _("请求缺少Content-Length，无法受理。"), status=411, content_type="text/plain; charset=utf-8"
    )
    add_never_cache_headers(response)
    return response


def server_error(request):
    """handler500: an outage (database, Redis, object store) gets the 503 page; anything else the 500 page.

    Neither needs the database: both templates stand alone and are rendered without the request.
    """
    if is_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))
