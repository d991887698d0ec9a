"""The hall's own middleware: the health probe, the request-body cap, the outage page and Permissions-Policy."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError

logger = logging.getLogger("hall.outage")


def _outage_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "a service we depend on cannot be reached", not "our code is wrong"."""
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # redis is only needed where the cache is Redis
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    try:
        from botocore.exceptions import ConnectionError as S3ConnectionError
        from botocore.exceptions import ReadTimeoutError as S3ReadTimeoutError
    except ImportError:  # boto3 is only needed where documents are in object storage
        pass
    else:
        errors += [S3ConnectionError, S3ReadTimeoutError]
    return tuple(errors)


OUTAGE_ERRORS = _outage_errors()


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


class HealthCheckMiddleware:
    """Answer /healthz before anything that needs the database or the cache (sessions, the signed-in user).

    Placed right after the middleware that only add response headers (security headers, CSP,
    Permissions-Policy, X-Frame-Options), so the probe carries the same headers as every page, and before
    everything else, so it reports which dependency is down instead of failing on the first one the request
    happens to touch. A plain-HTTP probe from the load balancer is not redirected: SECURE_REDIRECT_EXEMPT.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from .views import healthz

            return healthz(request)
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than settings.MAX_REQUEST_BODY_BYTES before anything reads it.

    Django reads a body only when something asks for it (request.POST, request.FILES, request.body), but
    then a multipart upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE is written to a temporary file in full
    before any form can say it is too large. The declared Content-Length is checked here instead, ahead of
    the CSRF check and the views, and answered with the 413 page. A body sent without a Content-Length
    (Transfer-Encoding: chunked) is refused with 411: Django would not read it at all (it reads
    Content-Length bytes, none without one), so the request could only fail later and more obscurely; nginx
    always forwards a Content-Length (it buffers the body), so only a client bypassing it is affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = int(getattr(settings, "MAX_REQUEST_BODY_BYTES", 0))

    def __call__(self, request):
        if request.META.get("HTTP_TRANSFER_ENCODING") and not request.META.get("CONTENT_LENGTH"):
            from .views import length_required

            return length_required(request)
        if self.limit and _declared_length(request) > self.limit:
            from .views import request_too_large

            return request_too_large(request)
        return self.get_response(request)


def _declared_length(request) -> int:
    """The Content-Length as Django reads it: a missing or malformed one counts as no body."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RealClientIpMiddleware:
    """Behind nginx every request comes from 127.0.0.1: take the resident's address from nginx's X-Real-IP.

    Only when the direct peer is one of settings.TRUSTED_PROXY_IPS (empty by default: the header is then
    ignored, since anyone can send it). The per-address SMS limit and the audit trail read REMOTE_ADDR.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = frozenset(getattr(settings, "TRUSTED_PROXY_IPS", ()))

    def __call__(self, request):
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real and request.META.get("REMOTE_ADDR") in self.trusted:
            request.META["REMOTE_ADDR"] = real
        return self.get_response(request)


class ServiceUnavailableMiddleware:
    """A view that fails because PostgreSQL, Redis or the object store is unreachable answers 503.

    The service's transaction has rolled back by the time we get here, so nothing half-written is kept,
    and nothing committed earlier is touched. Failures outside views (the session or the signed-in user
    being loaded by another middleware) reach handler500, which makes the same decision
    (config.views.server_error).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_outage(exception):
            return None
        logger.error("Dependency unavailable on %s %s", request.method, request.path, exc_info=exception)
        from .views import service_unavailable

        return service_unavailable(request)


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY (Django has no setting for this header)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response
