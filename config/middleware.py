"""The hall's own middleware: the health probe, the outage page and the Permissions-Policy header."""

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

    Placed first, so the probe reports which dependency is down instead of failing on the first one the
    request happens to touch, and so that a plain-HTTP probe from the load balancer is not redirected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from .views import healthz

            return healthz(request)
        return self.get_response(request)


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
