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
    # First the middleware that only add response headers, so every response carries them: the health probe,
    # the 413 page, static files, the pages. SecurityMiddleware's HTTPS redirect spares /healthz
    # (SECURE_REDIRECT_EXEMPT below): the load balancer probes over plain HTTP.
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Then the probe, answered before sessions, hosts or the signed-in user come into it.
    "config.middleware.HealthCheckMiddleware",
    # Before anything reads the body (CSRF, the upload parser): an oversized one is refused unread.
    "config.middleware.RequestBodyLimitMiddleware",
    "config.middleware.RealClientIpMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sessions, the signed-in user and messages: whom a resident is acting for (guardian, proxy).
    "accounts.middleware.ActingMiddleware",
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
# The load balancer's health probe speaks plain HTTP; every other request is redirected to HTTPS in production.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Only the face sign-in uses a device, and only from our own pages.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"

# Content Security Policy (django-csp), the same in every profile so that development and the browser tests
# meet it too. No inline script and no inline style anywhere, admin included: behaviour lives in static/js/,
# looks in static/css/ (the receipt's @page sizes too). Without 'unsafe-inline' for styles, injected markup
# cannot restyle a page (a fake notice laid over the real one) or read attribute values out through CSS
# selectors. Scripts may still set element.style (CSSOM is not covered by style-src). Django admin 5.2 has a
# single inline <style>, in change_list.html only when a ModelAdmin turns off both action bars (none here:
# tests/security/test_csp_styles.py pins it); it is cosmetic, so no admin-only relaxation is needed.
# Django's own DEBUG error pages are exempt in django-csp. data: images are Bootstrap's SVG icons in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# django-axes: lock the ACCOUNT after repeated failed sign-ins, whatever identifier was typed (phone, ID number,
# full-width or not) and whatever the method (password, SMS, face): accounts.lockout. Counted in the database
# (AccessAttempt rows) in every profile, so a Redis restart forgets no lockout.
AXES_HANDLER = "accounts.lockout.HallLockoutHandler"
AXES_USERNAME_CALLABLE = "accounts.lockout.account_key"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Axes counts per account only: its one limit would lock a whole shared address (carrier NAT, the counter PC)
# after five failures. The handler adds a separate, much higher sliding-hour limit per address (axes.W006 is
# about the missing per-address count, which is there).
AXES_LOCKOUT_PARAMETERS = ["username"]
LOGIN_MAX_FAILURES_PER_IP_PER_HOUR = env.int("LOGIN_MAX_FAILURES_PER_IP_PER_HOUR", default=50)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# AccessAttempt keeps the request's GET and POST data: the identifiers and codes typed are masked there too.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "identifier", "phone", "sms_code", "csrfmiddlewaretoken"]
# No AccessLog row per successful sign-in (address, browser, forever): the cache handler never wrote one either,
# and a sign-in history would need its own retention rule.
AXES_DISABLE_ACCESS_LOG = True

# Demo devices (accounts.devices): the simulated SMS outbox and face verifier below. Allowed in `local` and `test`;
# production refuses to start with them (system checks accounts.E001/E002) unless HALL_DEMO_DEVICES=true, and then
# every page says 演示环境. Never with real personal data.
HALL_DEMO_DEVICES = env.bool("HALL_DEMO_DEVICES", default=False)

# SMS: the gateway is pluggable (accounts.sms_gateways.SmsGateway); the default is the demo outbox.
SMS_GATEWAY = env("SMS_GATEWAY", default="accounts.sms_gateways.OutboxGateway")
SMS_CODE_TTL = timedelta(minutes=5)
SMS_CODE_MAX_ATTEMPTS = 5
SMS_RESEND_INTERVAL = timedelta(seconds=60)
SMS_MAX_PER_PHONE_PER_HOUR = env.int("SMS_MAX_PER_PHONE_PER_HOUR", default=5)
SMS_MAX_PER_IP_PER_HOUR = env.int("SMS_MAX_PER_IP_PER_HOUR", default=20)

# Face check: the verifier is pluggable (accounts.face.IdentityVerifier); the default is a demo device that
# accepts any decodable photo of sensible size for an existing account. No verifier keeps the image.
FACE_VERIFIER = env("FACE_VERIFIER", default="accounts.face.SimulatedFaceVerifier")
FACE_CHALLENGE_TTL = timedelta(seconds=env.int("FACE_CHALLENGE_SECONDS", default=90))
FACE_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FACE_MIN_SIDE = 120
FACE_MAX_PIXELS = 16_000_000
# A fresh SMS or face check before granting a proxy online is good for this long, once (bindings.delegation.stepup).
STEP_UP_MAX_AGE = timedelta(minutes=10)

# Clerks' queue: an application waiting longer than this many working days is highlighted.
REVIEW_WORKING_DAYS = env.int("REVIEW_WORKING_DAYS", default=3)

DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# The largest body any page may send: one proof document (DOCUMENT_MAX_BYTES, 10 MiB) with its multipart
# envelope and form fields, the same as nginx's client_max_body_size. A larger declared Content-Length gets
# the 413 page before the body is read (config.middleware.RequestBodyLimitMiddleware).
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=12 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Proof documents: with a path prefix set here (e.g. "/_private_documents/"), the document view checks the
# permission, logs the access and answers with X-Accel-Redirect so that nginx sends the file from
# PRIVATE_MEDIA_ROOT (an `internal` location: see deploy/nginx.conf.example). Filesystem storage only;
# documents in object storage are always streamed through the view.
DOCUMENT_X_ACCEL_REDIRECT = env("DOCUMENT_X_ACCEL_REDIRECT", default="")

# Every handler masks ID and mobile numbers and escapes control characters (config.logfilters.SafeLogRecords),
# so no record writes a full number and none can forge another record's line (a newline in a URL or a
# clerk's note is written as \n), whatever logger it comes from. Django's own loggers are routed here too
# instead of to its default handlers, which would bypass the filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_numbers": {"()": "config.logfilters.SafeLogRecords"}},
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
