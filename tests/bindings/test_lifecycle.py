"""How bindings end without anyone asking: registry status changes, end dates, and the wait after unbinding."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from bindings import services
from bindings.models import ActorRole, Binding, BindingEvent, DissolveReason, Notice, Status
from bindings.services import BindingError
from policies.eligibility import ReasonCode
from tests.bindings.conftest import snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    """A moment in the hall's own time zone."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# --- registry status ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [("suspended", DissolveReason.INSURANCE_SUSPENDED), ("terminated", DissolveReason.INSURANCE_TERMINATED)],
)
def test_suspension_or_termination_ends_every_binding_on_both_sides(hall, status, reason):
    """He authorizes two relatives (one active, one pending) and is himself the relative of his wife."""
    person = hall.person("panzhihua")
    as_authorizer = hall.bind(person, hall.relative("panzhihua"))
    pending = hall.apply(person, hall.relative("panzhihua"))
    returned = hall.apply(person, hall.relative("panzhihua"))
    services.binding_request_more(binding=returned, clerk=hall.clerk(), missing_note="请补充户口簿")
    draft = hall.draft(person, hall.relative("panzhihua")).bindings.get()
    as_relative = hall.bind(hall.person("panzhihua"), person, "spouse")
    untouched = hall.bind(hall.person("panzhihua"), hall.relative("panzhihua"))
    clerk = hall.clerk()

    ended = services.registry_status_change(person=person, status=status, actor=clerk, reason="单位停止缴费")

    assert ended == 4
    person.refresh_from_db()
    assert person.status == status
    for binding in (as_authorizer, as_relative):
        binding.refresh_from_db()
        assert (binding.status, binding.reason_code) == (Status.DISSOLVED, reason)
        assert binding.ended_at is not None
        event = binding.events.last()
        assert (event.from_status, event.to_status, event.actor_role, event.reason_code) == (
            "active",
            "dissolved",
            ActorRole.SYSTEM,
            reason,
        )
        assert event.actor == clerk
        assert Notice.objects.filter(binding=binding, title="家庭共济已解除").count() == 2
    for binding, was in ((pending, "submitted"), (returned, "returned")):
        binding.refresh_from_db()
        # Nobody rejected it: the system ended it, and says so (已终止（参保状态变化）, not 已驳回).
        assert (binding.status, binding.reason_code) == (Status.TERMINATED, reason)
        assert binding.get_status_display() == "已终止（参保状态变化）"
        event = binding.events.last()
        assert (event.from_status, event.to_status, event.actor_role) == (was, "terminated", ActorRole.SYSTEM)
        assert Notice.objects.filter(binding=binding, title="共济申请已终止").count() == 2
    assert snapshot(draft).status == Status.DRAFT and not draft.events.exists()
    assert snapshot(untouched).status == Status.ACTIVE


def test_a_case_ended_by_a_suspension_reads_terminated_not_rejected(hall, client):
    """Regression: a pending case ended because a party was suspended showed 已驳回, though no clerk rejected it."""
    binding = hall.apply(hall.person("panzhihua"), hall.relative("panzhihua"))
    services.registry_status_change(person=binding.relative, status="suspended", actor=hall.clerk(), reason="转出")
    client.force_login(hall.account(binding.authorizer))
    page = client.get(f"/bindings/{binding.pk}/").content.decode()
    assert "已终止（参保状态变化）" in page and "已驳回" not in page
    assert "使用人参保状态变为“暂停”" in page
    listing = client.get("/bindings/mine/").content.decode()
    assert "已终止（参保状态变化）" in listing and "已驳回" not in listing
    notice = Notice.objects.filter(binding=binding, person=binding.authorizer).first()  # submitted, then ended
    assert notice.title == "共济申请已终止" and "未通过" not in notice.body


def test_back_to_normal_ends_nothing(hall):
    binding = hall.bind(hall.person("yichun"), hall.relative("yichun"))
    before = snapshot(binding)
    ended = services.registry_status_change(
        person=binding.authorizer, status="normal", actor=hall.clerk(), reason="核对"
    )
    assert ended == 0
    assert snapshot(binding) == before


def test_an_unknown_status_changes_nothing(hall):
    binding = hall.bind(hall.person("yichun"), hall.relative("yichun"))
    before = snapshot(binding)
    with pytest.raises(BindingError, match="未知的参保状态"):
        services.registry_status_change(person=binding.relative, status="frozen", actor=hall.clerk(), reason="x")
    binding.relative.refresh_from_db()
    assert binding.relative.status == "normal"
    assert snapshot(binding) == before


def test_a_suspended_relative_can_be_bound_again_once_normal(hall):
    authorizer, relative = hall.person("yichun"), hall.relative("yichun")
    hall.bind(authorizer, relative)
    services.registry_status_change(person=relative, status="suspended", actor=hall.clerk(), reason="停保")
    refused = hall.add(hall.start(authorizer), relative)
    assert refused.verdict.codes == [ReasonCode.RELATIVE_SUSPENDED]
    services.registry_status_change(person=relative, status="normal", actor=hall.clerk(), reason="续保")
    relative.refresh_from_db()
    assert hall.bind(authorizer, relative).status == Status.ACTIVE


# --- end dates (湘潭) -------------------------------------------------------------------------------------


@pytest.fixture
def dated(hall):
    """A 湘潭 binding made on 2026-03-02 for 2026-03-02 … 2026-03-31, approved the same day."""
    with time_machine.travel(at(2026, 3, 2), tick=False):
        authorizer, relative = hall.person("xiangtan"), hall.relative("xiangtan")
        binding = hall.bind(
            authorizer, relative, start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 31)
        )
    return binding


def test_effective_status_shows_dissolved_the_day_after_the_end_date(dated):
    assert dated.effective_status(datetime.date(2026, 3, 31)) == Status.ACTIVE
    assert dated.effective_status(datetime.date(2026, 4, 1)) == Status.DISSOLVED
    with time_machine.travel(at(2026, 4, 1, 0, 5), tick=False):
        assert dated.get_effective_status_display() == "已到期"  # a term that ran out, not a dissolution
    dated.refresh_from_db()
    assert dated.status == Status.ACTIVE  # nothing written until the command runs


def test_an_expired_binding_frees_its_place_before_the_command_runs(hall, dated):
    with time_machine.travel(at(2026, 4, 1), tick=False):
        result = hall.add(hall.start(dated.authorizer), hall.relative("xiangtan"), start_date=None, end_date=None)
        assert result.verdict.quota.active_count == 0


def test_expire_bindings_ends_it_with_an_event(dated):
    out = StringIO()
    with time_machine.travel(at(2026, 3, 31, 23, 30), tick=False):
        call_command("expire_bindings", stdout=out)
    assert "Ended 0 binding(s)" in out.getvalue()
    assert snapshot(dated).status == Status.ACTIVE

    with time_machine.travel(at(2026, 4, 1, 1, 0), tick=False):
        call_command("expire_bindings", stdout=out)
        call_command("expire_bindings", stdout=out)  # a second run finds nothing more to do
    assert "Ended 1 binding(s)" in out.getvalue()
    dated.refresh_from_db()
    assert (dated.status, dated.reason_code) == (Status.DISSOLVED, DissolveReason.END_DATE_PASSED)
    assert dated.ended_at == at(2026, 4, 1, 1, 0)
    (event,) = BindingEvent.objects.filter(binding=dated, to_status=Status.DISSOLVED)
    assert (event.actor, event.actor_role, event.reason_code) == (
        None,
        ActorRole.SYSTEM,
        DissolveReason.END_DATE_PASSED,
    )
    assert Notice.objects.filter(binding=dated, title="家庭共济已解除").count() == 2


def test_expire_skips_a_binding_dissolved_meanwhile(hall, dated):
    services.binding_dissolve_by_party(binding=dated, user=hall.account(dated.authorizer))
    with time_machine.travel(at(2026, 4, 2), tick=False):
        assert services.bindings_expire() == 0
    assert BindingEvent.objects.filter(binding=dated, to_status=Status.DISSOLVED).count() == 1


# --- the wait after unbinding (江西: the next day) ------------------------------------------------------------


@pytest.mark.parametrize("hour", [0, 7, 12, 23])
def test_jiangxi_relative_can_be_bound_by_another_authorizer_from_the_next_day(hall, hour):
    """Unbound at any hour of 10 March (Beijing time): refused all of 10 March, allowed from 11 March."""
    relative = hall.relative("yichun")
    with time_machine.travel(at(2026, 3, 9), tick=False):
        first = hall.bind(hall.person("yichun"), relative)
    with time_machine.travel(at(2026, 3, 10, hour, 30), tick=False):
        services.binding_dissolve_by_party(binding=first, user=hall.account(relative))
    newcomer = hall.person("yichun")

    with time_machine.travel(at(2026, 3, 10, 23, 59), tick=False):
        refused = hall.add(hall.start(newcomer), relative)
    assert refused.binding is None
    assert refused.verdict.codes == [ReasonCode.WAITING_PERIOD]
    assert "2026年3月11日起" in refused.verdict.reasons[0].message
    assert "于2026年3月10日解除绑定" in refused.verdict.reasons[0].message

    with time_machine.travel(at(2026, 3, 11, 0, 1), tick=False):
        binding = hall.bind(newcomer, relative)
    assert binding.status == Status.ACTIVE


def test_the_wait_is_checked_again_at_submit(hall):
    """Pre-checked while the relative was free; meanwhile bound and unbound elsewhere; submitted that day: refused."""
    relative, newcomer = hall.relative("yichun"), hall.person("yichun")
    with time_machine.travel(at(2026, 3, 10, 7), tick=False):
        waiting = hall.draft(newcomer, relative)
        first = hall.bind(hall.person("yichun"), relative)
        services.binding_dissolve_by_party(binding=first, user=hall.account(first.authorizer))
        with pytest.raises(BindingError) as refused:
            hall.submit(waiting)
    assert refused.value.code == ReasonCode.WAITING_PERIOD
    assert snapshot(waiting.bindings.get()).status == Status.DRAFT

    with time_machine.travel(at(2026, 3, 11, 7), tick=False):
        (binding,) = hall.submit(waiting)
    assert Binding.objects.get(pk=binding.pk).status == Status.ACTIVE


def test_the_same_authorizer_may_bind_again_the_same_day(hall):
    authorizer, relative = hall.person("yichun"), hall.relative("yichun")
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        first = hall.bind(authorizer, relative)
        services.binding_dissolve_by_party(binding=first, user=hall.account(authorizer))
        again = hall.bind(authorizer, relative)
    assert again.status == Status.ACTIVE and again.pk != first.pk


def test_the_wait_uses_the_day_the_binding_ended_not_the_check_day(hall):
    """`on=` moves the check day only: a pre-check dated 11 March sees the 10 March unbinding as past."""
    relative = hall.relative("yichun")
    with time_machine.travel(at(2026, 3, 9), tick=False):
        first = hall.bind(hall.person("yichun"), relative)
    with time_machine.travel(at(2026, 3, 10, 7, 30), tick=False):
        services.binding_dissolve_by_party(binding=first, user=hall.account(relative))
        application = hall.start(hall.person("yichun"))
        same_day = hall.add(application, relative, on=timezone.localdate())
        next_day = hall.add(application, relative, on=datetime.date(2026, 3, 11))
    assert same_day.verdict.codes == [ReasonCode.WAITING_PERIOD]
    assert next_day.binding is not None


@pytest.mark.parametrize("who", ["same-authorizer", "another-authorizer"])
def test_a_relative_whose_binding_ran_out_can_be_bound_before_the_command_runs(hall, dated, who):
    """On 1 April the old binding is over for everyone (pages, quota, engine): submitting must not trip over it."""
    authorizer = dated.authorizer if who == "same-authorizer" else hall.person("xiangtan")
    with time_machine.travel(at(2026, 4, 1, 0, 30), tick=False):
        application = hall.draft(
            authorizer,
            dated.relative,
            start_date=datetime.date(2026, 4, 1),
            end_date=datetime.date(2026, 12, 31),
        )
        (binding,) = hall.submit(application)
    assert Binding.objects.get(pk=binding.pk).status == Status.SUBMITTED
    dated.refresh_from_db()
    assert (dated.status, dated.reason_code) == (Status.DISSOLVED, DissolveReason.END_DATE_PASSED)
    assert BindingEvent.objects.filter(binding=dated, to_status=Status.DISSOLVED).count() == 1
