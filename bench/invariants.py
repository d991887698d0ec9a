"""The invariants a load run must leave standing, checked in the database after it (bench/run.py's concurrency
phase), and by tests/perf/test_bench_seed.py against a broken row.

- quota: no authorizer holds more live bindings (pending or active, not expired) than his city's at-once limit;
- one authorizer per relative: no relative in two live bindings (the database has a unique index for it; this
  checks the index is still there and holding);
- balances: no balance below zero, and every personal account equals the sum of its ledger entries.

Each check is one statement over the whole table, so it runs at a million people in seconds.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... python bench/invariants.py [OUT.json]
"""

import json
import sys
from pathlib import Path


def check_invariants(on=None) -> dict:
    """{name: {"checked": rows looked at, "broken": [a few offending examples]}} for every invariant."""
    from django.db import connection
    from django.utils import timezone

    from bindings.models import LIVE_STATUSES, Binding
    from policies.selectors import resolved_policies

    on = on or timezone.localdate()
    live = Binding.objects.live(on)
    out = {}

    # Quota: per authorizer and city, live bindings against the city's at-once limit.
    cities = list(live.values_list("application__city_code", flat=True).distinct().order_by())
    limits = {
        code: policy.at_once_limit.value
        for code, policy in resolved_policies(cities, on).items()
        if policy.at_once_limit.value is not None
    }
    broken = []
    from django.db.models import Count

    for code, limit in limits.items():
        over = (
            live.filter(application__city_code=code)
            .values("authorizer_id")
            .annotate(n=Count("id"))
            .filter(n__gt=limit)
            .order_by()[:5]
        )
        broken += [
            f"authorizer {row['authorizer_id']}: {row['n']} live bindings, limit {limit} ({code})" for row in over
        ]
    out["quota"] = {"checked": live.values("authorizer_id").distinct().count(), "broken": broken}

    statuses = [str(s) for s in LIVE_STATUSES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relative_id, count(*) FROM bindings_binding WHERE status = ANY(%s) "
            "GROUP BY relative_id HAVING count(*) > 1 LIMIT 5",
            [statuses],
        )
        twice = cursor.fetchall()
        cursor.execute("SELECT count(DISTINCT relative_id) FROM bindings_binding WHERE status = ANY(%s)", [statuses])
        out["one_authorizer_per_relative"] = {
            "checked": cursor.fetchone()[0],
            "broken": [f"relative {rid}: {n} live bindings" for rid, n in twice],
        }

        cursor.execute("SELECT id, balance_fen FROM accounts_insuredperson WHERE balance_fen < 0 LIMIT 5")
        negative = [f"person {pk}: balance {fen} fen" for pk, fen in cursor.fetchall()]
        # Every person with a balance or an entry: the balance is the sum of the entries (none: zero).
        cursor.execute(
            "SELECT p.id, p.balance_fen, coalesce(l.total, 0) FROM accounts_insuredperson p "
            "LEFT JOIN (SELECT person_id, sum(amount_fen) AS total FROM bindings_ledgerentry GROUP BY person_id) l "
            "ON l.person_id = p.id WHERE p.balance_fen <> coalesce(l.total, 0) LIMIT 5"
        )
        unequal = [f"person {pk}: balance {fen} fen, entries sum to {total}" for pk, fen, total in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM accounts_insuredperson WHERE balance_fen <> 0")
        out["balance_not_negative"] = {"checked": cursor.fetchone()[0], "broken": negative}
        cursor.execute("SELECT count(DISTINCT person_id) FROM bindings_ledgerentry")
        out["balance_equals_ledger_sum"] = {"checked": cursor.fetchone()[0], "broken": unequal}
    return out


def all_hold(result: dict) -> bool:
    return not any(check["broken"] for check in result.values())


if __name__ == "__main__":
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    result = check_invariants()
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text)
    else:
        print(text)
    sys.exit(0 if all_hold(result) else 1)
