"""What keeps pytest-xdist workers apart (`make test` runs two).

Each worker has its own test database (pytest-django adds _gw0, _gw1 to the name) and its own live server and
browser. Redis is one server for all: the tests flush the databases they use (the cache before and after every
test, REDIS_URL in the `redis` tests), so worker gwN moves to database number + 4N (CI's 1 and 2 become 5 and 6 on
gw1; 0 and 3, used by `make serve-prod` and `make bench`, are never reached).
"""

import os
from urllib.parse import urlsplit


def worker_index() -> int:
    """0 for gw0 and for a run without xdist."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def redis_url_for_worker(url: str) -> str:
    """The Redis URL this worker uses in place of `url` (unchanged on gw0 and when empty)."""
    worker = worker_index()
    if not url or worker == 0:
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + 4 * worker
    assert database < 16, "more pytest-xdist workers than Redis databases: run fewer workers"
    return parts._replace(path=f"/{database}").geturl()
