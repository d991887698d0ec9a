"""Production profile: PostgreSQL, Redis, private object storage, gunicorn behind nginx with TLS.

Secrets and addresses have no default here: a missing one stops start-up. So do the demo devices (the simulated
SMS outbox and face verifier, base.py's defaults): `manage.py check` (and migrate, and check --deploy) fails with
accounts.E001/E002 until SMS_GATEWAY and FACE_VERIFIER name real classes, or HALL_DEMO_DEVICES=true allows the
demo devices for a demonstration with made-up data (every page then shows a 演示环境 banner). `make serve-prod`
and `make bench` set it. With that settled, `check --deploy` passes; the few switches below exist for a trial on
plain HTTP (`make serve-prod`) and weaken it, which check --deploy then says.

Environment (besides base.py's):

======================  ==========================================================================
DATABASE_URL            postgres://user:password@host:5432/name (required)
REDIS_URL               redis://host:6379/0: cache, sessions (cached_db; written through to PostgreSQL)
SECRET_KEY              50+ random characters (required)
ALLOWED_HOSTS           comma-separated (required)
CONN_MAX_AGE            seconds a worker keeps its database connection (60)
DOCUMENT_STORAGE        "filesystem" (PRIVATE_MEDIA_ROOT, default) or "s3"
AWS_STORAGE_BUCKET_NAME bucket for proof documents (required with s3)
AWS_S3_ENDPOINT_URL     S3-compatible endpoint (MinIO, Ceph, OSS, COS...); empty for AWS itself
AWS_S3_REGION_NAME      region; AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the instance's role
AWS_S3_ADDRESSING_STYLE "path" for most self-hosted S3 servers, "virtual" for AWS (auto)
AWS_S3_SSE              server-side encryption for new objects, e.g. "AES256" (off)
SECURE_SSL_REDIRECT     True; False only where TLS ends in front of nginx and it sets X-Forwarded-Proto
SECURE_COOKIES          True; False only for a trial on plain http://127.0.0.1 (make serve-prod)
TRUSTED_PROXY_IPS       peers whose X-Real-IP is believed: empty by default (nobody), set it to nginx's address
                        as gunicorn sees it, e.g. 127.0.0.1,::1 for nginx on the same machine
MAX_REQUEST_BODY_BYTES  largest request body, refused with 413 before it is read (12 MiB, as nginx's)
SMS_GATEWAY             dotted path of the SMS gateway class (accounts.sms_gateways.SmsGateway); demo outbox
FACE_VERIFIER           dotted path of the face verifier class (accounts.face.IdentityVerifier); simulated
HALL_DEMO_DEVICES       true allows the two demo devices above (a demonstration only: never real data); false
======================  ==========================================================================
"""

from config.storage import s3_storage

from .base import *  # noqa: F401,F403
from .base import STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# --- PostgreSQL: one persistent connection per worker, checked before reuse after an idle spell.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"].update(
    ATOMIC_REQUESTS=False,
    CONN_MAX_AGE=env.int("CONN_MAX_AGE", default=60),
    CONN_HEALTH_CHECKS=True,
)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Fail fast (the 503 page) rather than hang a worker when the server is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )

# --- Redis: the shared cache (policies, sessions), so that every worker on every machine sees the same data.
# Nothing that must outlive a Redis restart is kept only here.
REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "config.cache.HallRedisCache",  # Django's RedisCache, one client per pool
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "hall",
        "OPTIONS": {
            # An unreachable Redis must fail a request in well under a second (then the 503 page), not hang it.
            "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("REDIS_TIMEOUT", default=1.0),
        },
    }
}
# Sessions are written through to PostgreSQL: a Redis restart signs nobody out. Sign-in lockouts and SMS limits
# are not in Redis at all but in PostgreSQL (base.py's AXES_HANDLER, accounts.ratelimit).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Proof documents: private in every backend (see config.storage.s3_storage for object storage).
DOCUMENT_STORAGE = env("DOCUMENT_STORAGE", default="filesystem")
if DOCUMENT_STORAGE == "s3":
    STORAGES = {
        **STORAGES,
        "default": s3_storage(
            bucket=env("AWS_STORAGE_BUCKET_NAME"),
            endpoint_url=env("AWS_S3_ENDPOINT_URL", default=None),
            region=env("AWS_S3_REGION_NAME", default=None),
            access_key=env("AWS_ACCESS_KEY_ID", default=None),
            secret_key=env("AWS_SECRET_ACCESS_KEY", default=None),
            addressing_style=env("AWS_S3_ADDRESSING_STYLE", default=None),
            sse=env("AWS_S3_SSE", default=""),
        ),
    }
elif DOCUMENT_STORAGE != "filesystem":
    raise ValueError(f"DOCUMENT_STORAGE must be 'filesystem' or 's3', not {DOCUMENT_STORAGE!r}")

# --- Static files: hashed names, gzip and brotli variants, served by WhiteNoise with far-future caching.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The proxies whose X-Real-IP names the client. Nobody by default: with 127.0.0.1 trusted out of the box, a
# client that reached gunicorn directly (or anything else on the machine) could name any address it liked
# and so dodge the per-address SMS limit and write a false address into the audit trail. A deployment
# behind nginx sets TRUSTED_PROXY_IPS to nginx's address (deploy/nginx.conf.example, make serve-prod).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])

# --- HTTPS and cookies. TLS ends at nginx, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# nginx already refuses larger bodies (client_max_body_size 12m); inside Django the same cap is
# MAX_REQUEST_BODY_BYTES (base.py), checked before the body is read, and the number of fields is capped here.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
