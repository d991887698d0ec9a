"""The benchmark's pure parts: the seeder writes the rows it promises inside every constraint, the invariant
checker finds a broken invariant, and the nginx configuration is rendered from the deploy example.

The seeder uses PostgreSQL's COPY: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/hall_bench_g.
"""

from pathlib import Path

import pytest
from django.db.models import F

from accounts.models import AuditEntry, InsuredPerson
from bindings.models import Application, Binding, BindingEvent, LedgerEntry, Status
from tests.factories import InsuredPersonFactory, StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PEOPLE, PENDING = 600, 100
TABLES = {
    "people": InsuredPerson,
    "bindings": Binding,
    "events": BindingEvent,
    "ledger": LedgerEntry,
    "audit": AuditEntry,
}


@pytest.fixture
def seeded(policies):
    from bench import seed

    before = {key: model.objects.count() for key, model in TABLES.items()}
    result = seed.seed_bulk(PEOPLE, pending_max=PENDING, clerk=StaffFactory(is_superuser=True))
    return seed, before, result


def test_the_seeder_writes_the_planned_rows(seeded):
    seed, before, result = seeded
    plan = seed.plan(PEOPLE, PENDING)
    assert plan == {"people": 600, "bindings": 300, "submitted": 100, "active": 200, "events": 500,
                    "ledger": 600, "audit": 60}  # fmt: skip
    for key, model in TABLES.items():
        assert model.objects.count() - before[key] == plan[key], key
    bulk = Binding.objects.filter(application__case_number__regex=r"^GJ\d{8}9\d{7}$")
    assert bulk.filter(status=Status.SUBMITTED).count() == PENDING
    assert bulk.filter(status=Status.ACTIVE, start_date__isnull=False).count() == plan["active"]
    assert Application.objects.filter(bindings__in=bulk).count() == plan["bindings"]
    # Pairs share a city, so a clerk of one city sees a sixth of the queue.
    assert not bulk.exclude(authorizer__city_code=F("relative__city_code")).exists()
    assert result["people"] == PEOPLE and result["seconds"] > 0


def test_the_seeded_rows_keep_the_invariants(seeded):
    from bench.invariants import all_hold, check_invariants

    result = check_invariants()
    assert all_hold(result), result
    assert result["balance_equals_ledger_sum"]["checked"] >= PEOPLE // 2


def test_the_checker_finds_a_balance_that_is_not_the_sum_of_its_entries(seeded):
    from bench.invariants import all_hold, check_invariants

    person = LedgerEntry.objects.order_by("-id").first().person
    InsuredPerson.objects.filter(pk=person.pk).update(balance_fen=F("balance_fen") + 1)
    result = check_invariants()
    assert not all_hold(result)
    assert result["balance_equals_ledger_sum"]["broken"] == [
        f"person {person.pk}: balance {person.balance_fen + 1} fen, entries sum to {person.balance_fen}"
    ]
    assert not result["quota"]["broken"] and not result["one_authorizer_per_relative"]["broken"]


def test_the_checker_finds_an_authorizer_over_his_citys_quota(seeded):
    from bench.invariants import check_invariants

    # 攀枝花 (四川) allows 5 at once: one of its authorizers with a live binding gets five more.
    binding = Binding.objects.filter(application__city_code="510400", status=Status.ACTIVE).first()
    for _ in range(5):
        relative = InsuredPersonFactory(district="510402", resident=True)
        Binding.objects.create(application=binding.application, authorizer=binding.authorizer, relative=relative,
                               relationship="child", status=Status.SUBMITTED)  # fmt: skip
    result = check_invariants()
    assert result["quota"]["broken"] == [f"authorizer {binding.authorizer_id}: 6 live bindings, limit 5 (510400)"]


def test_the_nginx_configuration_is_the_deploy_example_with_the_bench_ports(tmp_path):
    from bench.scaleout import EXAMPLE, render_site

    site = render_site(EXAMPLE.read_text(), upstreams=[8767, 8768], port=8790, redirect_port=8791, tmp=tmp_path,
                       private=Path("/srv/private"))  # fmt: skip
    assert "server 127.0.0.1:8767 fail_timeout=0;\n    server 127.0.0.1:8768 fail_timeout=0;" in site
    assert "listen 127.0.0.1:8790 ssl http2;" in site and "[::]" not in site
    assert f"ssl_certificate     {tmp_path}/cert.pem;" in site and "alias /srv/private/;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site  # the example's proxying, unchanged
    with pytest.raises(RuntimeError, match="no longer has"):
        render_site("upstream hall_app {}", upstreams=[1], port=2, redirect_port=3, tmp=tmp_path, private=tmp_path)
