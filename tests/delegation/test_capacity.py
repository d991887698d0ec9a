"""Every age boundary of issue 12, the day before and the day of the birthday, on the hall's own clock.

8: no capacity → limited. 14: may hold an account of his own. 16: living on his own income gives full capacity
(not at 15). 18: full capacity; the guardianship stops counting, and an account still waiting for a guardian's
consent opens by itself (decided: consent is asked only of someone without full capacity).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.acting import guardians_of, household, wards_of
from accounts.capacity import (
    AccountBlock,
    Capacity,
    account_block,
    capacity_on,
    has_full_capacity,
    may_hold_own_account,
)
from tests.factories import TEST_PASSWORD, UserFactory, guardianship, person_in

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
BIRTH = date(2010, 6, 15)


def birthday(years: int) -> date:
    return BIRTH.replace(year=BIRTH.year + years)


def on_day(day: date):
    """The hall's clock at a quarter past midnight of `day` in China (the day has just begun there)."""
    return time_machine.travel(datetime.combine(day, time(0, 15), SHANGHAI), tick=False)


def edges(years: int, before, on) -> list:
    """Parameters for the day before the birthday and the birthday itself."""
    return [(birthday(years) - timedelta(days=1), before), (birthday(years), on)]


@pytest.fixture
def child():
    return person_in("yichun", birth=BIRTH, resident=True, name="王小宇")


def test_the_hall_clock_is_china_time(child):
    """Just after midnight in China it is still the day before in UTC: the birthday counts from China's midnight."""
    with on_day(birthday(14)):
        assert timezone.now().date() == birthday(14) - timedelta(days=1)  # UTC
        assert timezone.localdate() == birthday(14)
        assert may_hold_own_account(child, timezone.localdate())


@pytest.mark.parametrize(("day", "expected"), edges(8, Capacity.NONE, Capacity.LIMITED))
def test_eight_limited_capacity_begins(child, day, expected):
    with on_day(day):
        assert capacity_on(child, timezone.localdate()) is expected


@pytest.mark.parametrize(("day", "allowed"), edges(14, False, True))
def test_fourteen_may_hold_an_own_account(child, day, allowed):
    account = UserFactory(person=child)
    with on_day(day):
        today = timezone.localdate()
        assert may_hold_own_account(child, today) is allowed
        expected = AccountBlock.AWAITING_GUARDIAN if allowed else AccountBlock.UNDER_OWN_ACCOUNT_AGE
        assert account_block(account, today) is expected


@pytest.mark.parametrize(
    ("day", "self_supporting", "full"),
    [
        (birthday(16) - timedelta(days=1), True, False),  # 15 and earning his living: still limited
        (birthday(16), True, True),
        (birthday(16), False, False),
        (birthday(17), False, False),
    ],
)
def test_sixteen_self_supporting_has_full_capacity(child, day, self_supporting, full):
    child.self_supporting = self_supporting
    child.save()
    account = UserFactory(person=child)
    with on_day(day):
        today = timezone.localdate()
        assert has_full_capacity(child, today) is full
        assert (account_block(account, today) is None) is full  # full capacity needs no guardian's consent


@pytest.mark.parametrize(("day", "full"), edges(18, False, True))
def test_eighteen_full_capacity_and_the_guardianship_stops_counting(child, day, full):
    parent = person_in("yichun", name="王建国")
    parent_user = UserFactory(person=parent)
    guardianship(parent, child)
    with on_day(day):
        today = timezone.localdate()
        assert has_full_capacity(child, today) is full
        assert [row.ward for row in wards_of(parent, today)] == ([] if full else [child])
        assert [a.person for a in household(parent_user)][1:] == ([] if full else [child])
        assert guardians_of(child, today) == ([] if full else [parent])


@pytest.mark.parametrize(("day", "signs_in"), edges(18, False, True))
def test_an_account_still_waiting_at_eighteen_opens_by_itself(client, child, day, signs_in):
    account = UserFactory(person=child)  # registered at 17, no guardian ever answered
    assert account.guardian_consent_at is None
    with on_day(day):
        response = client.post("/accounts/login/", {"identifier": account.phone, "password": TEST_PASSWORD})
        assert ("_auth_user_id" in client.session) is signs_in
        if not signs_in:
            assert response.status_code == 403
            assert "等待监护人同意" in response.content.decode()


def test_staff_and_adults_are_never_blocked(clerk, resident):
    assert account_block(clerk, timezone.localdate()) is None
    assert account_block(resident, timezone.localdate()) is None
