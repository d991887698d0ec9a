"""A small threaded load driver for the concurrency phase (bench/run.py): N connections, each its own thread with
one keep-alive HTTP connection, sending POSTs that differ per request (their own session, case and CSRF token).

wrk measures the pages; this measures what wrk's one-script-per-run cannot do simply: each submission is sent
exactly once, at the same moment as its competitor, and every answer's status is kept to count the outcomes.
"""

import http.client
import queue
import threading
import time
import urllib.parse


def _percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summarize(samples: list[tuple[float, int]], seconds: float, ok: tuple[int, ...]) -> dict:
    """samples: (milliseconds, status) with status 0 for a failure below HTTP (refused, reset, timeout)."""
    ordered = sorted(ms for ms, _status in samples)
    statuses: dict[str, int] = {}
    for _ms, status in samples:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": len(samples),
        "seconds": seconds,
        "rps": len(samples) / seconds if seconds else 0.0,
        "p50": _percentile(ordered, 50),
        "p95": _percentile(ordered, 95),
        "p99": _percentile(ordered, 99),
        "statuses": statuses,
        "errors": sum(n for status, n in statuses.items() if int(status) not in ok),
    }


def _request(conn_box, host, port, method, path, body, headers):
    for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile is reopened once
        if conn_box[0] is None:
            conn_box[0] = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn_box[0].request(method, path, body=body, headers=headers)
            response = conn_box[0].getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn_box[0].close()
                conn_box[0] = None
            return response.status
        except (OSError, http.client.HTTPException):
            conn_box[0].close()
            conn_box[0] = None
            if attempt == 2:
                return 0
    return 0


def form_request(target: dict, csrf: str, port: int) -> tuple[str, bytes, dict]:
    """(path, body, headers) of a signed-in form POST for target {path, session, body}."""
    body = urllib.parse.urlencode({**target.get("body", {}), "csrfmiddlewaretoken": csrf}).encode()
    headers = {
        "Cookie": f"sessionid={target['session']}; csrftoken={csrf}",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-Proto": "https",
        "Origin": f"https://127.0.0.1:{port}",  # http.client sends Host: 127.0.0.1:port, which must match
    }
    return target["path"], body, headers


def run_for(host: str, port: int, requests: list[tuple[str, bytes, dict]], connections: int, seconds: float,
            ok=(302,)) -> dict:  # fmt: skip
    """Each connection sends its own share of `requests` round and round for `seconds`."""
    samples: list[tuple[float, int]] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(index):
        box, mine, i = [None], requests[index % len(requests) :: connections] or requests, 0
        local = []
        while time.perf_counter() < deadline:
            path, body, headers = mine[i % len(mine)]
            i += 1
            start = time.perf_counter()
            status = _request(box, host, port, "POST", path, body, headers)
            local.append(((time.perf_counter() - start) * 1000, status))
        with lock:
            samples.extend(local)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summarize(samples, time.perf_counter() - started, ok)


def run_once(host: str, port: int, requests: list[tuple[str, bytes, dict]], connections: int, ok=(200, 302)) -> dict:
    """Every request exactly once, `connections` at a time, in order (neighbours run together). Adds `results`,
    each request's status in the order given."""
    work: queue.Queue = queue.Queue()
    for n, request in enumerate(requests):
        work.put((n, request))
    results: list[int] = [0] * len(requests)
    samples: list[tuple[float, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(connections)

    def worker():
        box, local = [None], []
        barrier.wait()
        while True:
            try:
                n, (path, body, headers) = work.get_nowait()
            except queue.Empty:
                break
            start = time.perf_counter()
            status = _request(box, host, port, "POST", path, body, headers)
            local.append(((time.perf_counter() - start) * 1000, status))
            results[n] = status
        with lock:
            samples.extend(local)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = summarize(samples, time.perf_counter() - started, ok)
    out["results"] = results
    return out
