"""The pages' one-query reads (issue 16) answer what the selectors they replace answer."""

import datetime

import pytest
from django.core.paginator import Paginator

from bindings import services
from bindings.ledger import premiums, selectors
from bindings.ledger import services as ledger
from bindings.models import LedgerEntry, PremiumPayment
from policies.relationships import Relationship

from .conftest import visit

Y = 100
TODAY = datetime.date.today()


@pytest.fixture
def books(family):
    """王 pays for his father (capped) and his child; his father is also paid for by nobody else; a dissolved
    binding stays in the history."""
    son = family.authorizer(balance_yuan=1000)
    father = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    child = family.relative(birth=datetime.date(2015, 6, 1))
    b_father = family.bind(son, father, Relationship.PARENT)
    b_child = family.bind(son, child, Relationship.CHILD)
    ledger.spending_cap_set(binding=b_father, monthly_limit_fen=300 * Y, actor=family.account(son))
    for patient in (father, child, father):
        ledger.settlement_post(
            patient=patient, authorizer=son, visit=visit(10), actor=None, on=TODAY, declared_fund_fen=0
        )
    return {"family": family, "son": son, "father": father, "child": child, "b_child": b_child}


def test_usage_caps_is_bindings_with_caps_and_cap_for_relative(books):
    for who in ("son", "father", "child"):
        person = books[who]
        caps, my_cap = selectors.usage_caps(person, TODAY)
        expected = list(selectors.bindings_with_caps(person, TODAY)) if person.has_personal_account else []
        assert [(b.pk, b.cap_fen, b.used_fen) for b in caps] == [(b.pk, b.cap_fen, b.used_fen) for b in expected]
        old = selectors.cap_for_relative(person, TODAY)
        if old is None:
            assert my_cap is None
        else:
            assert my_cap["binding"].pk == old["binding"].pk
            assert {k: my_cap[k] for k in ("cap_fen", "used_fen", "room_fen")} == {
                k: old[k] for k in ("cap_fen", "used_fen", "room_fen")
            }
    assert selectors.usage_caps(books["father"], TODAY)[1]["cap_fen"] == 300 * Y


def test_bindings_both_ways_are_the_two_selectors(books):
    services.binding_dissolve_by_party(binding=books["b_child"], user=books["family"].account(books["son"]))
    for who in ("son", "father", "child"):
        person = books[who]
        relatives, as_relative = selectors.bindings_in_force_both_ways(person, TODAY)
        expected = selectors.active_bindings_as_authorizer(person, TODAY) if person.has_personal_account else []
        assert relatives == expected
        assert as_relative == selectors.active_binding_as_relative(person, TODAY)


def test_premium_records_are_the_lists_and_the_quotes_lookup(books):
    son, child = books["son"], books["child"]
    PremiumPayment.objects.create(
        serial="JF0001",
        payer=son,
        beneficiary=child,
        year=TODAY.year,
        amount_fen=400 * Y,
        city_code=child.city_code,
        channel="online_hall",
    )
    records = premiums.premium_records(son, relative_ids=[child.pk], years=[TODAY.year, TODAY.year + 1])
    assert records.paid == list(premiums.premiums_paid_by(son))
    assert records.received == list(premiums.premiums_received_by(son)) == []
    assert records.for_year == {(child.pk, TODAY.year): PremiumPayment.objects.get()}
    assert premiums.premium_records(child).received == list(premiums.premiums_received_by(child))


@pytest.mark.parametrize("number", [None, "", "x", "1", "2", "3", "4", "99", "0", "-1", "2.5"])
def test_a_window_is_the_paginators_page(books, number):
    queryset = LedgerEntry.objects.order_by("id")
    total = queryset.count()
    per_page = 2 if total > 4 else 1
    page, expected = selectors.window(queryset, number, per_page), Paginator(queryset, per_page).get_page(number)
    assert list(page.object_list) == list(expected.object_list)
    assert page.number == expected.number
    for question in ("has_next", "has_previous", "has_other_pages"):
        assert answer(page, question) == answer(expected, question), question


def answer(page, question):
    """A Window's has_next is a value, a Page's a method: the template reads both the same way."""
    value = getattr(page, question)
    return value() if callable(value) else value
