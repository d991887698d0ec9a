"""The ledger pages and the signed-in home ask the database a fixed, small number of questions of their own (issue 16).

Counted as the page's queries minus /accounts/me/'s (the chrome every page shares: session, user, the household
switcher), after a warm-up, with relatives, settlements, caps and premiums on the books.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bindings.ledger import services as ledger
from policies.relationships import Relationship
from tests.bindings.ledger.conftest import Family, visit

# What building each page costs: kept pages (config.pagecache, tests/perf/test_page_cache.py) are off here.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_pages")]
Y = 100


@pytest.fixture
def books(policies):
    """宜春: 王 (1000 元) pays for his father and his child, with a cap and settlements for both this year."""
    family = Family()
    son = family.authorizer(balance_yuan=1000)
    father = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    child = family.relative(birth=datetime.date(2015, 6, 1))
    family.bind(son, father, Relationship.PARENT)
    b_child = family.bind(son, child, Relationship.CHILD)
    ledger.spending_cap_set(binding=b_child, monthly_limit_fen=500 * Y, actor=family.account(son))
    today = datetime.date.today()
    for patient in (father, child, father):
        ledger.settlement_post(
            patient=patient, authorizer=son, visit=visit(10), actor=None, on=today, declared_fund_fen=0
        )
    return {"family": family, "son": son, "child": child}


def queries(client, url) -> list[str]:
    client.get(url)  # warm-up: per-process look-ups, the switcher's cached answer
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]  # before the next request resets the log


def own_queries(client, url):
    page = queries(client, url)
    return len(page) - len(queries(client, reverse("accounts:profile"))), page


@pytest.mark.parametrize(
    ("who", "url", "own"),
    [
        # the bindings both ways with caps, the year's summary, one page of each list (no count)
        ("son", "ledger:usage", 4),
        ("son", "ledger:usage?year=2020", 3),  # a year without shared debits: nothing to list, not asked
        ("child", "ledger:usage", 2),  # no personal account: who pays for him with the cap, what he used
        ("son", "ledger:simulator", 1),  # the bindings both ways
        ("son", "ledger:premium", 2),  # the bindings, every premium payment the page shows or quotes against
        ("son", "home", 1),  # every binding he authorizes: the live ones listed, all counted for the quota
    ],
)
def test_ledger_page_queries(client, books, who, url, own):
    client.force_login(books["family"].account(books[who]))
    name, _, query = url.partition("?")
    count, sql = own_queries(client, f"{reverse(name)}?{query}")
    assert count == own, sql


def test_the_statement_reads_only_what_it_shows(client, books):
    client.force_login(books["family"].account(books["son"]))
    count, sql = own_queries(client, reverse("ledger:statement"))
    assert count == 2, sql  # the opening balance, the month's entries
    entries = next(q for q in sql if "bindings_ledgerentry" in q.split("WHERE")[0] and "ORDER BY" in q)
    assert "accounts_insuredperson" not in entries  # the beneficiary is not on the statement
    assert "balance_after_fen" not in entries.split("FROM")[0]


def test_home_tiles_are_reversed_once_per_process(client, books, monkeypatch):
    from config import tiles

    client.force_login(books["family"].account(books["son"]))
    client.get("/")
    calls = []
    real = tiles.reverse
    monkeypatch.setattr(tiles, "reverse", lambda name, *a, **k: calls.append(name) or real(name, *a, **k))
    page = client.get("/").content.decode()
    assert calls == [] and reverse("ledger:usage") in page


def test_the_simulators_blank_fields_are_rendered_once_and_hold_nothing_personal(client, books, monkeypatch):
    from bindings.ledger import fieldhtml

    family, son, child = books["family"], books["son"], books["child"]
    client.force_login(family.account(son))
    first = client.get(reverse("ledger:simulator")).content.decode()
    rendered = []
    real = fieldhtml.field
    monkeypatch.setattr(fieldhtml, "field", lambda bf: rendered.append(bf.name) or real(bf))
    again = client.get(reverse("ledger:simulator")).content.decode()
    assert rendered == ["patient"]  # the rest comes from the kept markup
    assert again.count('name="level"') == first.count('name="level"') == 1 and child.name in again
    client.force_login(family.account(child))
    page = client.get(reverse("ledger:simulator")).content.decode()
    assert rendered == ["patient", "patient"]
    assert f"本人（{child.name}）" in page and son.name not in page  # his own patient choice; the payer masked
