"""gunicorn settings for the production profile: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Sync workers behind nginx: nginx buffers slow clients and uploads (proxy_request_buffering), so a worker is
only busy for the time Django needs, and one worker holds one persistent PostgreSQL connection
(CONN_MAX_AGE). Every value can be changed through the environment; GUNICORN_CMD_ARGS works as well.
"""

import multiprocessing
import os

import gunicorn.http.wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual 2 x cores + 1. Mind PostgreSQL's max_connections: workers x machines must stay below it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request taking longer than this is stuck (the slowest legitimate one, a 10 MB photo, takes about 1 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak in a library can never grow without bound. Not too often: a
# fresh worker's first requests are slow (new database and Redis connections, templates compiled again).
# 0 turns recycling off (the benchmark measures the steady state).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
# Load Django once in the master; workers fork with it already imported (faster start, shared pages).
preload_app = True
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Trust X-Forwarded-* only from nginx on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Request limits beyond nginx's own: a request line or headers this large are not ours.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# No control socket in the home directory: several instances (serve-prod, bench) would fight over it.
control_socket_disable = True

# `Server: gunicorn` names the software to anyone scanning for a vulnerable version; gunicorn has no setting
# for it. Every response (HTTP/1 and HTTP/2) takes the header from this module global when it is built, so
# setting it here, in the master before the workers fork, replaces it everywhere. Behind nginx the header the
# client sees is nginx's own (server_tokens off: no version). Pinned by tests/security/test_http_hardening.py
# against a real gunicorn, so an upgrade that moves the value is noticed.
SERVER_HEADER = "hall"
gunicorn.http.wsgi.SERVER = SERVER_HEADER

# Logs go to stdout/stderr (systemd or the container runtime collects them). The access log omits the
# query string (an admin search carries a full ID number in ?q=) and every record passes through the same
# filter as Django's: ID and mobile numbers masked, control characters escaped. %(U)s is the *decoded* path,
# so without the filter `GET /x%0a2026-12-01 00:00:00,000 INFO ...` would write a second, forged line.
_access = os.environ.get("GUNICORN_ACCESSLOG", "-")  # empty: no access log (the benchmark)
accesslog = _access or None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(a)s"'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "config.logfilters.SafeLogRecords"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["error_console"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error_console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {
            "handlers": ["access_console"],
            "level": "INFO" if _access else "WARNING",
            "propagate": False,
        },
    },
}
