"""In-process measurements on the benchmark database: the pre-check's latency, and where each page's time goes.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... python bench/inprocess.py SEED.json PAGES.json OUT.json

Run by bench/run.py after seeding. The pre-check (bindings.services.binding_add_relative: the registry lookup,
binding_facts and policies.eligibility.check_eligibility, and the draft row) runs inside a transaction that is
rolled back, so every iteration sees the same data. Page profiles use Django's test client against the same
database and Redis, counting queries and the time they take, to say why a page is slower than another.
"""

# ruff: noqa: E402 - Django is set up before the project's modules are imported
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection, connections, transaction
from django.template.backends.django import Template as DjangoTemplate
from django.test import Client
from django.utils import timezone

from accounts.models import InsuredPerson
from bindings import services
from bindings.models import Application
from bindings.selectors import binding_facts
from bindings.services import RelativeInput
from config import pagecache
from policies.eligibility import check_eligibility

ITERATIONS = int(os.environ.get("BENCH_PRECHECK_ITERATIONS", 500))


def percentiles(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)

    def pick(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50": pick(50),
        "p95": pick(95),
        "p99": pick(99),
        "mean": statistics.fmean(ordered),
    }


def precheck(seed: dict) -> dict:
    first = seed["prechecks"][0]
    case = first["path"].rstrip("/").split("/")[-2]
    application = Application.objects.select_related("authorizer").get(case_number=case)
    user = application.created_by
    data = RelativeInput(**first["body"])
    on = timezone.localdate()

    def full():
        with transaction.atomic():
            result = services.binding_add_relative(application=application, data=data, actor=user)
            assert result.binding is not None, [r.message for r in result.verdict.reasons]
            transaction.set_rollback(True)

    relative = InsuredPerson.objects.get(id_number=data.id_number)

    def engine_only():
        facts = binding_facts(authorizer=application.authorizer, relative=relative, on=on, application=application)
        check_eligibility(
            authorizer=application.authorizer, relative=relative, relationship="child", on=on, facts=facts
        )

    out = {}
    for name, call in (("binding_add_relative", full), ("facts_and_check_eligibility", engine_only)):
        for _ in range(20):
            call()
        samples = []
        for _ in range(ITERATIONS):
            start = time.perf_counter()
            call()
            samples.append((time.perf_counter() - start) * 1000)
        out[name] = percentiles(samples)
    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        full()
    out["binding_add_relative"]["queries"] = len(timer.statements)
    out["binding_add_relative"]["sql_ms"] = sum(ms for _sql, ms in timer.statements)
    out["binding_add_relative"]["resolved_policy_calls"] = resolved_policy_calls(timer.statements)
    out["binding_add_relative"]["policy_queries"] = sum(1 for q, _ms in timer.statements if '"policies_' in q)
    return out


class SqlTimer:
    """An execute wrapper that times every statement with perf_counter (Django's own log rounds to 1 ms)."""

    def __init__(self, templates=None):
        self.statements: list[tuple[str, float]] = []
        self.params: list = []
        self.in_templates_ms = 0.0
        self._templates = templates

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - start) * 1000
            self.statements.append((sql, ms))
            self.params.append(params)
            if self._templates is not None and self._templates.depth:
                self.in_templates_ms += ms


class CommitTimer:
    """Time spent in COMMIT (a durable write waits for the WAL flush), which execute wrappers do not see."""

    def __init__(self):
        self.ms = 0.0
        self._db = connections["default"]

    def __enter__(self):
        original = self._db._commit

        def commit():
            start = time.perf_counter()
            try:
                return original()
            finally:
                self.ms += (time.perf_counter() - start) * 1000

        self._db._commit = commit
        return self

    def __exit__(self, *exc):
        del self._db._commit


class TemplateTimer:
    """Time spent rendering templates (outermost render only; queries run from templates are inside it)."""

    def __init__(self):
        self.ms = 0.0
        self.depth = 0
        self._original = DjangoTemplate.render
        timer = self

        def render(template, context=None, request=None):
            timer.depth += 1
            start = time.perf_counter()
            try:
                return timer._original(template, context, request)
            finally:
                timer.depth -= 1
                if timer.depth == 0:
                    timer.ms += (time.perf_counter() - start) * 1000

        self._patched = render

    def __enter__(self):
        DjangoTemplate.render = self._patched
        return self

    def __exit__(self, *exc):
        DjangoTemplate.render = self._original


def resolved_policy_calls(statements) -> int:
    """policies.selectors.resolved_policies runs one query on policies_policyversion joined to its region."""
    return sum(
        1
        for sql, _ms in statements
        if 'FROM "policies_policyversion" INNER JOIN "policies_region"' in sql
        and '"policies_policyversion"."effective_from" IS NULL' in sql
    )


def explain(sql: str, params) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of a SELECT as the page ran it: the plan, its time and the indexes it used."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return {"sql": " ".join(sql.split()), "plan": "(not a SELECT: not explained, EXPLAIN ANALYZE would run it)"}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    indexes = sorted(
        set(re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\S+)", plan))
        | set(re.findall(r"Bitmap Index Scan on (\S+)", plan))
    )
    seq = sorted(set(re.findall(r"Seq Scan on (\S+)", plan)))
    return {"sql": " ".join(sql.split()), "plan": plan, "indexes": indexes, "seq_scans": seq}


def kept(call) -> tuple[float, bool]:
    """The median time of a page served again (config.pagecache) and whether it was kept at all."""
    call()
    walls, hits = [], []
    for _ in range(10):
        start = time.perf_counter()
        response = call()
        walls.append((time.perf_counter() - start) * 1000)
        hits.append(getattr(response, "viewer_page_hit", False))
    return statistics.median(walls), all(hits)


def profile_pages(seed: dict, pages: list[dict]) -> dict:
    """Per page: wall time in process, time in SQL and in templates, query counts by app, the slowest statement,
    all for building the page (config.pagecache off); then the time of the page served again as make bench's
    requests are (kept_ms, and whether it was kept)."""
    out = {}
    host = {"HTTP_HOST": "127.0.0.1", "secure": True}
    for page in pages:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = page["session"]
        client.cookies[settings.CSRF_COOKIE_NAME] = seed["csrf"]

        def call(page=page, client=client):
            if page["method"] == "POST":
                response = client.post(page["path"], page["body"], **host)
            else:
                response = client.get(page["path"], **host)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            assert response.status_code == page["expect"], (page["path"], response.status_code)
            return response

        pagecache.enabled = False
        for _ in range(3):
            call()
        walls, sql, templates, policy_sql, commits, rest = [], [], [], [], [], []
        slowest, slowest_params, last = (0.0, ""), None, None
        for _ in range(10):
            rendering = TemplateTimer()
            timer = SqlTimer(rendering)
            with connection.execute_wrapper(timer), rendering, CommitTimer() as committing:
                start = time.perf_counter()
                call()
                walls.append((time.perf_counter() - start) * 1000)
            outside = sum(ms for _sql, ms in timer.statements) - timer.in_templates_ms
            rest.append(walls[-1] - rendering.ms - outside - committing.ms)
            sql.append(sum(ms for _sql, ms in timer.statements))
            templates.append(rendering.ms)
            commits.append(committing.ms)
            policy_sql.append(sum(ms for q, ms in timer.statements if '"policies_' in q))
            for (statement, ms), params in zip(timer.statements, timer.params, strict=True):
                if ms > slowest[0]:
                    slowest, slowest_params = (ms, statement), params
            last = timer.statements
        pagecache.enabled = True
        kept_ms, was_kept = kept(call)
        out[page["key"]] = {
            "kept_ms": kept_ms,
            "kept": was_kept,
            "wall_ms": statistics.median(walls),
            "sql_ms": statistics.median(sql),
            "template_ms": statistics.median(templates),
            "commit_ms": statistics.median(commits),
            "python_ms": statistics.median(rest),
            "queries": len(last),
            "policy_queries": sum(1 for q, _ms in last if '"policies_' in q),
            "policy_sql_ms": statistics.median(policy_sql),
            "resolved_policy_calls": resolved_policy_calls(last),
            "slowest_ms": slowest[0],
            "slowest_sql": " ".join(slowest[1].split())[:400],
        }
        if os.environ.get("BENCH_EXPLAIN"):
            out[page["key"]]["explain"] = explain(slowest[1], slowest_params)
    return out


def main(seed_path: str, pages_path: str, out_path: str) -> None:
    seed = json.loads(Path(seed_path).read_text())
    pages = json.loads(Path(pages_path).read_text())
    result = {"precheck": precheck(seed), "pages": profile_pages(seed, pages)}
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:4])
