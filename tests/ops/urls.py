"""The hall's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path
from redis.exceptions import ConnectionError as RedisConnectionError


def bug(request):
    raise ValueError("a bug, not an outage")


def forbidden(request):
    raise PermissionDenied


def redis_gone(request):
    raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


urlpatterns = [
    path("fail/bug/", bug),
    path("fail/forbidden/", forbidden),
    path("fail/redis/", redis_gone),
    path("", include("config.urls")),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
