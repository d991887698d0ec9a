"""Resident pages kept rendered, per process, under the versions of the people they show.

A signed-in resident's pages (home, 我的共济关系, a binding, the wizard's steps, usage, statement...) change only
when a row about him or the people he shares with changes, when the policy data changes, or when the day turns.
Rebuilding one costs 5-20 ms of queries and templates; serving it again costs a dictionary look-up. So:

- every person has a **page version** in the shared cache (Redis in production: every worker and instance sees
  it). bindings.page_versions bumps the versions of everyone a row concerns whenever an Application, Binding,
  event, document, notice, ledger entry, settlement, premium payment, guardianship, proxy grant, account or
  registry record is written: at once and again when the transaction commits, so a page built from rows read
  before the commit is left under a version already replaced;
- a page opted in with @viewer_page is kept per process under everything its markup depends on: the path and
  query, the signed-in account, whom he acts for and as what, the versions of both people, the policy generation
  token (policies.cache), today, the language, 关怀模式 and the session's content (step-up proofs, pending
  requests); a new version or token makes every old entry unreachable, and entries end after MAX_AGE anyway;
- the CSRF token is not kept: the stored page carries a placeholder, and each response gets the token of its own
  request (get_token, as {% csrf_token %} does);
- nothing is kept when the page showed a message (messages are shown once), when it is not a 200 HTML page, for
  visitors and staff, or when the cache cannot be reached (then every request builds the page, as before).

Pages are kept in the worker's memory, not in Redis: no rendered personal page is written to another store
(PIPL), and a hit costs no transfer. The bound is by size; the oldest entries go first.
"""

import hashlib
import logging
import re
import time
import uuid
from collections import OrderedDict
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from policies.cache import GENERATION_KEY, generation

logger = logging.getLogger("hall.pagecache")

VERSION_PREFIX = "pagever:"
VERSION_TTL = 60 * 60 * 24  # a person nobody viewed for a day gets a new version (a miss) on his next page
MAX_AGE = 300  # seconds: an entry is rebuilt after this even when no version changed
MAX_BYTES = 48 * 1024 * 1024  # per worker
CSRF_PLACEHOLDER = "@@hall-csrf-token@@"
# What {% csrf_token %} writes: the masked token is 64 letters and digits.
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')

_pages: OrderedDict = OrderedDict()
_size = 0
enabled = True  # tests of the uncached path switch it off with the `uncached_pages` fixture


def clear() -> None:
    global _size
    _pages.clear()
    _size = 0


# -- versions ----------------------------------------------------------------------------------------------------


def _version_key(person_id) -> str:
    return f"{VERSION_PREFIX}{person_id}"


def _bump(person_ids) -> None:
    try:
        cache.set_many({_version_key(pk): uuid.uuid4().hex for pk in person_ids}, VERSION_TTL)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the write; pages are not cached then either
        # This worker forgets its pages; another worker's pages of these people end with MAX_AGE at the latest.
        clear()
        logger.warning("page cache unavailable; could not mark pages of %s as changed", sorted(person_ids))


def people_changed(*person_ids) -> None:
    """Pages showing these people are out of date: now, and again when the current transaction commits."""
    ids = {pk for pk in person_ids if pk}
    if not ids:
        return
    _bump(ids)
    transaction.on_commit(lambda: _bump(ids))


def _versions(person_ids: tuple) -> tuple | None:
    """The policy token and each person's version, in one round trip; None when the cache cannot be reached."""
    keys = [GENERATION_KEY, *(_version_key(pk) for pk in person_ids)]
    try:
        found = cache.get_many(keys)
        missing = {k: uuid.uuid4().hex for k in keys[1:] if k not in found}
        if missing:
            for key, value in missing.items():
                cache.add(key, value, VERSION_TTL)
            found.update(cache.get_many(list(missing)))
        token = found.get(GENERATION_KEY) or generation()
        if token is None or any(k not in found for k in keys[1:]):
            return None
        return (token, *(found[k] for k in keys[1:]))
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable; building the page")
        return None


# -- the page store ----------------------------------------------------------------------------------------------


def _session_digest(session) -> str:
    """What the session holds (step-up proofs, pending requests, whom he acts for...), as a short digest."""
    try:
        items = sorted(session.items())
    except Exception:  # noqa: BLE001 - an unreadable session: the page is built, not cached
        return ""
    return hashlib.blake2b(repr(items).encode(), digest_size=12).hexdigest()


def _key(request, vary):
    user = request.user
    if not user.is_authenticated or user.is_staff or not getattr(user, "person_id", None):
        return None
    acting = getattr(request, "acting", None)
    agent_person = acting.agent.person_id if acting is not None else user.person_id
    people = (user.person_id, agent_person) if agent_person != user.person_id else (user.person_id,)
    versions = _versions(people)
    if versions is None:
        return None
    extra = vary(request) if vary is not None else ""
    if extra is None:
        return None
    return (
        request.get_full_path(),
        user.pk,
        acting.kind if acting is not None else "",
        people,
        versions,
        timezone.localdate().isoformat(),
        translation.get_language(),
        bool(getattr(request, "elder_mode", False)),
        _session_digest(request.session),
        extra,
    )


def _get(key):
    entry = _pages.get(key)
    if entry is None:
        return None
    if entry[0] < time.monotonic():
        _drop(key)
        return None
    _pages.move_to_end(key)
    return entry


def _drop(key) -> None:
    global _size
    entry = _pages.pop(key, None)
    if entry is not None:
        _size -= len(entry[1])


def _put(key, body: str, content_type: str) -> None:
    global _size
    _drop(key)
    _pages[key] = (time.monotonic() + MAX_AGE, body, content_type)
    _size += len(body)
    while _size > MAX_BYTES and _pages:
        _drop(next(iter(_pages)))


def _has_messages(request) -> bool:
    storage = get_messages(request)
    return bool(getattr(storage, "_queued_messages", None)) or bool(storage._loaded_messages)


def viewer_page(view=None, *, vary=None):
    """Keep a resident page's GET response (see the module's docstring). `vary(request)` adds to the key what
    else the page shows, or returns None when this response must not be kept (a step-up proof that will expire
    while the session stays the same)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not enabled or request.method != "GET":
                return view(request, *args, **kwargs)
            key = _key(request, vary)
            if key is None or _has_messages(request):
                return view(request, *args, **kwargs)
            entry = _get(key)
            if entry is not None:
                response = HttpResponse(entry[1].replace(CSRF_PLACEHOLDER, get_token(request)), content_type=entry[2])
                response.viewer_page_hit = True  # for tests and the benchmark's profile
                return response
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and response.get("Content-Type", "").startswith("text/html")
                and not _has_messages(request)
                and not response.cookies
            ):
                body = response.content.decode(response.charset)
                _put(key, _CSRF_INPUT.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", body), response["Content-Type"])
            return response

        return wrapped

    return decorate(view) if view is not None else decorate
