"""seed_ledger gives the demo families a ledger that adds up, and running it again changes nothing."""

import io

from django.core.management import call_command

from accounts.models import InsuredPerson, Scheme
from bindings.ledger.selectors import ledger_sum_fen
from bindings.models import EntryKind, LedgerEntry, Settlement


def _run():
    call_command("seed_ledger", verbosity=0, stdout=io.StringIO())


def test_seed_ledger_is_idempotent_and_adds_up(db, policies):
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    _run()
    counts = (LedgerEntry.objects.count(), Settlement.objects.count())
    assert LedgerEntry.objects.filter(kind=EntryKind.SHARED_OUT).count() >= 10
    assert LedgerEntry.objects.filter(kind=EntryKind.CREDIT).exists()
    _run()
    assert (LedgerEntry.objects.count(), Settlement.objects.count()) == counts
    # seed_demo resets balances behind the ledger's back; seed_ledger reconciles them.
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    _run()
    for person in InsuredPerson.objects.filter(scheme=Scheme.EMPLOYEE):
        assert person.balance_fen == ledger_sum_fen(person), person
