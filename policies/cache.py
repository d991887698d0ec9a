"""Resolved policies are read on every resident page but change a few times a year: keep them per process.

A "generation" token in the shared cache (Redis in production, so every worker sees it) names the current policy
data. Every write to policy rows replaces the token, at once and again when its transaction commits (so a worker
that read the old rows during the write cannot keep them under the new token). Resolved policies are memoized
per process under (token, city, day); a new token makes every old entry unreachable.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger("hall.policies")

GENERATION_KEY = "policies:generation"
MEMO_LIMIT = 4096
_memo: dict = {}


def generation() -> str | None:
    """The current token; None when the cache cannot be reached (then nothing is memoized)."""
    try:
        token = cache.get(GENERATION_KEY)
        if token is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            token = cache.get(GENERATION_KEY)
        return token
    except Exception:  # noqa: BLE001 - a cache outage must not take the policy pages down
        logger.warning("policy cache unavailable; resolving from the database")
        return None


def _bump() -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001
        logger.warning("policy cache unavailable; could not mark the policy data as changed")


def policies_changed() -> None:
    """Call after writing policy rows (the loader, admin edits)."""
    _bump()
    transaction.on_commit(_bump)


def memo_get(token, key):
    return _memo.get((token, *key)) if token else None


def memo_put(token, key, value) -> None:
    if not token:
        return
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    _memo[(token, *key)] = value


# -- rendered fragments of the public policy pages --------------------------------------------------------------
# The policy pages' main content is the same for every viewer of one page (no name, no csrf token, nothing
# personal: the chrome around it, rendered by base.html per request, holds those). It is kept per process under
# the same token, so a write shows at once on every worker; a page (about 50 KB) is larger than a resolved policy,
# hence a smaller bound. The key names everything the markup depends on (page, slug, days, mode, language...).
FRAGMENT_LIMIT = 256
_fragments: dict = {}


def fragment(token, key, build):
    """The fragment cached under (token, *key), or build() kept there. Read the token *before* the rows build()
    reads (as views do): a write during the build then leaves the fragment under a token already replaced."""
    if not token:
        return build()
    full = (token, *key)
    hit = _fragments.get(full)
    if hit is None:
        hit = build()
        if len(_fragments) >= FRAGMENT_LIMIT:
            _fragments.clear()
        _fragments[full] = hit
    return hit
