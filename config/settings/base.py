"""Settings shared by every profile.

Every value that differs between machines is read here, once, through django-environ.
The profile modules (local, test, production) only change what they must.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies whose X-Real-IP header names the client (config.middleware.RealClientIpMiddleware).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "accounts",
    "policies",
    "bindings",
]

MIDDLEWARE = [
    # First: a load balancer's probe is answered before sessions, hosts or HTTPS redirects come into it.
    "config.middleware.HealthCheckMiddleware",
    "config.middleware.RealClientIpMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.ElderModeMiddleware",
    # A database, Redis or object store that cannot be reached answers the friendly 503 page, not a 500.
    "config.middleware.ServiceUnavailableMiddleware",
    # Axes must be last: it turns a locked-out authenticate() into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.hall",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so that a locked-out identifier never reaches the real backends.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.IdentifierPasswordBackend",
    "accounts.backends.SmsCodeBackend",
    "accounts.backends.FaceVerificationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# Uploaded kinship proof is private: it lives outside any served directory and is
# only ever streamed through a permission-checked view.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://hall")}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 2
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Only the face sign-in uses a device, and only from our own pages.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"

# Content Security Policy (django-csp), the same in every profile so that development and the browser tests
# meet it too. No inline script anywhere: behaviour lives in static/js/. Inline *styles* stay allowed: Django
# admin's change list emits a <style> block, the receipt sets its @page size inline, and a style cannot run
# code; 'unsafe-inline' for styles is what's left of an attribute-injection, not a script-injection, risk.
# data: images are Bootstrap's own SVG icons in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# django-axes: lock an identifier after repeated failed sign-ins, whatever the method.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per identifier, not per IP: many residents share one address (carrier NAT, a counter PC).
# Per-IP limits apply to SMS sending instead (accounts.sms).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False

# Simulated SMS gateway.
SMS_CODE_TTL = timedelta(minutes=5)
SMS_CODE_MAX_ATTEMPTS = 5
SMS_RESEND_INTERVAL = timedelta(seconds=60)
SMS_MAX_PER_PHONE_PER_HOUR = env.int("SMS_MAX_PER_PHONE_PER_HOUR", default=5)
SMS_MAX_PER_IP_PER_HOUR = env.int("SMS_MAX_PER_IP_PER_HOUR", default=20)

# Simulated face check: the verifier is pluggable; the default accepts any decodable
# photo of sensible size for an existing account and keeps no image.
FACE_VERIFIER = env("FACE_VERIFIER", default="accounts.face.SimulatedFaceVerifier")
FACE_CHALLENGE_TTL = timedelta(seconds=env.int("FACE_CHALLENGE_SECONDS", default=90))
FACE_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FACE_MIN_SIDE = 120
FACE_MAX_PIXELS = 16_000_000

# Clerks' queue: an application waiting longer than this many working days is highlighted.
REVIEW_WORKING_DAYS = env.int("REVIEW_WORKING_DAYS", default=3)

DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Proof documents: with a path prefix set here (e.g. "/_private_documents/"), the document view checks the
# permission, logs the access and answers with X-Accel-Redirect so that nginx sends the file from
# PRIVATE_MEDIA_ROOT (an `internal` location: see deploy/nginx.conf.example). Filesystem storage only;
# documents in object storage are always streamed through the view.
DOCUMENT_X_ACCEL_REDIRECT = env("DOCUMENT_X_ACCEL_REDIRECT", default="")

# Every handler masks ID and mobile numbers (config.logfilters), so no record writes a full one whatever
# logger it comes from. Django's own loggers are routed here too instead of to its default handlers, which
# would bypass the filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_numbers": {"()": "config.logfilters.MaskPersonalNumbers"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_numbers"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}
