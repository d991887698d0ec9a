""" "In force" has one definition (Binding.objects.in_force / Binding.in_force_on), and every ledger client asks it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bindings.ledger import premiums
from bindings.ledger import services as ledger
from bindings.ledger.errors import LedgerError
from bindings.ledger.selectors import (
    active_binding_as_relative,
    active_bindings_as_authorizer,
    bindings_with_caps,
    simulator_patients,
)
from bindings.models import Binding, PremiumPayment, Status
from policies.relationships import Relationship

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOOKED = datetime.date(2024, 11, 1)  # the 2025 premium (400 元 in 湖南) is being collected
START = datetime.date(2024, 11, 11)
END = datetime.date(2025, 12, 31)


def at(day: datetime.date):
    return datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


@pytest.fixture
def later(family):
    """湘潭 needs dates: a binding approved on 1 November that starts on 11 November."""
    with time_machine.travel(at(BOOKED), tick=False):
        liu = family.authorizer("xiangtan", balance_yuan=1000)
        mother = family.relative("xiangtan", birth=datetime.date(1950, 2, 14))
        binding = family.bind(liu, mother, Relationship.PARENT, start_date=START, end_date=END)
    return liu, mother, binding


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.SUBMITTED, Status.DISSOLVED])
def test_the_queryset_and_the_object_give_one_answer(later, status):
    _liu, _mother, binding = later
    Binding.objects.filter(pk=binding.pk).update(status=status)  # only to compare the two twins on each state
    binding.refresh_from_db()
    for offset in range(-2, 3):
        for day in (START + datetime.timedelta(days=offset), END + datetime.timedelta(days=offset)):
            mine = Binding.objects.filter(pk=binding.pk)
            assert binding.in_force_on(day) == mine.in_force(day).exists(), (status, day)
            assert binding.is_live_on(day) == mine.live(day).exists(), (status, day)
            assert binding.is_current_on(day) == mine.current(day).exists(), (status, day)
            assert binding.is_expired_on(day) == mine.expired(day).exists(), (status, day)
    if status == Status.ACTIVE:
        assert not binding.in_force_on(START - datetime.timedelta(days=1))
        assert binding.in_force_on(START) and binding.in_force_on(END)
        assert binding.starts_after(START - datetime.timedelta(days=1)) and not binding.starts_after(START)
        assert not binding.in_force_on(END + datetime.timedelta(days=1))


def test_regression_the_premium_page_does_not_offer_what_premium_pay_refuses(client, family, later):
    """Bug: /ledger/premium/ offered 400 元 for a binding that starts in 10 days; premium_pay then refused it."""
    liu, mother, binding = later
    client.force_login(family.account(liu))
    with time_machine.travel(at(BOOKED), tick=False):
        response = client.get("/ledger/premium/")
        assert response.context["quotes"] == []
        quote = premiums.premium_quote(payer=liu, binding=binding, year=2025, on=BOOKED)
        assert (quote.payable, quote.code) == (False, "not_yet_active")
        assert "2024-11-11" in quote.problem
        with pytest.raises(LedgerError) as refused:
            ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=family.account(liu), on=BOOKED)
        assert refused.value.code == "not_yet_active"
        assert not PremiumPayment.objects.exists()
    with time_machine.travel(at(START), tick=False):
        response = client.get("/ledger/premium/")
        payable = [q for q in response.context["quotes"] if q.payable]
        assert [(q.binding.pk, q.year, q.amount_fen) for q in payable] == [(binding.pk, 2025, 40000)]
        ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=family.account(liu), on=START)
    assert PremiumPayment.objects.count() == 1


def test_the_relative_pays_from_the_shared_account_only_once_it_is_in_force(later):
    liu, mother, binding = later
    day_before = START - datetime.timedelta(days=1)
    assert active_binding_as_relative(mother, day_before) is None
    assert active_bindings_as_authorizer(liu, day_before) == []
    assert [b for _v, _l, b in simulator_patients(liu, day_before) if b] == []
    assert active_binding_as_relative(mother, START) == binding
    assert active_bindings_as_authorizer(liu, END) == [binding]
    assert active_binding_as_relative(mother, END + datetime.timedelta(days=1)) is None


def test_regression_the_cap_page_lists_no_binding_past_its_end_date(later):
    """The cap page listed an active binding past its end date (before the daily run), which the cap service
    then refused; both now ask whether the binding is approved and not over."""
    liu, _mother, binding = later
    assert [b.pk for b in bindings_with_caps(liu, START - datetime.timedelta(days=1))] == [binding.pk]
    assert [b.pk for b in bindings_with_caps(liu, END)] == [binding.pk]
    assert list(bindings_with_caps(liu, END + datetime.timedelta(days=1))) == []
