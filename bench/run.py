"""The benchmark suite: `make bench`. Seeds, serves, loads, measures, and writes BENCHMARKS.md.

    .venv/bin/python bench/run.py [--duration 15] [--warmup 3] [--connections 2] [--port 8765] [--out BENCHMARKS.md]

1. Starts PostgreSQL and Redis on loopback when they are down (deploy/local-services.sh).
2. Recreates the database hall_bench; migrate, load_policies, seed_demo, collectstatic, then bench/seed.py:
   100,000 registry people and 50,000 submitted bindings with COPY, and the signed-in users.
3. Serves it with gunicorn (config/gunicorn.conf.py, 2 sync workers) in the production profile (bench.settings:
   production plus the bare baseline page): PostgreSQL, sessions cached_db on Redis, WhiteNoise, CSP.
4. Loads each page with wrk on 127.0.0.1 only, for a bounded time, and reads requests/s and p50/p95/p99.
5. Measures in process: the pre-check's latency, each page's queries and SQL time (bench/inprocess.py), and the
   12-megapixel photo (bench/bench_documents.py).
6. Writes BENCHMARKS.md with the machine it ran on and the targets met or missed.
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

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
PG = ["-h", "127.0.0.1", "-U", "postgres"]

RESIDENT_TARGET = 0.60  # of the bare authenticated page's throughput
QUEUE_P95_TARGET_MS = 200
PRECHECK_P95_TARGET_MS = 10
PHOTO_SECONDS_TARGET = 1.0
PHOTO_PEAK_TARGET_MB = 300

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each measurement")
    parser.add_argument("--connections", type=int, default=2, help="concurrent connections (one per worker)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="hall_bench")
    parser.add_argument("--redis-db", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (apt-get install wrk)")

    run(["bash", "deploy/local-services.sh"])
    work = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    private = ROOT / "var" / "bench-private"
    shutil.rmtree(private, ignore_errors=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PRIVATE_MEDIA_ROOT": str(private),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling in the middle of a measurement
        "LOG_LEVEL": "WARNING",
        "HALL_DEMO_DEVICES": "true",  # demo data behind the simulated SMS outbox and face verifier
    }

    log(f"recreating database {args.database} and Redis db {args.redis_db}")
    run(["dropdb", *PG, "--if-exists", args.database])
    run(["createdb", *PG, args.database])
    run(["redis-cli", "-h", "127.0.0.1", "-n", str(args.redis_db), "FLUSHDB"], stdout=subprocess.DEVNULL)
    log("migrate, load_policies, seed_demo, collectstatic")
    for command in (["migrate", "--noinput"], ["load_policies"], ["seed_demo"], ["collectstatic", "--noinput"]):
        manage(env, *command)
    log("seeding 100,000 people and 50,000 bindings")
    seed_started = time.perf_counter()
    run([PYTHON, "bench/seed.py", str(work / "seed.json")], env=env)
    seed_seconds = time.perf_counter() - seed_started
    seed = json.loads((work / "seed.json").read_text())

    base = f"http://127.0.0.1:{args.port}"
    cookie = f"sessionid={{}}; csrftoken={seed['csrf']}"
    common = {"X-Forwarded-Proto": "https"}  # as nginx sends it: the production profile redirects plain HTTP
    resident = {**common, "Cookie": cookie.format(seed["resident_session"])}
    admin = {**common, "Cookie": cookie.format(seed["admin_session"])}
    pages = [
        {"key": "bare", "name": "bare authenticated page (baseline)", "path": "/bench/bare/", "headers": resident},
        {"key": "home", "name": "home", "path": "/", "headers": resident, "resident": True},
        {"key": "policy", "name": "city policy page", "path": "/policies/yichun/", "headers": resident,
         "resident": True},
        {"key": "mine", "name": "我的共济关系", "path": "/bindings/mine/", "headers": resident, "resident": True},
        {"key": "precheck", "name": "binding pre-check (POST)", "path": seed["prechecks"][0]["path"], "method": "POST",
         "expect": 302, "resident": True},
        {"key": "queue", "name": "admin review queue", "path": "/admin/bindings/binding/", "headers": admin},
        {"key": "document", "name": "document view", "path": f"/bindings/documents/{seed['document']}/",
         "headers": resident, "resident": True},
        {"key": "simulator", "name": "settlement simulator", "path": "/ledger/simulator/", "headers": resident,
         "resident": True},
    ]  # fmt: skip
    post_targets = []
    for p in seed["prechecks"]:
        body = urllib.parse.urlencode({**p["body"], "csrfmiddlewaretoken": seed["csrf"]})
        post_targets.append(
            {
                "path": p["path"],
                "body": body,
                "headers": {
                    **common,
                    "Cookie": cookie.format(p["session"]),
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://127.0.0.1:{args.port}",
                },
            }
        )
    (work / "report.lua").write_text(REPORT_LUA)
    (work / "post.lua").write_text(post_script(post_targets))

    log(f"starting gunicorn on {base} (2 workers, production profile)")
    server = subprocess.Popen(
        [GUNICORN, "--config", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{args.port}", "config.wsgi"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    results = {}
    try:
        for _ in range(150):
            try:
                if fetch(base + "/healthz", {}) == 200:
                    break
            except OSError:  # not listening yet
                pass
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited")
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not become healthy")
        for page in pages:
            expect = page.get("expect", 200)
            if page.get("method") == "POST":
                t = post_targets[0]
                status = fetch(base + t["path"], t["headers"], t["body"].encode())
            else:
                status = fetch(base + page["path"], page["headers"])
            if page["key"] == "simulator" and status == 404:
                page["pending"] = True
                log("the settlement simulator is not there yet: pending")
                continue
            if status != expect:
                raise RuntimeError(f"{page['path']} answered {status}, expected {expect}")
            script = work / ("post.lua" if page.get("method") == "POST" else "report.lua")
            headers = {} if page.get("method") == "POST" else page["headers"]
            log(f"wrk {page['path']} ({args.warmup} s warm-up, {args.duration} s)")
            wrk(base + page["path"], script, headers, args.warmup, args.connections)
            results[page["key"]] = wrk(base + page["path"], script, headers, args.duration, args.connections)
            r = results[page["key"]]
            log(f"  {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    load_after = os.getloadavg()[0]
    log("in-process: pre-check latency and page profiles")
    profile_pages = [
        {
            "key": p["key"],
            "path": p["path"],
            "method": p.get("method", "GET"),
            "expect": p.get("expect", 200),
            "session": (seed["prechecks"][0]["session"] if p.get("method") == "POST" else None)
            or (seed["admin_session"] if p["key"] == "queue" else seed["resident_session"]),
            "body": seed["prechecks"][0]["body"] if p.get("method") == "POST" else None,
        }
        for p in pages
        if not p.get("pending")
    ]
    (work / "pages.json").write_text(json.dumps(profile_pages))
    run([PYTHON, "bench/inprocess.py", str(work / "seed.json"), str(work / "pages.json"), str(work / "inprocess.json")],
        env=env)  # fmt: skip
    inprocess = json.loads((work / "inprocess.json").read_text())
    log("12-megapixel photo")
    run([PYTHON, "bench/bench_documents.py", "--runs", "3", "--json", str(work / "photo.json")], env=os.environ.copy())
    photo = json.loads((work / "photo.json").read_text())

    report = render(
        args=args,
        machine=machine(env),
        seed=seed,
        seed_seconds=seed_seconds,
        pages=pages,
        results=results,
        inprocess=inprocess,
        photo=photo,
        total_seconds=time.perf_counter() - started,
        load=(load_before, load_after),
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


def render(*, args, machine, seed, seed_seconds, pages, results, inprocess, photo, total_seconds, load) -> str:
    bare = results["bare"]["rps"]
    profiles = inprocess["pages"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (bench/run.py) on {datetime.date.today():%Y-%m-%d}; run it again rather than "
        "editing this file. Numbers from one machine are comparable with each other, not with another machine's.",
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
        "Everything ran on this one machine: wrk, gunicorn's 2 sync workers, PostgreSQL and Redis share its cores, "
        "so the absolute numbers are lower than on a server where the database has its own; the ratios to the "
        "bare page are the portable part. 1-minute load average before the run "
        f"{load[0]:.2f}, after the load tests {load[1]:.2f} (above 2 means something else was busy too).",
        "",
        "## Data",
        "",
        f"{seed['counts']['people']:,} registry people and {seed['counts']['bindings']:,} bindings, of which "
        f"{seed['counts']['submitted']:,} wait in the review queue. The bulk rows went in with COPY in "
        f"{seed['seed']['seconds']:.1f} s (the whole seed step, with the signed-in users made through the services, "
        f"{seed_seconds:.1f} s). Database `{args.database}`, Redis database {args.redis_db}.",
        "",
        "## Pages",
        "",
        f"wrk on 127.0.0.1, {args.connections} connections (one per worker), {args.duration} s per page after "
        f"{args.warmup} s of warm-up, gunicorn's worker recycling (max_requests) off; production profile "
        "(bench.settings): PostgreSQL with persistent connections, "
        "sessions cached_db on Redis, django-axes and SMS limits in PostgreSQL, WhiteNoise, CSP. "
        "Residents' pages are signed in as 王建国 (two active bindings with proof); "
        "the queue as the superuser, who sees all "
        f"{seed['counts']['submitted']:,} submitted cases; the pre-check rotates over "
        f"{len(seed['prechecks'])} residents, each with a draft and a relative to check.",
        "",
        "| page | URL | req/s | vs bare | p50 ms | p95 ms | p99 ms | queries | SQL ms | template ms | in-process ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        if page.get("pending"):
            lines.append(f"| {page['name']} | `{page['path']}` | pending | | | | | | | | |")
            continue
        r, prof = results[page["key"]], profiles[page["key"]]
        method = "POST " if page.get("method") == "POST" else ""
        lines.append(
            f"| {page['name']} | `{method}{page['path']}` | {r['rps']:.0f} | {r['rps'] / bare:.0%} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {prof['queries']} | {prof['sql_ms']:.1f} | "
            f"{prof['template_ms']:.1f} | {prof['wall_ms']:.1f} |"
        )
    errors = sum(r["errors"] for r in results.values())
    lines += [
        "",
        f"Errors and unexpected statuses over all runs: {errors}. The last four columns come from Django's test "
        "client on the same database and Redis (median of 10 requests, one at a time, statements timed one by one): "
        "they say where a page's time goes, for the *why* below. Template time includes queries that templates run.",
        "",
        "## In process",
        "",
    ]
    pre = inprocess["precheck"]
    full, engine = pre["binding_add_relative"], pre["facts_and_check_eligibility"]
    lines += [
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
        "## Targets",
        "",
    ]
    bare_prof = profiles["bare"]
    for page in pages:
        if not page.get("resident"):
            continue
        if page.get("pending"):
            lines.append(f"- **{page['name']}**: pending (`{page['path']}` not built when this ran).")
            continue
        ratio = results[page["key"]]["rps"] / bare
        prof = profiles[page["key"]]
        why = breakdown(prof, bare_prof)
        if ratio >= RESIDENT_TARGET:
            lines.append(f"- **{page['name']}**: met, {ratio:.0%} of the bare page (target 60%).")
        else:
            lines.append(
                f"- **{page['name']}**: missed, {ratio:.0%} of the bare page, {RESIDENT_TARGET - ratio:.0%} points "
                f"short of 60%. {why}"
            )
    queue = results["queue"]
    qprof = profiles["queue"]
    status = "met" if queue["p95"] < QUEUE_P95_TARGET_MS else "missed"
    lines.append(
        f"- **admin review queue** with {seed['counts']['submitted']:,} submitted: {status}, p95 {queue['p95']:.0f} ms "
        f"(target under {QUEUE_P95_TARGET_MS} ms"
        + (f", over by {queue['p95'] - QUEUE_P95_TARGET_MS:.0f} ms" if status == "missed" else "")
        + f"). {breakdown(qprof, bare_prof)}"
    )
    status = "met" if full["p95"] < PRECHECK_P95_TARGET_MS else "missed"
    lines.append(
        f"- **pre-check in process**: {status}, p95 {full['p95']:.2f} ms (target under {PRECHECK_P95_TARGET_MS} ms"
        + (f", over by {full['p95'] - PRECHECK_P95_TARGET_MS:.2f} ms" if status == "missed" else "")
        + f"); {full['queries']} queries, {full['sql_ms']:.1f} ms of them in SQL; {full['policy_queries']} of the "
        f"queries read the policy tables (resolved policies come from a per-process memo after the first call). "
        f"The engine's share (facts and rules) p95 {engine['p95']:.2f} ms; the rest is the registry lookup, the "
        "row lock and the draft row."
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
        "`make bench` (installs wrk with apt-get when missing; needs the local PostgreSQL and Redis, which it starts "
        f'when they are down). Options: `BENCH_ARGS="--duration 30 --connections 4" make bench`. This run took '
        f"{total_seconds / 60:.1f} minutes. It is not part of `make test` or CI. Query counts that must not grow "
        "with the data are tested in tests/perf/test_query_counts.py.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
