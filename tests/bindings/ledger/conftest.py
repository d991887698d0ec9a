"""Ledger test helpers. People and bindings are built through the real binding services (tests.bindings'
Hall), money moves only through the ledger services."""

import datetime

import pytest

from bindings.ledger import services as ledger
from bindings.ledger.settlement import Item, ItemKind, PlaceLocation, Visit
from policies.choices import InstitutionLevel
from tests.bindings.conftest import Hall


def visit(*amounts_yuan, level=InstitutionLevel.LEVEL1, location=PlaceLocation.INSURED_CITY, filed=False, kind=None):
    """A visit with one in-scope item per amount (元, as int or str); kind= overrides the item kind."""
    from decimal import Decimal

    items = tuple(Item(kind or ItemKind.DRUG, int(Decimal(str(a)) * 100)) for a in amounts_yuan)
    return Visit(level=level, location=location, filed=filed, items=items)


class Family(Hall):
    """Hall plus opening balances, so balance == sum(entries) from the start."""

    def person(self, city="yichun", **kwargs):
        person = super().person(city, **kwargs)
        ledger.ledger_open_balance(person=person, on=datetime.date(2020, 1, 1))
        return person

    def authorizer(self, city="yichun", balance_yuan=1000, **kwargs):
        return self.person(city, balance_fen=balance_yuan * 100, **kwargs)


@pytest.fixture
def family(policies):
    return Family()


def assert_books_balance(*people):
    """balance == sum(entries), and the last entry's running balance is the balance."""
    from accounts.models import InsuredPerson
    from bindings.ledger.selectors import ledger_sum_fen
    from bindings.models import LedgerEntry

    for person in people:
        fresh = InsuredPerson.objects.get(pk=person.pk)
        assert fresh.balance_fen == ledger_sum_fen(fresh), fresh
        assert fresh.balance_fen >= 0
        last = LedgerEntry.objects.filter(person=fresh).order_by("-id").first()
        if last is not None:
            assert last.balance_after_fen == fresh.balance_fen


def balance(person) -> int:
    from accounts.models import InsuredPerson

    return InsuredPerson.objects.get(pk=person.pk).balance_fen
