"""The production profile: check --deploy, the backends it chooses, and the error pages as production renders them."""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.ops.test_faults import database_down

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-production-key-for-tests-only-" + "x7Qm2Lp9Zr4Tb8Nc6Vd1Hf3Jk5Ws0Ye",
    "ALLOWED_HOSTS": "hall.example.org",
    "DATABASE_URL": "postgres://hall@127.0.0.1:5432/hall",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    # The demo SMS outbox and face verifier, allowed explicitly as `make serve-prod` does; without it the profile
    # refuses to start (tests/security/test_demo_devices.py).
    "HALL_DEMO_DEVICES": "true",
}


def run_production(code_or_args, extra_env=None, drop=()):
    """Run manage.py (a list) or a snippet (a string, after django.setup()) under the production profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))}
    env.update(PRODUCTION_ENV)
    env.update(extra_env or {})
    for name in drop:
        env.pop(name, None)
    if isinstance(code_or_args, list):
        args = [sys.executable, "manage.py", *code_or_args]
    else:
        args = [sys.executable, "-c", "import django; django.setup()\n" + code_or_args]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def production_settings(extra_env=None) -> dict:
    """The settings a production process ends up with (read once per environment: a process start is slow)."""
    return _production_settings(tuple(sorted((extra_env or {}).items())))


@functools.cache
def _production_settings(extra_env: tuple) -> dict:
    snippet = """
import json
from django.conf import settings as s
from django.core.files.storage import storages
db = s.DATABASES["default"]
opts = s.STORAGES["default"].get("OPTIONS", {})
print(json.dumps({
    "debug": s.DEBUG,
    "engine": db["ENGINE"], "conn_max_age": db["CONN_MAX_AGE"], "health_checks": db["CONN_HEALTH_CHECKS"],
    "connect_timeout": db.get("OPTIONS", {}).get("connect_timeout"),
    "cache": s.CACHES["default"]["BACKEND"], "cache_location": s.CACHES["default"]["LOCATION"],
    "sessions": s.SESSION_ENGINE, "axes_handler": s.AXES_HANDLER,
    "static": s.STORAGES["staticfiles"]["BACKEND"], "documents": s.STORAGES["default"]["BACKEND"],
    "default_acl": opts.get("default_acl", "unset"), "querystring_auth": opts.get("querystring_auth"),
    "custom_domain": opts.get("custom_domain"), "bucket": opts.get("bucket_name"),
    "csp": s.CONTENT_SECURITY_POLICY["DIRECTIVES"], "middleware": s.MIDDLEWARE,
    "log_filters": {name: h.get("filters") for name, h in s.LOGGING["handlers"].items()},
}))
"""
    result = run_production(snippet, dict(extra_env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean():
    result = run_production(["check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_with_object_storage():
    result = run_production(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {"DOCUMENT_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "hall-documents"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"])
def test_a_missing_secret_or_address_stops_start_up(missing):
    result = run_production(["check"], drop=[missing])
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


def test_backends():
    s = production_settings()
    assert s["debug"] is False
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["conn_max_age"] > 0 and s["health_checks"] is True and s["connect_timeout"]
    assert s["cache"] == "config.cache.HallRedisCache"  # Django's RedisCache reusing its client (config/cache.py)
    assert s["cache_location"] == PRODUCTION_ENV["REDIS_URL"]
    assert s["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert s["axes_handler"] == "accounts.lockout.HallLockoutHandler"  # lockouts in PostgreSQL, not Redis
    assert s["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert s["documents"] == "django.core.files.storage.FileSystemStorage"
    # The probe is answered before sessions, with the security headers every page carries.
    order = s["middleware"].index
    health = order("config.middleware.HealthCheckMiddleware")
    assert order("django.middleware.security.SecurityMiddleware") < health
    assert order("django.middleware.clickjacking.XFrameOptionsMiddleware") < health
    assert health < order("django.contrib.sessions.middleware.SessionMiddleware")
    assert "config.middleware.ServiceUnavailableMiddleware" in s["middleware"]
    assert "csp.middleware.CSPMiddleware" in s["middleware"]
    assert all("mask_personal_numbers" in (filters or []) for filters in s["log_filters"].values())


def test_object_storage_is_private():
    s = production_settings({"DOCUMENT_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "hall-documents"})
    assert s["documents"] == "storages.backends.s3.S3Storage"
    assert s["bucket"] == "hall-documents"
    assert s["default_acl"] is None  # no ACL sent: never public-read
    assert s["querystring_auth"] is True  # never an unsigned URL
    assert s["custom_domain"] is None


def test_no_inline_script_is_allowed():
    csp = production_settings()["csp"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]


# --- Error pages as production renders them: DEBUG off, hashed static files from the manifest ------------------


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    storages = {"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    from django.conf import settings

    with override_settings(STATIC_ROOT=root, STORAGES={**settings.STORAGES, **storages}):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root, storages


@pytest.fixture
def production_mode(settings, collected_static):
    root, storages = collected_static
    settings.DEBUG = False
    settings.STATIC_ROOT = root
    settings.STORAGES = {**settings.STORAGES, **storages}
    settings.ROOT_URLCONF = "tests.ops.urls"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/no-such-page/", 404, "没有找到您要的页面"),
        ("/fail/forbidden/", 403, "您没有权限访问该页面"),
        ("/fail/bug/", 500, "系统繁忙，请稍后再试"),
        ("/fail/redis/", 503, "服务暂时不可用，请稍后再试"),
    ],
)
def test_error_pages_in_the_halls_style(client, production_mode, path, status, text):
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == status
    page = response.content.decode()
    assert text in page
    assert "医保网上服务大厅" in page and "12393" in page
    assert "/static/css/hall." in page  # the hashed name from the manifest: the hall's stylesheet
    assert "Traceback" not in page


@pytest.mark.django_db
def test_the_500_page_needs_no_database(client, production_mode, django_assert_num_queries):
    client.raise_request_exception = False
    with database_down(), django_assert_num_queries(0):
        response = client.get("/fail/bug/")
    assert response.status_code == 500
    assert "系统繁忙" in response.content.decode()
