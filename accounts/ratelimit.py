"""Sliding-hour counters and resend intervals in the database (accounts.models.RateBucket).

SMS sends (accounts.sms) and failed sign-ins per network address (accounts.lockout) are counted here rather
than in Redis. A limit kept in Redis is forgotten when Redis restarts unless it runs with an append-only file,
an operations setting the application cannot check; the database is already the store that must survive, every
worker on every machine shares it, and the writes are few (one row update per code sent or sign-in failed).

A count is kept in one-minute windows, one row per (key, window), each taken from the request's time (never the
database's clock, so tests can move time with time-machine). An event is counted first, by one statement that
inserts the window or adds one to it and returns the new count (INSERT ... ON CONFLICT DO UPDATE ... RETURNING,
on PostgreSQL and SQLite alike); then the windows before it in the hour are added. Requests that race for the
same window are ordered by its row lock and each get their own number, so exactly as many pass as the limit
allows. The hour counted is never shorter than an hour (it may be up to a minute longer).

Keys are keyed hashes (bucket_key): no phone number or address is stored in clear. Expired rows are swept a
few hundred at a time whenever a key opens a new window, which is often enough to keep the table small and
costs one indexed DELETE; a sweep skips rows another transaction holds, so two sweeps never wait on each other.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F, Sum
from django.utils.crypto import salted_hmac

from .models import RateBucket

WINDOW_SECONDS = 60
WINDOWS_PER_HOUR = 60
KEEP = timedelta(hours=2)  # a window's row outlives the hour that counts it
SWEEP_BATCH = 500
MARK_WINDOW = 0  # the window number of a resend-interval mark (a real window is a minute since 1970)


def bucket_key(kind: str, value: str) -> str:
    """The stored key for `value` counted as `kind`: a keyed hash, never the phone number or address itself."""
    return f"{kind}:{salted_hmac('accounts.ratelimit', value).hexdigest()[:40]}"


@dataclass(frozen=True)
class Hit:
    key: str
    window: int
    total: int  # events in the last hour, this one included


def _window(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def _sql(template: str) -> str:
    q = connection.ops.quote_name
    fields = ("id", "key", "window", "count", "expires_at")
    names = {name: q(RateBucket._meta.get_field(name).column) for name in fields}
    return template.format(table=q(RateBucket._meta.db_table), **names)


def _db_time(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def hit(key: str, *, now: datetime) -> Hit:
    """Count one event at `now` and return it with the events of the hour it closes."""
    window = _window(now)
    expires = datetime.fromtimestamp(window * WINDOW_SECONDS, tz=now.tzinfo) + KEEP
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(
                "INSERT INTO {table} ({key}, {window}, {count}, {expires_at}) VALUES (%s, %s, 1, %s) "
                "ON CONFLICT ({key}, {window}) DO UPDATE SET {count} = {table}.{count} + 1 "
                "RETURNING {count}"
            ),
            [key, window, _db_time(expires)],
        )
        current = cursor.fetchone()[0]
    if current == 1:
        sweep(now=now)
    earlier = RateBucket.objects.filter(key=key, window__gte=window - WINDOWS_PER_HOUR, window__lt=window)
    return Hit(key, window, current + (earlier.aggregate(n=Sum("count"))["n"] or 0))


def take_back(hit: Hit) -> None:
    """Uncount an event that was refused after all (a refused request does not use up the limit)."""
    RateBucket.objects.filter(key=hit.key, window=hit.window, count__gt=0).update(count=F("count") - 1)


def count(key: str, *, now: datetime) -> int:
    """The events of the last hour, without counting one."""
    window = _window(now)
    rows = RateBucket.objects.filter(key=key, window__gte=window - WINDOWS_PER_HOUR, window__lte=window)
    return rows.aggregate(n=Sum("count"))["n"] or 0


def interval_start(key: str, *, now: datetime, interval: timedelta) -> datetime | None:
    """Start an interval for `key` unless one is still running: None when started, else when the running one ends.

    One statement inserts the mark or moves its end forward only if it has passed, so of two racing requests
    exactly one starts the interval.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(
                "INSERT INTO {table} ({key}, {window}, {count}, {expires_at}) VALUES (%s, %s, 1, %s) "
                "ON CONFLICT ({key}, {window}) DO UPDATE SET {count} = {table}.{count} + 1, "
                "{expires_at} = excluded.{expires_at} WHERE {table}.{expires_at} <= %s "
                "RETURNING {count}"
            ),
            [key, MARK_WINDOW, _db_time(now + interval), _db_time(now)],
        )
        if cursor.fetchone() is not None:
            return None
    return RateBucket.objects.filter(key=key, window=MARK_WINDOW).values_list("expires_at", flat=True).first() or now


def interval_end(key: str) -> datetime | None:
    """When the last interval started for `key` ends (it may be over already); None if none was started."""
    return RateBucket.objects.filter(key=key, window=MARK_WINDOW).values_list("expires_at", flat=True).first()


def interval_cancel(key: str) -> None:
    """Forget the interval started by a request that was then refused: it does not make the next one wait."""
    RateBucket.objects.filter(key=key, window=MARK_WINDOW).delete()


def sweep(*, now: datetime) -> int:
    """Delete up to SWEEP_BATCH expired rows, skipping rows another transaction holds."""
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(
                "DELETE FROM {table} WHERE {id} IN "
                f"(SELECT {{id}} FROM {{table}} WHERE {{expires_at}} < %s LIMIT {SWEEP_BATCH}{lock})"
            ),
            [_db_time(now)],
        )
        return cursor.rowcount
