"""Status words true to the dates: one answer (Binding.shown_status) read by every page.

A binding approved with a start date still ahead reads 待生效, and its start date is shown; a term that ran out
reads 已到期 (before and after the daily run dissolves it), never 已解除, which means someone dissolved it.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.core.management import call_command

from bindings.models import Binding, ShownStatus, Status
from bindings.services import binding_dissolve_by_party

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def later(hall):
    """A 湘潭 binding approved on 2026-03-02 for 2026-03-10 … 2026-03-31."""
    with time_machine.travel(at(2026, 3, 2), tick=False):
        authorizer, relative = hall.person("xiangtan"), hall.relative("xiangtan")
        return hall.bind(
            authorizer,
            relative,
            start_date=datetime.date(2026, 3, 10),
            end_date=datetime.date(2026, 3, 31),
            phone=relative.phone,
        )


@pytest.mark.parametrize(
    ("day", "word", "key"),
    [
        (datetime.date(2026, 3, 9), "待生效", ShownStatus.NOT_YET),  # the day before the start
        (datetime.date(2026, 3, 10), "已生效", ShownStatus.ACTIVE),  # the start day
        (datetime.date(2026, 3, 31), "已生效", ShownStatus.ACTIVE),  # the last day
        (datetime.date(2026, 4, 1), "已到期", ShownStatus.EXPIRED),  # the day after the end
    ],
)
def test_the_word_follows_the_dates(later, day, word, key):
    assert later.shown_status(day) == key
    assert later.status_word(day) == word


def test_expired_still_reads_expired_after_the_daily_run(later):
    with time_machine.travel(at(2026, 4, 1, 1), tick=False):
        call_command("expire_bindings", verbosity=0)
    later.refresh_from_db()
    assert later.status == Status.DISSOLVED
    assert later.status_word(datetime.date(2026, 5, 1)) == "已到期"


def test_a_dissolution_by_a_party_still_reads_dissolved(hall, later):
    with time_machine.travel(at(2026, 3, 12), tick=False):
        binding_dissolve_by_party(binding=later, user=hall.account(later.authorizer))
        later.refresh_from_db()
        assert later.status_word() == "已解除"


def test_the_resident_list_and_detail_say_not_yet_with_the_start_date(client, hall, later):
    client.force_login(hall.account(later.authorizer))
    with time_machine.travel(at(2026, 3, 5), tick=False):
        mine = client.get("/bindings/mine/").content.decode()
        detail = client.get(f"/bindings/{later.pk}/").content.decode()
    assert 'class="status status-not_yet">待生效</span>' in mine
    assert "自2026-03-10起" in mine and "已生效" not in mine
    assert 'id="binding-status">待生效</span>' in detail


def test_the_resident_list_says_expired_on_both_sides(client, hall, later):
    client.force_login(hall.account(later.relative))
    with time_machine.travel(at(2026, 4, 2), tick=False):
        mine = client.get("/bindings/mine/").content.decode()
    assert "已到期" in mine and "已解除" not in mine


def test_the_counter_and_admin_read_the_same_word(later):
    with time_machine.travel(at(2026, 3, 5), tick=False):
        model_admin = admin.site._registry[Binding]
        assert "待生效" in str(model_admin.status_and_review(later))
        assert later.get_effective_status_display() == "待生效"  # counter person page and receipt


def test_the_done_page_headline_follows_the_status(client, hall):
    """Guigang approves at once: the page must not say 申请已受理 above 已生效."""
    authorizer, relative = hall.person("guigang"), hall.relative("guigang", birth=datetime.date(2020, 6, 1))
    binding = hall.apply(authorizer, relative, phone=relative.phone)
    assert binding.status == Status.ACTIVE
    client.force_login(hall.account(authorizer))
    page = client.get(f"/bindings/applications/{binding.application.case_number}/done/").content.decode()
    assert 'id="done-headline">共济已生效</h1>' in page
    assert "申请已受理" not in page


def test_the_done_page_headline_for_a_case_waiting_for_review(client, hall):
    relative = hall.relative("panzhihua", birth=datetime.date(2020, 6, 1))
    binding = hall.apply(hall.person("panzhihua"), relative, phone=relative.phone)
    client.force_login(hall.account(binding.authorizer))
    page = client.get(f"/bindings/applications/{binding.application.case_number}/done/").content.decode()
    assert 'id="done-headline">申请已受理，等待审核</h1>' in page
