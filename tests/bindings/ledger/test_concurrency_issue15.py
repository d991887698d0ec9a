"""Issue 15 under real concurrent transactions on PostgreSQL: inpatient settlements never overdraw the shared
balance, and a premium paid without a binding is still paid once per person and year, late part included.
(Skipped on SQLite, which has no row locks.) Policy rows are built by hand (issue15_world)."""

import datetime

import pytest

from bindings.ledger import services as ledger
from bindings.ledger.settlement import InpatientSlip, PlaceLocation
from bindings.models import EntryKind, LedgerEntry, PremiumPayment, Settlement
from policies.choices import InstitutionLevel, SpendScope
from policies.relationships import Relationship

from . import issue15_world as world
from .conftest import assert_books_balance, balance
from .test_concurrency import THREADS, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ON = datetime.date(2026, 6, 10)
Y = 100


def test_concurrent_inpatient_stays_never_overdraw_the_shared_balance():
    world.version("719900", "宜春市", "江西省", spend_scope=SpendScope.PROVINCE, inpatient_allowed=True)
    son = world.person("719902", balance_yuan=1000)
    parents = [world.person("719902", resident=True, birth=datetime.date(1950, 1, 1)) for _ in range(2)]
    for parent, relationship in zip(parents, (Relationship.PARENT, Relationship.SPOUSE), strict=True):
        world.bound(son, parent, relationship)
    stay = InpatientSlip(
        level=InstitutionLevel.LEVEL2,
        location=PlaceLocation.INSURED_CITY,
        filed=False,
        total_fen=700 * Y,
        in_scope_fen=600 * Y,
        fund_fen=300 * Y,
    )
    calls = [
        (lambda p=parents[i % 2]: ledger.settlement_post(patient=p, authorizer=son, visit=stay, actor=None, on=ON))
        for i in range(THREADS)
    ]
    results, errors = run_together(calls)
    posted = [r for r in results if r is not None]
    # Each stay wants 300 of the shared balance: 300 + 300 + 300 + the last 100, the rest are refused.
    assert sorted(s.shared_fen for s in posted) == [100 * Y, 300 * Y, 300 * Y, 300 * Y]
    assert balance(son) == 0 and all(e.code == "shared_blocked" for e in errors if e is not None)
    assert Settlement.objects.count() == 4 and LedgerEntry.objects.filter(kind=EntryKind.SHARED_OUT).count() == 4
    assert_books_balance(son)


def test_a_premium_without_a_binding_is_paid_once_late_part_included():
    version = world.guigang_version()
    world.standard(version, 2026, "380", due_on=datetime.date(2025, 12, 31), late_extra_yuan="670")
    payers = [world.person("729902", balance_yuan=2000) for _ in range(2)]  # husband and wife, both pressing
    in_law = world.person("729902", resident=True, birth=datetime.date(1953, 5, 5))
    calls = [
        (
            lambda p=payers[i % 2]: ledger.premium_pay(
                payer=p, beneficiary=in_law, relationship="parent_in_law", year=2026, actor=None, on=ON
            )
        )
        for i in range(THREADS)
    ]
    results, errors = run_together(calls)
    (payment,) = [r for r in results if r is not None]
    assert {e.code for e in errors if e is not None} == {"already_paid"}
    assert (payment.amount_fen, payment.late_fen, payment.binding) == (1050 * Y, 670 * Y, None)
    assert PremiumPayment.objects.count() == 1
    assert sorted(balance(p) for p in payers) == [950 * Y, 2000 * Y]
    assert_books_balance(*payers)
