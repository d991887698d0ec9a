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


def test_the_bulk_load_builds_again_the_indexes_it_drops(policies):
    from django.db import connection

    from bench import seed

    tables = [m._meta.db_table for m in seed.BULK_MODELS]

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1", [tables])
            return cursor.fetchall()

    def constraints():
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
                   WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2""",
                [tables],
            )
            return cursor.fetchall()

    before, constraints_before = indexes(), constraints()
    with seed.bulk_load(foreign_keys=False) as load:
        during, constraints_during = dict(indexes()), constraints()
    assert load.indexes and all(name not in during for name, _sql in load.indexes)
    # Plain indexes and foreign keys go: what enforces a rule on the rows themselves stays while they go in.
    assert "binding_one_live_per_relative" in during and "ledger_one_opening_per_person" in during
    assert "accounts_insuredperson_id_number_key" in during and "bindings_binding_pkey" in during
    assert len(load.foreign_keys) >= 10 and {c[2] for c in constraints_during} == {"p", "u", "c"}
    assert {c[1] for c in constraints_during} >= {"binding_not_self", "ledger_sign_matches_kind"}
    assert indexes() == before and constraints() == constraints_before


def test_the_foreign_keys_come_back_checked(policies):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from bench import seed

    orphan = {"id": seed.next_ids(LedgerEntry, 1)[0], "person_id": 10**9, "kind": "opening", "amount_fen": 1,
              "balance_after_fen": 1, "occurred_on": seed.OPENING_DAY, "created_at": timezone.now()}  # fmt: skip
    load = seed.bulk_load(foreign_keys=False)
    with pytest.raises(IntegrityError, match="bindings_ledgerentry_person_id"), transaction.atomic(), load:
        seed.copy_rows(LedgerEntry, [orphan])


def test_the_bulk_id_numbers_are_make_id_numbers():
    from datetime import date, timedelta

    from accounts.demo import CITIES
    from accounts.idnumbers import make_id_number
    from bench import seed

    for city in seed.CITY_KEYS:
        district = CITIES[city][2]
        for day, sequence in ((0, 500), (1234, 501), (23_999, 541), (8_888, 999)):
            birth, number = seed.bulk_id_number(district, day, sequence)
            assert birth == date(1940, 1, 1) + timedelta(days=day)
            assert number == make_id_number(district, birth, sequence)


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
