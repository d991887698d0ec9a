"""Concurrent debits on one balance, on PostgreSQL with real threads: never overdrawn, never past a cap, never
paid twice, and the ledger always sums to the balance. (Skipped on SQLite, which has no row locks.)"""

import datetime
import threading

import pytest
from django.db import connection

from bindings.ledger import services as ledger
from bindings.ledger.errors import LedgerError
from bindings.models import EntryKind, LedgerEntry, PremiumPayment
from policies.relationships import Relationship

from .conftest import assert_books_balance, balance, visit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ON = datetime.date(2025, 6, 10)
Y = 100
THREADS = 8


def run_together(calls):
    """Start every call at the same moment; each thread closes its own connection."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except LedgerError as exc:
            errors[i] = exc
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    unexpected = [e for e in errors if e is not None and not isinstance(e, LedgerError)]
    assert not unexpected, unexpected
    return results, errors


def _parents(family, son, n):
    people = []
    for _ in range(n):
        parent = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
        family.bind(son, parent, Relationship.PARENT if not people else Relationship.SIBLING)
        people.append(parent)
    return people


def test_concurrent_shared_debits_never_overdraw(family):
    son = family.authorizer(balance_yuan=100)
    relatives = _parents(family, son, 2)
    calls = [
        (
            lambda r=relatives[i % 2]: ledger.settlement_post(
                patient=r, authorizer=son, visit=visit(30), actor=None, on=ON
            )
        )
        for i in range(THREADS)
    ]
    results, errors = run_together(calls)
    posted = [r for r in results if r is not None]
    shared = sum(s.shared_fen for s in posted)
    # 30 + 30 + 30 + the last 10; the rest are told the balance is zero.
    assert shared == 100 * Y and balance(son) == 0
    assert len(posted) == 4 and sorted(s.shared_fen for s in posted) == [10 * Y, 30 * Y, 30 * Y, 30 * Y]
    assert all(e.code == "shared_blocked" for e in errors if e is not None)
    assert LedgerEntry.objects.filter(kind=EntryKind.SHARED_OUT).count() == 4
    assert_books_balance(son, *relatives)


def test_concurrent_debits_respect_the_monthly_cap(family):
    son = family.authorizer(balance_yuan=1000)
    (father,) = _parents(family, son, 1)
    binding = father.bindings_as_relative.get()
    ledger.spending_cap_set(binding=binding, monthly_limit_fen=50 * Y, actor=family.account(son))
    calls = [
        (lambda: ledger.settlement_post(patient=father, authorizer=son, visit=visit(30), actor=None, on=ON))
        for _ in range(THREADS)
    ]
    results, _errors = run_together(calls)
    assert sum(s.shared_fen for s in results if s is not None) == 50 * Y
    assert balance(son) == 950 * Y
    assert_books_balance(son, father)


def test_a_premium_is_paid_once_however_many_press_the_button(family):
    liu = family.authorizer("hengyang", balance_yuan=6600)
    mother = family.relative("hengyang", birth=datetime.date(1950, 2, 14))
    family.bind(liu, mother, Relationship.PARENT)
    before = datetime.date(2024, 11, 1)
    calls = [
        (lambda: ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=None, on=before))
        for _ in range(THREADS)
    ]
    results, errors = run_together(calls)
    assert len([r for r in results if r is not None]) == 1
    assert {e.code for e in errors if e is not None} == {"already_paid"}
    assert PremiumPayment.objects.count() == 1 and balance(liu) == 6200 * Y
    assert_books_balance(liu)
