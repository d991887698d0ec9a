"""The benchmark suite: `make bench`. Seeds, serves, loads, measures, and writes BENCHMARKS.md.

    .venv/bin/python bench/run.py [--scale 10000,100000,1000000] [--quick] [--phases pages,concurrency,scaleout]
        [--duration 15] [--warmup 3] [--curve-duration 10] [--curve-warmup 2] [--connections 2]
        [--concurrency 16,64] [--port 8765] [--nginx-port 8790]
        [--database hall_bench] [--redis-db 3] [--out BENCHMARKS.md]

1. Starts PostgreSQL and Redis on loopback when they are down (deploy/local-services.sh).
2. Makes the template database (hall_bench_base): migrate, load_policies, seed_demo, seed_ledger, collectstatic.
3. For each size of --scale (registry people, ascending): hall_bench from the template, bench/seed.py (people,
   bindings, ledger entries and audit rows with COPY; the signed-in users through the services), gunicorn with 2
   sync workers in the production profile (bench.settings), wrk over every page (--duration at the largest size,
   --curve-duration at the smaller ones), then in process
   (bench/inprocess.py) the pre-check's latency, each page's queries and SQL time and, at the largest size, the
   EXPLAIN (ANALYZE) of each page's slowest statement.
4. At the largest size: the concurrency phase (pre-check and submit under --concurrency connections against 4
   workers, bench/load.py; invariants checked in the database after, bench/invariants.py) and the scale-out phase
   (two instances behind nginx, bench/scaleout.py).
5. The 12-megapixel photo (bench/bench_documents.py), then BENCHMARKS.md: the machine, the data, the scaling
   curve (each page's req/s and p95 at each size in one table), the pages at the largest size, the slowest
   statements and their plans, concurrency, scale-out, the targets met or missed. bench/README.md has the options.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load, scaleout  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
PG = ["-h", "127.0.0.1", "-U", "postgres"]

RESIDENT_TARGET = 0.60  # of the bare authenticated page's throughput
QUEUE_P95_TARGET_MS = 200  # the superuser's queue (issue 9)
ADMIN_P95_TARGET_MS = 100  # a clerk's and a supervisor's queue and case page (issue 16)
PRECHECK_P95_TARGET_MS = 10
PHOTO_SECONDS_TARGET = 1.0
PHOTO_PEAK_TARGET_MB = 300
SEED_SECONDS_TARGET = 300  # seeding a million registry people (issue 16)

REPORT_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def manage(env, *args):
    run([PYTHON, "manage.py", *args], env=env, stdout=subprocess.DEVNULL)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, headers, data=None) -> int:
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with opener.open(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def post_script(targets: list[dict]) -> str:
    """A wrk script that sends each request as the next of several residents (their own session and draft)."""
    rows = []
    for t in targets:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in t["headers"].items())
        rows.append(f"  {{path = {lua_string(t['path'])}, body = {lua_string(t['body'])}, headers = {{{headers}}}}}")
    return (
        "local targets = {\n" + ",\n".join(rows) + "\n}\nlocal i = 0\n"
        "request = function()\n  i = i % #targets + 1\n  local t = targets[i]\n"
        '  return wrk.format("POST", t.path, t.headers, t.body)\nend\n' + REPORT_LUA
    )


def wrk(url, script: Path, headers: dict, duration: int, connections: int) -> dict:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script)]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line[len("WRK_JSON ") :])
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds,
        "requests": data["requests"],
        "p50": data["p50"] / 1000,
        "p95": data["p95"] / 1000,
        "p99": data["p99"] / 1000,
        "errors": data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"],
    }


def redis_version() -> str:
    info = subprocess.run(["redis-cli", "-h", "127.0.0.1", "INFO", "server"], capture_output=True, text=True).stdout
    return next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("redis_version:")), "?")


def machine(env) -> dict:
    def first(args):
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    os_name = "?"
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    versions = subprocess.run(
        [PYTHON, "-c", "import django, gunicorn, psycopg, redis; print(django.get_version(), gunicorn.__version__, "
         "psycopg.__version__, redis.__version__)"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout.split()  # fmt: skip
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_kib / 1024 / 1024,
        "os": f"{os_name}, Linux {platform.release()}",
        "python": platform.python_version(),
        "django": versions[0],
        "gunicorn": versions[1],
        "psycopg": versions[2],
        "redis_py": versions[3],
        "postgresql": first(["psql", *PG, "-tAc", "SHOW server_version"]),
        "redis": redis_version(),
        "wrk": first(["wrk", "-v"]).split(" [")[0],
    }


def parse_scales(text: str) -> list[int]:
    """ "10000,100000,1000000" or "10k,100k,1m" -> [10000, 100000, 1000000], ascending."""
    out = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        factor = {"k": 1_000, "m": 1_000_000}.get(part[-1].lower(), 1)
        out.append(int(float(part[:-1] if factor > 1 else part) * factor))
    return sorted(set(out))


def bench_env(args, private: Path, workers: int = 2) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "SECRET_KEY": args.secret,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PRIVATE_MEDIA_ROOT": str(private),
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling in the middle of a measurement
        "LOG_LEVEL": "WARNING",
        "HALL_DEMO_DEVICES": "true",  # demo data behind the simulated SMS outbox and face verifier
        "BENCH_CONCURRENCY_MAX": str(max(args.concurrency)),
        "BENCH_SUBMIT_POOL": ",".join(str(n) for n in args.submit_pool),
    }


class Gunicorn:
    """One hall instance: gunicorn in the production profile on 127.0.0.1:port, stopped on exit."""

    def __init__(self, env, port: int, workers: int):
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "config.wsgi"],
            cwd=ROOT,
            env={**env, "WEB_CONCURRENCY": str(workers)},
            start_new_session=True,
        )

    def __enter__(self):
        wait_healthy(self.base, self.process)
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def wait_healthy(base: str, process=None) -> None:
    for _ in range(150):
        try:
            if fetch(base + "/healthz", {}) == 200:
                return
        except OSError:  # not listening yet
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {base} exited")
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not become healthy")


def page_set(seed: dict, port: int) -> list[dict]:
    """Every page of issue 16's list, in the order measured. Resident pages (`resident`) get a target line.

    The wizard's steps after the notice are a pre-check resident's draft (his session): the pre-check POST, measured
    before them, has put a relative in it, so the proof and summary steps have something to show."""
    cookie = f"sessionid={{}}; csrftoken={seed['csrf']}"
    common = {"X-Forwarded-Proto": "https"}  # as nginx sends it: the production profile redirects plain HTTP

    def as_(session):
        return {**common, "Cookie": cookie.format(session)}

    resident = as_(seed["resident_session"])
    drafter = seed["prechecks"][0]
    draft = drafter["path"].rstrip("/").split("/")[-2]  # /bindings/applications/<case>/relative/
    wizard = {"headers": as_(drafter["session"]), "session": drafter["session"], "resident": True}
    queue = "/admin/bindings/binding/"
    case = f"/admin/bindings/binding/{seed['case']}/change/"

    def mine(key, name, path):
        return {"key": key, "name": name, "path": path, "headers": resident, "resident": True}

    return [
        {"key": "bare", "name": "bare authenticated page (baseline)", "path": "/bench/bare/", "headers": resident,
         "session": seed["resident_session"]},
        {"key": "chrome", "name": "chrome only (base.html, empty content)", "path": "/bench/chrome/",
         "headers": resident},
        mine("home", "home", "/"),
        mine("policy_index", "policy index", "/policies/"),
        mine("policy", "city policy page", "/policies/yichun/"),
        mine("compare", "compare", "/policies/compare/?cities=yichun,xiangtan,guigang"),
        mine("guide", "guide", "/policies/guide/"),
        mine("mine", "我的共济关系", "/bindings/mine/"),
        *([mine("detail", "binding detail", f"/bindings/{seed['binding']}/")] if seed.get("binding") else []),
        mine("notices", "notices", "/bindings/notices/"),
        {"key": "precheck", "name": "binding pre-check (POST)", "path": seed["prechecks"][0]["path"], "method": "POST",
         "expect": 302, "resident": True, "session": seed["prechecks"][0]["session"]},
        mine("wizard_notice", "wizard: notice (告知书)", "/bindings/apply/?new=1"),
        {"key": "wizard_relative", "name": "wizard: relative", "path": f"/bindings/applications/{draft}/relative/",
         **wizard},
        {"key": "wizard_proof", "name": "wizard: proof", "path": f"/bindings/applications/{draft}/proof/", **wizard},
        {"key": "wizard_summary", "name": "wizard: summary", "path": f"/bindings/applications/{draft}/summary/",
         **wizard},
        mine("usage", "usage", "/ledger/usage/"),
        mine("statement", "statement", "/ledger/statement/"),
        mine("simulator", "settlement simulator", "/ledger/simulator/"),
        mine("premium", "premium", "/ledger/premium/"),
        mine("document", "document view", f"/bindings/documents/{seed['document']}/"),
        {"key": "queue", "name": "admin review queue (superuser)", "path": queue,
         "headers": as_(seed["admin_session"]), "session": seed["admin_session"]},
        {"key": "queue_clerk", "name": f"admin review queue (审核员 of {seed['clerk_region']})", "path": queue,
         "headers": as_(seed["clerk_session"]), "session": seed["clerk_session"], "admin": True},
        {"key": "queue_supervisor", "name": "admin review queue (主管, every region)", "path": queue,
         "headers": as_(seed["supervisor_session"]), "session": seed["supervisor_session"], "admin": True},
        {"key": "case_clerk", "name": "case page (审核员)", "path": case, "headers": as_(seed["clerk_session"]),
         "session": seed["clerk_session"], "admin": True},
        {"key": "case_supervisor", "name": "case page (主管)", "path": case,
         "headers": as_(seed["supervisor_session"]), "session": seed["supervisor_session"], "admin": True},
    ]  # fmt: skip


def post_targets(seed: dict, port: int) -> list[dict]:
    cookie = f"sessionid={{}}; csrftoken={seed['csrf']}"
    out = []
    for p in seed["prechecks"][:8]:
        body = urllib.parse.urlencode({**p["body"], "csrfmiddlewaretoken": seed["csrf"]})
        out.append(
            {
                "path": p["path"],
                "body": body,
                "headers": {
                    "X-Forwarded-Proto": "https",
                    "Cookie": cookie.format(p["session"]),
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://127.0.0.1:{port}",
                },
            }
        )
    return out


def load_pages(base: str, pages: list[dict], posts: list[dict], work: Path, args, duration=None, warmup=None) -> dict:
    """wrk over every page for `duration` seconds after `warmup` (args' by default); marks a page `pending` when its
    URL is not built yet."""
    duration = args.duration if duration is None else duration
    warmup = args.warmup if warmup is None else warmup
    (work / "report.lua").write_text(REPORT_LUA)
    (work / "post.lua").write_text(post_script(posts))
    results = {}
    for page in pages:
        expect = page.get("expect", 200)
        if page.get("method") == "POST":
            status = fetch(base + posts[0]["path"], posts[0]["headers"], posts[0]["body"].encode())
        else:
            status = fetch(base + page["path"], page["headers"])
        if page["key"] == "simulator" and status == 404:
            page["pending"] = True
            log("the settlement simulator is not there yet: pending")
            continue
        if status != expect:
            # Reported, not fatal: the other pages and phases still say something.
            page["pending"] = True
            page["failed"] = status
            log(f"{page['key']} {page['path']} answered {status}, expected {expect}: left out of this run")
            continue
        script = work / ("post.lua" if page.get("method") == "POST" else "report.lua")
        headers = {} if page.get("method") == "POST" else page["headers"]
        log(f"wrk {page['key']} {page['path']} ({warmup} s warm-up, {duration} s)")
        wrk(base + page["path"], script, headers, warmup, args.connections)
        results[page["key"]] = wrk(base + page["path"], script, headers, duration, args.connections)
        r = results[page["key"]]
        log(f"  {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms")
    return results


def concurrency_phase(env, seed: dict, args, work: Path) -> dict:
    """The pre-check and the submit under args.concurrency connections against 4 workers; invariants after."""
    port = args.port + 1
    out = {"workers": 4, "levels": []}
    with Gunicorn(env, port, workers=4):
        for level, submits in zip(args.concurrency, seed["submits"], strict=False):
            prechecks = [load.form_request(p, seed["csrf"], port) for p in seed["prechecks"][:level]]
            log(f"concurrency {level}: pre-check for {args.duration} s over {len(prechecks)} residents")
            load.run_for("127.0.0.1", port, prechecks[:level], level, min(2, args.warmup), ok=(302,))  # warm-up
            pre = load.run_for("127.0.0.1", port, prechecks, level, args.duration, ok=(302,))
            log(f"  {pre['rps']:.0f} req/s, p95 {pre['p95']:.1f} ms, statuses {pre['statuses']}")
            keys = work / "step-up.json"
            keys.write_text(json.dumps([s["session"] for s in submits]))
            run([PYTHON, "bench/seed.py", "--step-up", str(keys)], env=env)
            requests = [load.form_request({**s, "body": {"commitment": "on"}}, seed["csrf"], port) for s in submits]
            log(f"concurrency {level}: submitting {len(requests)} applications ({len(requests) // 2} pairs)")
            sub = load.run_once("127.0.0.1", port, requests, level, ok=(200, 302))
            pairs: dict[int, list[int]] = {}
            for target, status in zip(submits, sub.pop("results"), strict=True):
                pairs.setdefault(target["pair"], []).append(status)
            sub["won"] = sum(1 for statuses in pairs.values() if statuses.count(302) == 1)
            sub["both"] = sum(1 for statuses in pairs.values() if statuses.count(302) > 1)
            sub["none"] = sum(1 for statuses in pairs.values() if statuses.count(302) == 0)
            sub["pairs"] = len(pairs)
            log(f"  {sub['rps']:.0f} req/s, p95 {sub['p95']:.1f} ms, statuses {sub['statuses']}, "
                f"one winner in {sub['won']} of {sub['pairs']} pairs")  # fmt: skip
            out["levels"].append({"connections": level, "precheck": pre, "submit": sub})
    log("invariants in the database after the runs")
    path = Path(tempfile.mkstemp(suffix=".json")[1])
    subprocess.run([PYTHON, "bench/invariants.py", str(path)], cwd=ROOT, env=env, check=False)
    out["invariants"] = json.loads(path.read_text())
    path.unlink()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        default=os.environ.get("SCALE") or "100000",
        help="registry people per run, comma-separated (10000,100000,1000000 or 10k,100k,1m)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 2 s per page, 1 s warm-up, small concurrency pools, one photo run",
    )
    parser.add_argument(
        "--phases",
        default="pages,concurrency,scaleout",
        help="which phases to run at the largest scale besides the pages: concurrency, scaleout",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each measurement")
    parser.add_argument(
        "--curve-duration",
        type=int,
        default=10,
        help="seconds of load per page at the sizes of --scale below the largest (the curve's other points)",
    )
    parser.add_argument("--curve-warmup", type=int, default=2, help="warm-up seconds at those sizes")
    parser.add_argument("--connections", type=int, default=2, help="concurrent connections (one per worker)")
    parser.add_argument("--concurrency", default="16,64", help="connections for the concurrency phase")
    parser.add_argument("--port", type=int, default=8765, help="first of the ports used (up to port+3)")
    parser.add_argument("--nginx-port", type=int, default=8790)
    parser.add_argument("--database", default="hall_bench")
    parser.add_argument("--redis-db", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()  # fmt: skip
    args.scales = parse_scales(args.scale)
    args.concurrency = [int(n) for n in args.concurrency.split(",") if n]
    args.phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    if args.quick:
        args.duration, args.warmup = min(args.duration, 2), min(args.warmup, 1)
        args.curve_duration, args.curve_warmup = min(args.curve_duration, 2), min(args.curve_warmup, 1)
    args.submit_pool = [min(2 * c, 32) if args.quick else 2 * c for c in args.concurrency]
    args.secret = secrets.token_urlsafe(50)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (apt-get install wrk)")

    run(["bash", "deploy/local-services.sh"])
    work = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    # Its own document directory per database, so two runs (different --database) never share files.
    private = ROOT / "var" / ("bench-private" if args.database == "hall_bench" else f"bench-private-{args.database}")
    shutil.rmtree(private, ignore_errors=True)
    env = bench_env(args, private)
    base_db = f"{args.database}_base"
    base_env = {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{base_db}"}

    log(f"template database {base_db}: migrate, load_policies, seed_demo, seed_ledger, collectstatic")
    run(["dropdb", *PG, "--if-exists", args.database])
    run(["dropdb", *PG, "--if-exists", base_db])
    run(["createdb", *PG, base_db])
    run(["redis-cli", "-h", "127.0.0.1", "-n", str(args.redis_db), "FLUSHDB"], stdout=subprocess.DEVNULL)
    for command in (["migrate", "--noinput"], ["load_policies"], ["seed_demo"], ["seed_ledger"],
                    ["collectstatic", "--noinput"]):  # fmt: skip
        manage(base_env, *command)
    private_base = work / "private-base"
    shutil.copytree(private, private_base) if private.exists() else private_base.mkdir()

    runs = []
    for n, scale in enumerate(args.scales):
        last = n == len(args.scales) - 1
        log(f"=== {scale:,} registry people: database {args.database} from {base_db}")
        run(["dropdb", *PG, "--if-exists", args.database])
        run(["createdb", *PG, "-T", base_db, args.database])
        run(["redis-cli", "-h", "127.0.0.1", "-n", str(args.redis_db), "FLUSHDB"], stdout=subprocess.DEVNULL)
        shutil.rmtree(private, ignore_errors=True)
        shutil.copytree(private_base, private)
        seed_started = time.perf_counter()
        run([PYTHON, "bench/seed.py", str(work / "seed.json")], env={**env, "BENCH_PEOPLE": str(scale)})
        seed_seconds = time.perf_counter() - seed_started
        seed = json.loads((work / "seed.json").read_text())
        pages = page_set(seed, args.port)
        posts = post_targets(seed, args.port)
        # The largest size is measured at full length (its table, targets and plans); the smaller ones, points
        # of the curve, with --curve-duration, so that 10k, 100k and 1M fit in one run of about 45 minutes.
        duration, warmup = (args.duration, args.warmup) if last else (args.curve_duration, args.curve_warmup)
        log(f"starting gunicorn on 127.0.0.1:{args.port} (2 workers, production profile)")
        with Gunicorn(env, args.port, workers=2) as server:
            results = load_pages(server.base, pages, posts, work, args, duration, warmup)
        load_after = os.getloadavg()[0]
        log("in-process: pre-check latency, page profiles and the slowest statements' plans")
        profile_pages = [
            {
                "key": p["key"],
                "path": p["path"],
                "method": p.get("method", "GET"),
                "expect": p.get("expect", 200),
                "session": p.get("session") or seed["resident_session"],
                "body": seed["prechecks"][0]["body"] if p.get("method") == "POST" else None,
            }
            for p in pages
            if not p.get("pending")
        ]
        (work / "pages.json").write_text(json.dumps(profile_pages))
        run([PYTHON, "bench/inprocess.py", str(work / "seed.json"), str(work / "pages.json"),
             str(work / "inprocess.json")], env={**env, "BENCH_EXPLAIN": "1" if last else "",
             "BENCH_PRECHECK_ITERATIONS": "50" if args.quick else "500"})  # fmt: skip
        inprocess = json.loads((work / "inprocess.json").read_text())
        entry = {"scale": scale, "seed": seed, "seed_seconds": seed_seconds, "pages": pages, "results": results,
                 "inprocess": inprocess, "load_after": load_after, "duration": duration, "warmup": warmup}  # fmt: skip
        if last and "concurrency" in args.phases:
            entry["concurrency"] = concurrency_phase(env, seed, args, work)
        if last and "scaleout" in args.phases:
            entry["scaleout"] = scaleout.run_phase(env=env, seed=seed, args=args, work=work, gunicorn=Gunicorn,
                                                   log=log)  # fmt: skip
        runs.append(entry)

    log("12-megapixel photo")
    photo_runs = "1" if args.quick else "3"
    run([PYTHON, "bench/bench_documents.py", "--runs", photo_runs, "--json", str(work / "photo.json")],
        env=os.environ.copy())  # fmt: skip
    photo = json.loads((work / "photo.json").read_text())

    report = render(
        args=args,
        machine=machine(env),
        runs=runs,
        photo=photo,
        total_seconds=time.perf_counter() - started,
        load=(load_before, max(r["load_after"] for r in runs)),
    )
    args.out.write_text(report, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    log(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


def breakdown(prof: dict, bare: dict) -> str:
    """Where the page's time goes, against the bare page's, from the in-process profile."""
    text = (
        f"In process {prof['wall_ms']:.1f} ms against the bare page's {bare['wall_ms']:.1f} ms: "
        f"{prof['sql_ms']:.1f} ms of SQL in {prof['queries']} queries (bare page: {bare['queries']})"
    )
    if prof["policy_queries"]:
        text += f", {prof['policy_queries']} of them ({prof['policy_sql_ms']:.1f} ms) on the policy tables"
        if prof["resolved_policy_calls"]:
            text += (
                f": `policies.selectors.resolved_policies` read the policy chain {prof['resolved_policy_calls']} "
                "time(s) (a miss in its per-process memo)"
            )
        else:
            text += " (page data such as regions and sources; resolved policies came from the per-process memo)"
    if prof.get("commit_ms", 0) >= 0.5:
        text += f"; {prof['commit_ms']:.1f} ms committing (waiting for the write-ahead log to reach the disk)"
    text += (
        f"; {prof['template_ms']:.1f} ms rendering templates (with any queries they run); "
        f"{prof['python_ms']:.1f} ms of Python in the middleware and the view outside them (building the queries "
        f"and the objects they return); slowest statement {prof['slowest_ms']:.1f} ms: "
        f"`{prof['slowest_sql'][:160]}…`."
    )
    return text


def fmt_scale(n: int) -> str:
    return (
        f"{n // 1_000_000}M"
        if n >= 1_000_000 and n % 1_000_000 == 0
        else f"{n // 1000}k"
        if n % 1000 == 0
        else f"{n:,}"
    )


def target(value: float, limit: float, unit="ms") -> str:
    if value < limit:
        return f"met, {value:.0f} {unit} (target under {limit:.0f} {unit})"
    return f"missed, {value:.0f} {unit} (target under {limit:.0f} {unit}, over by {value - limit:.0f} {unit})"


def render(*, args, machine, runs, photo, total_seconds, load) -> str:  # noqa: C901 - one report, top to bottom
    big = runs[-1]
    seed, pages, results, inprocess = big["seed"], big["pages"], big["results"], big["inprocess"]
    bare = results["bare"]["rps"]
    profiles = inprocess["pages"]
    scales = ", ".join(f"{r['scale']:,}" for r in runs)
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (bench/run.py) on {datetime.date.today():%Y-%m-%d}; run it again rather than "
        "editing this file. Numbers from one machine are comparable with each other, not with another machine's. "
        "How to run each phase: bench/README.md and the end of this file.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {machine['cpu']}, {machine['cores']} cores |",
        f"| memory | {machine['memory_gib']:.1f} GiB |",
        f"| system | {machine['os']} |",
        f"| software | Python {machine['python']}, Django {machine['django']}, gunicorn {machine['gunicorn']}, "
        f"psycopg {machine['psycopg']}, redis-py {machine['redis_py']} |",
        f"| servers | PostgreSQL {machine['postgresql']}, Redis {machine['redis']}, {machine['wrk']} |",
        "",
        "Everything ran on this one machine: wrk, gunicorn's sync workers, PostgreSQL and Redis share its cores, "
        "so the absolute numbers are lower than on a server where the database has its own; the ratios to the "
        "bare page are the portable part. 1-minute load average before the run "
        f"{load[0]:.2f}, after the load tests {load[1]:.2f} (above {machine['cores']} means something else was busy "
        "too).",
        "",
        "## Data",
        "",
        f"Each size is its own database made from one template (migrate, load_policies, seed_demo, seed_ledger), "
        "then bench/seed.py: registry people, one binding per two people (at most 50,000 submitted and waiting, the "
        "rest active), every authorizer's opening balance and one monthly credit in the ledger (balance = sum of "
        "entries), one audit row per five bindings; all with PostgreSQL COPY, inside the constraints (the foreign "
        "keys checked as they are added back after the COPY) and the audit table's insert-only trigger. "
        f"Database `{args.database}`, Redis database {args.redis_db}.",
        "",
        "| size | people | bindings | submitted (of which 宜春) | ledger entries | audit rows | bulk s | seed step s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        c, s = r["seed"]["counts"], r["seed"]["seed"]
        lines.append(
            f"| {fmt_scale(r['scale'])} | {c['people']:,} | {c['bindings']:,} | {c['submitted']:,} "
            f"({c['clerk_submitted']:,}) | {c['ledger']:,} | {c['audit']:,} | {s['seconds']:.1f} | "
            f"{r['seed_seconds']:.1f} |"
        )
    t = big["seed"]["seed"]["timings"]
    lines += [
        "",
        "Seed time per size (seed step: the whole bench/seed.py; bulk: its COPY, index builds, foreign keys and "
        "VACUUM ANALYZE): "
        + ", ".join(
            f"{fmt_scale(r['scale'])} {r['seed_seconds']:.0f} s ({r['seed']['seed']['seconds']:.0f} s)" for r in runs
        )
        + f". At {fmt_scale(big['scale'])} the COPY took {t['people']:.1f} s for the people, {t['bindings']:.1f} s "
        f"for applications, bindings and events, {t['ledger']:.1f} s for the ledger and {t['audit']:.1f} s for the "
        "audit rows, with the primary keys, unique constraints and indexes (one live binding per relative, one "
        "opening and one monthly credit per person), check constraints and the audit trigger in place. As "
        "pg_restore does, the tables' other indexes and their foreign keys were dropped for the load and made "
        f"again after it: the indexes in {t.get('indexes', 0):.1f} s, the foreign keys (ALTER TABLE ... ADD "
        f"CONSTRAINT, every row checked in one join) in {t.get('foreign_keys', 0):.1f} s; VACUUM ANALYZE took "
        f"{t['analyze']:.1f} s. The seed's session has synchronous_commit off and 256MB of maintenance_work_mem and "
        "work_mem. The rest of the seed step makes the signed-in users, the concurrency pools and their proof "
        "through the services.",
        "",
        "## Scaling curve",
        "",
        f"req/s and p95 ms of each page at each size ({scales} registry people), wrk on 127.0.0.1, "
        f"{args.connections} connections, gunicorn with 2 sync workers, "
        + (
            f"{big['duration']} s per page after {big['warmup']} s of warm-up at every size"
            if len({(r["duration"], r["warmup"]) for r in runs}) == 1
            else "; ".join(
                f"{r['duration']} s per page after {r['warmup']} s of warm-up at {fmt_scale(r['scale'])}" for r in runs
            )
            + " (the smaller sizes are points of the curve, measured shorter: `--curve-duration`)"
        )
        + ". A flat row is a page whose queries do not grow with the data"
        + ("; the last column is the largest size's req/s against the smallest's." if len(runs) > 1 else "."),
        "",
        "| page | "
        + " | ".join(f"{fmt_scale(r['scale'])} req/s | p95 ms" for r in runs)
        + (f" | {fmt_scale(big['scale'])} vs {fmt_scale(runs[0]['scale'])} |" if len(runs) > 1 else " |"),
        "|---|" + "---:|---:|" * len(runs) + ("---:|" if len(runs) > 1 else ""),
    ]
    for page in pages:
        cells = []
        for r in runs:
            res = r["results"].get(page["key"])
            cells += [f"{res['rps']:.0f}", f"{res['p95']:.1f}"] if res else ["—", ""]
        if len(runs) > 1:
            first, last = runs[0]["results"].get(page["key"]), big["results"].get(page["key"])
            cells.append(f"{last['rps'] / first['rps']:.0%}" if first and last and first["rps"] else "—")
        lines.append(f"| {page['name']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"## Pages at {big['scale']:,}",
        "",
        "Production profile (bench.settings): PostgreSQL with persistent connections, sessions cached_db on Redis, "
        "django-axes and SMS limits in PostgreSQL and Redis, WhiteNoise, CSP. Residents' pages are signed in as "
        "王建国 (two active bindings with proof); the queue as the superuser, as a 审核员 of "
        f"{seed['clerk_region']} ({seed['counts']['clerk_submitted']:,} submitted cases in his city) and as a 主管 "
        f"(every region, {seed['counts']['submitted']:,}); the case page is the oldest waiting case of "
        f"{seed['clerk_region']}; the pre-check rotates over 8 residents, each with a draft and a relative to check; "
        "the wizard's relative, proof and summary steps are the first of them, his draft holding the relative the "
        "pre-check added. "
        "`/bench/chrome/` is base.html with an empty content block: what every page pays for its header, banners "
        "and footer.",
        "",
        "| page | URL | req/s | vs bare | p50 ms | p95 ms | p99 ms | queries | SQL ms | template ms | in-process ms "
        "(built) | in-process ms (kept) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        if page.get("pending"):
            state = f"answered {page['failed']}" if page.get("failed") else "pending"
            lines.append(f"| {page['name']} | `{page['path']}` | {state} | | | | | | | | | |")
            continue
        r, prof = results[page["key"]], profiles[page["key"]]
        method = "POST " if page.get("method") == "POST" else ""
        kept_ms = f"{prof['kept_ms']:.1f}" if prof.get("kept") else "not kept"  # config.pagecache
        lines.append(
            f"| {page['name']} | `{method}{page['path']}` | {r['rps']:.0f} | {r['rps'] / bare:.0%} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {prof['queries']} | {prof['sql_ms']:.1f} | "
            f"{prof['template_ms']:.1f} | {prof['wall_ms']:.1f} | {kept_ms} |"
        )
    errors = sum(res["errors"] for run_ in runs for res in run_["results"].values())
    lines += [
        "",
        f"Errors and unexpected statuses over all page runs at every size: {errors}. The last five columns come from "
        "Django's test client on the same database and Redis (median of 10 requests, one at a time, statements "
        "timed one by one). Template time includes queries that templates run. Queries, SQL, templates and "
        '"built" are the cost of building the page (config.pagecache off); "kept" is the same page served again '
        "as wrk's requests are, from the worker's kept pages (docs/decisions/0009-fast-pages.md), or \"not kept\" "
        "for a page that is always built (a POST, a file, the admin).",
        "",
    ]
    explained = [(p, profiles[p["key"]].get("explain")) for p in pages if not p.get("pending")]
    explained = [(p, e) for p, e in explained if e]
    if explained:
        slowest = max(explained, key=lambda pe: profiles[pe[0]["key"]]["slowest_ms"])
        used = sorted({i for _p, e in explained for i in e.get("indexes", [])})
        seqs = sorted({i for _p, e in explained for i in e.get("seq_scans", [])})
        lines += [
            f"## Slowest statements at {big['scale']:,}",
            "",
            "Each page's slowest statement, run again with EXPLAIN (ANALYZE, BUFFERS) and the page's own parameters. "
            f"Indexes the plans use: {', '.join(f'`{i}`' for i in used) or 'none'}"
            + (f"; sequential scans on {', '.join(f'`{s}`' for s in seqs)} (small tables)" if seqs else "")
            + ". The review queue's indexes are bindings/migrations/0011_queue_indexes.py.",
            "",
            "| page | slowest ms | statement | indexes |",
            "|---|---:|---|---|",
        ]
        for p, e in explained:
            lines.append(
                f"| {p['name']} | {profiles[p['key']]['slowest_ms']:.1f} | `{e['sql'][:90]}…` | "
                f"{', '.join(e.get('indexes', [])) or '—'} |"
            )
        for p, e in [slowest] + [(p, e) for p, e in explained if p.get("admin") and (p, e) != slowest]:
            lines += [
                "",
                f"**{p['name']}** (`{p['path']}`):",
                "",
                "```sql",
                e["sql"],
                "```",
                "",
                "```",
                e["plan"],
                "```",
            ]
        lines.append("")
    conc = big.get("concurrency")
    if conc:
        inv = conc["invariants"]
        lines += [
            "## Concurrency",
            "",
            "The pre-check (POST of the relative step) and the submit (POST of the summary step) against gunicorn "
            f"with "
            f"{conc['workers']} sync workers, from bench/load.py (one thread and one keep-alive connection per "
            "connection). Pre-check: each connection its own resident, for the same seconds as a page. Submit: "
            "every application sent once; applications come in pairs of two authorizers asking for the same "
            "relative, sent at the same moment: exactly one of each pair may win (302), the other is refused with "
            "a page saying why (200).",
            "",
            "| connections | pre-check req/s | p50 ms | p95 ms | errors | submits | submit p95 ms | pairs with one "
            "winner | both won | none won | errors |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for level in conc["levels"]:
            pre, sub = level["precheck"], level["submit"]
            lines.append(
                f"| {level['connections']} | {pre['rps']:.0f} | {pre['p50']:.1f} | {pre['p95']:.1f} | "
                f"{pre['errors']} | {sub['requests']} | {sub['p95']:.1f} | {sub['won']} of {sub['pairs']} | "
                f"{sub['both']} | {sub['none']} | {sub['errors']} |"
            )
        lines += ["", "Invariants checked in the database after the runs (bench/invariants.py):", ""]
        for name, label in (
            ("quota", "no authorizer above his city's at-once limit"),
            ("one_authorizer_per_relative", "one authorizer per relative (live bindings)"),
            ("balance_not_negative", "no balance below zero"),
            ("balance_equals_ledger_sum", "every balance equals the sum of its ledger entries"),
        ):
            check = inv[name]
            state = "holds" if not check["broken"] else "BROKEN: " + "; ".join(check["broken"])
            lines.append(f"- {label}: {state} ({check['checked']:,} checked).")
        lines.append("")
    out = big.get("scaleout")
    if out:
        lines += ["## Scale-out", ""]
        if out.get("skipped"):
            lines += [f"Not run: {out['skipped']}.", ""]
        else:
            a, b = out["instances"]
            lines += [
                f"Two hall instances (gunicorn on 127.0.0.1:{a} and :{b}, 2 workers each, the same PostgreSQL "
                f"database, Redis database and document directory) behind nginx on 127.0.0.1:{out['nginx_port']} "
                "(TLS with a throw-away certificate; configuration rendered from deploy/nginx.conf.example by "
                "bench/scaleout.py, round-robin upstream). Across the instances:",
                "",
            ]
            for c in out["checks"]:
                lines.append(f"- {'holds' if c['ok'] else 'FAILED'}: {c['check']}. {c['detail']}.")
            lines += [
                "",
                "Throughput through nginx, 4 connections:",
                "",
                "| instances | bare req/s | bare p95 ms | home req/s | home p95 ms |",
                "|---:|---:|---:|---:|---:|",
            ]
            for row in out["throughput"]:
                lines.append(
                    f"| {row['instances']} | {row['bare']['rps']:.0f} | {row['bare']['p95']:.1f} | "
                    f"{row['home']['rps']:.0f} | {row['home']['p95']:.1f} |"
                )
            if len(out["throughput"]) == 2:
                one, two = out["throughput"]
                gain = two["home"]["rps"] / one["home"]["rps"] if one["home"]["rps"] else 0
                lines += [
                    "",
                    f"Two instances served the home page at {gain:.2f}× one's rate. Here both share the same "
                    f"{machine['cores']} cores with nginx, PostgreSQL, Redis and wrk, so the second instance adds "
                    "processes, not CPU, and less than 2× is the honest expectation (more than that means the first "
                    "run was disturbed by other load: see the load average above). On separate machines each "
                    "instance brings its own cores; the checks above are what makes spreading over them safe.",
                ]
            lines.append("")
    pre = inprocess["precheck"]
    full, engine = pre["binding_add_relative"], pre["facts_and_check_eligibility"]
    lines += [
        "## In process",
        "",
        "| measurement | n | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
        f"| pre-check: `bindings.services.binding_add_relative` ({full['queries']} queries, rolled back) | "
        f"{full['n']} | {full['p50']:.2f} | {full['p95']:.2f} | {full['p99']:.2f} |",
        f"| of which `binding_facts` + `policies.eligibility.check_eligibility` | {engine['n']} | "
        f"{engine['p50']:.2f} | {engine['p95']:.2f} | {engine['p99']:.2f} |",
        "",
        f"12-megapixel phone photo (4000×3000 JPEG, {photo['input_mib']:.1f} MiB, EXIF orientation and GPS) through "
        f"`bindings.uploads.sanitize_upload`, {photo['runs']} runs in fresh processes (bench/bench_documents.py): "
        f"{photo['seconds_min']:.2f} s fastest, {photo['seconds_median']:.2f} s median, {photo['seconds_max']:.2f} s "
        f"slowest; peak resident memory of the whole process {photo['peak_rss_mib']:.0f} MiB "
        f"({photo['peak_rss_mib'] * 1.048576:.0f} MB; {photo['rss_before_mib']:.0f} MiB of it is Python and Django "
        f"before the call). Output {photo['output_size'][0]}×{photo['output_size'][1]}, "
        f"{photo['output_kib']:.0f} KiB.",
        "",
        f"## Targets at {big['scale']:,}",
        "",
    ]
    bare_prof = profiles["bare"]
    for page in pages:
        if not page.get("resident"):
            continue
        if page.get("pending"):
            state = f"answered {page['failed']}" if page.get("failed") else "not built"
            lines.append(f"- **{page['name']}**: pending (`{page['path']}` {state} when this ran).")
            continue
        ratio = results[page["key"]]["rps"] / bare
        prof = profiles[page["key"]]
        if ratio >= RESIDENT_TARGET:
            lines.append(
                f"- **{page['name']}**: met, {ratio:.0%} of the bare page (target 60%, "
                f"{ratio - RESIDENT_TARGET:.0%} points above)."
            )
        else:
            lines.append(
                f"- **{page['name']}**: missed, {ratio:.0%} of the bare page, {RESIDENT_TARGET - ratio:.0%} points "
                f"short of 60%. {breakdown(prof, bare_prof)}"
            )
    for key in ("queue", "queue_clerk", "queue_supervisor", "case_clerk", "case_supervisor"):
        page = next(p for p in pages if p["key"] == key)
        if key not in results:
            lines.append(f"- **{page['name']}**: not measured (answered {page.get('failed')}).")
            continue
        limit = QUEUE_P95_TARGET_MS if key == "queue" else ADMIN_P95_TARGET_MS
        lines.append(
            f"- **{page['name']}** with {seed['counts']['submitted']:,} submitted: "
            f"{target(results[key]['p95'], limit)} p95. {breakdown(profiles[key], bare_prof)}"
        )
    status = "met" if full["p95"] < PRECHECK_P95_TARGET_MS else "missed"
    lines.append(
        f"- **pre-check in process**: {status}, p95 {full['p95']:.2f} ms (target under {PRECHECK_P95_TARGET_MS} ms"
        + (f", over by {full['p95'] - PRECHECK_P95_TARGET_MS:.2f} ms" if status == "missed" else "")
        + f"); {full['queries']} queries, {full['sql_ms']:.1f} ms of them in SQL; {full['policy_queries']} of the "
        f"queries read the policy tables. The engine's share (facts and rules) p95 {engine['p95']:.2f} ms."
    )
    if big["scale"] >= 1_000_000:
        lines.append(
            f"- **seeding {fmt_scale(big['scale'])} people**: {target(big['seed_seconds'], SEED_SECONDS_TARGET, 's')} "
            f"for the whole seed step, {big['seed']['seed']['seconds']:.0f} s of it the bulk rows with COPY."
        )
    peak_mb = photo["peak_rss_mib"] * 1.048576
    time_ok = photo["seconds_max"] < PHOTO_SECONDS_TARGET
    mem_ok = peak_mb < PHOTO_PEAK_TARGET_MB
    lines.append(
        f"- **12-megapixel photo**: {'met' if time_ok and mem_ok else 'missed'}: slowest {photo['seconds_max']:.2f} s "
        f"(target under {PHOTO_SECONDS_TARGET:.0f} s"
        + ("" if time_ok else f", over by {photo['seconds_max'] - PHOTO_SECONDS_TARGET:.2f} s")
        + f"), peak {peak_mb:.0f} MB (target under {PHOTO_PEAK_TARGET_MB} MB"
        + ("" if mem_ok else f", over by {peak_mb - PHOTO_PEAK_TARGET_MB:.0f} MB")
        + ")."
    )
    lines += [
        "",
        "## How to run",
        "",
        "`make bench` (installs wrk and nginx with apt-get when missing; needs the local PostgreSQL and Redis, which "
        "it starts when they are down). `make bench SCALE=10000,100000,1000000` for the scaling curve (this file: "
        f'{scales}); `make bench QUICK=1` for a smoke run; `BENCH_ARGS="--phases pages"` to skip the concurrency '
        "and scale-out phases, `--concurrency 16,64`, `--duration 30`. Everything is in bench/README.md. This run "
        f"took {total_seconds / 60:.1f} minutes. It is not part of `make test` or CI. Query counts that must not grow "
        "with the data are tested in tests/perf/.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
