"""Real concurrent transactions on PostgreSQL: each thread has its own connection.

Threads start together at a barrier. Where a race needs one transaction to stop at a given point, that thread
parks on an event, and the other is let run until PostgreSQL reports it waiting for a lock (or it is done):
the interleaving is forced, never left to timing.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

import pytest
from django.db import connection, connections

from accounts.models import InsuredPerson
from bindings import services
from bindings.models import LIVE_STATUSES, Binding, BindingEvent, RejectReason, Status
from bindings.services import BindingError
from policies.eligibility import ReasonCode

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GIVE_UP = 60  # seconds before a stuck test fails instead of hanging the run; never reached when all is well


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None
    pid: int | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def ok(self) -> bool:
        return self.error is None


class Worker(threading.Thread):
    """Runs one task in its own thread and database connection, and records what came of it."""

    def __init__(self, task, barrier: threading.Barrier | None = None):
        super().__init__(daemon=True)
        self.task, self.barrier, self.outcome = task, barrier, Outcome()

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.outcome.pid = cursor.fetchone()[0]
            if self.barrier is not None:
                self.barrier.wait()
            self.outcome.value = self.task()
        except BaseException as exc:  # noqa: BLE001 - recorded and asserted on by the test
            self.outcome.error = exc
        finally:
            connection.close()
            self.outcome.done.set()


def run_together(*tasks) -> list[Outcome]:
    barrier = threading.Barrier(len(tasks), timeout=GIVE_UP)
    workers = [Worker(task, barrier) for task in tasks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(GIVE_UP)
        assert not worker.is_alive(), "a worker is stuck"
    return [worker.outcome for worker in workers]


def wait_until_blocked_or_done(worker: Worker) -> None:
    """Return once the worker's transaction waits for a lock held by someone else, or has finished."""
    conn = connections["default"]
    deadline = threading.Event()
    timer = threading.Timer(GIVE_UP, deadline.set)
    timer.start()
    try:
        while not worker.outcome.done.is_set():
            assert not deadline.is_set(), "the worker neither blocked nor finished"
            if worker.outcome.pid is None:
                continue
            with conn.cursor() as cursor:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [worker.outcome.pid])
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
    finally:
        timer.cancel()


@contextmanager
def parked_after_status_saved(thread_names: set[str]):
    """In the named threads, registry_status_change stops right after writing the new status (its person row
    locked, nothing else yet) until `release` is set. `saved` is set once it got there."""
    saved, release = threading.Event(), threading.Event()
    original = InsuredPerson.save

    def save(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if threading.current_thread().name in thread_names and kwargs.get("update_fields") == ["status", "updated_at"]:
            saved.set()
            assert release.wait(GIVE_UP)

    with mock.patch.object(InsuredPerson, "save", save):
        yield saved, release


def live_bindings_of(relative) -> int:
    return Binding.objects.filter(relative=relative, status__in=LIVE_STATUSES).count()


# --- (a) two authorizers, one relative -----------------------------------------------------------------------


@pytest.mark.parametrize("city", ["panzhihua", "yichun"], ids=["reviewed", "immediate"])
def test_two_authorizers_submit_for_one_relative_at_once(hall, city):
    relative = hall.relative(city)
    applications = [hall.draft(hall.person(city), relative) for _ in range(2)]
    outcomes = run_together(*[lambda a=a: hall.submit(a) for a in applications])

    assert sorted(o.ok for o in outcomes) == [False, True]
    (refused,) = [o.error for o in outcomes if not o.ok]
    assert isinstance(refused, BindingError), refused
    assert refused.code in (ReasonCode.ALREADY_BOUND_TO_OTHER, "bound_to_other_authorizer")
    assert live_bindings_of(relative) == 1
    loser = applications[[o.ok for o in outcomes].index(False)]
    loser.refresh_from_db()
    assert loser.submitted_at is None
    assert not BindingEvent.objects.filter(binding__application=loser).exists()


# --- (b) one authorizer, three applications, one place left --------------------------------------------------


def test_three_applications_for_the_last_place_in_panzhihua(hall):
    authorizer, _bindings = hall.authorizer_with(4, "panzhihua")
    applications = [hall.draft(authorizer, hall.relative("panzhihua")) for _ in range(3)]
    outcomes = run_together(*[lambda a=a: hall.submit(a) for a in applications])

    assert sorted(o.ok for o in outcomes) == [False, False, True]
    for outcome in outcomes:
        if not outcome.ok:
            assert isinstance(outcome.error, BindingError), outcome.error
            assert outcome.error.code == ReasonCode.AT_ONCE_LIMIT_REACHED
    live = Binding.objects.filter(authorizer=authorizer, status__in=LIVE_STATUSES)
    assert live.count() == 5
    assert Binding.objects.filter(authorizer=authorizer, status=Status.DRAFT).count() == 2


# --- (c) two clerks, one case ----------------------------------------------------------------------------------


def _approve(binding, clerk):
    return lambda: services.binding_approve(binding=binding, clerk=clerk, note="同意")


def _reject(binding, clerk):
    return lambda: services.binding_reject(
        binding=binding,
        clerk=clerk,
        reason_code=RejectReason.UNCLEAR_PROOF,
        reason_text="证明材料照片模糊，请重新上传清晰照片",
    )


@pytest.mark.parametrize(
    "decisions",
    [(_approve, _reject), (_approve, _approve), (_reject, _reject)],
    ids=["approve-reject", "2x-approve", "2x-reject"],
)
def test_two_clerks_decide_one_case_at_once(hall, decisions):
    binding = hall.apply(hall.person("panzhihua"), hall.relative("panzhihua"))
    clerks = [hall.clerk("510400"), hall.clerk("510000")]
    outcomes = run_together(*[decide(binding, clerk) for decide, clerk in zip(decisions, clerks, strict=True)])

    assert sorted(o.ok for o in outcomes) == [False, True]
    (refused,) = [o.error for o in outcomes if not o.ok]
    assert isinstance(refused, BindingError) and refused.code == "wrong_state", refused
    binding.refresh_from_db()
    decisions_made = BindingEvent.objects.filter(binding=binding, from_status=Status.SUBMITTED)
    assert decisions_made.count() == 1
    assert decisions_made.get().to_status == binding.status
    assert decisions_made.get().actor == clerks[[o.ok for o in outcomes].index(True)]


def test_a_double_submit_from_two_tabs(hall):
    application = hall.draft(hall.person("panzhihua"), hall.relative("panzhihua"))
    outcomes = run_together(lambda: hall.submit(application), lambda: hall.submit(application))
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    binding = application.bindings.get()
    assert binding.status == Status.SUBMITTED
    assert binding.events.count() == 1


# --- registry status changes racing with the workflow ----------------------------------------------------------


def test_a_suspension_during_an_approval(hall):
    """The clerk approves while the relative's suspension is being recorded: the binding ends dissolved."""
    binding = hall.apply(hall.person("panzhihua"), hall.relative("panzhihua"))
    registrar, reviewer = hall.clerk(), hall.clerk()
    with parked_after_status_saved({"status"}) as (saved, release):
        status = Worker(
            lambda: services.registry_status_change(
                person=binding.relative, status="suspended", actor=registrar, reason="停保"
            )
        )
        status.name = "status"
        status.start()
        assert saved.wait(GIVE_UP)
        approval = Worker(lambda: services.binding_approve(binding=binding, clerk=reviewer))
        approval.start()
        wait_until_blocked_or_done(approval)
        release.set()
        for worker in (status, approval):
            worker.join(GIVE_UP)
    assert status.outcome.ok, status.outcome.error
    assert approval.outcome.ok, approval.outcome.error
    binding.refresh_from_db()
    binding.relative.refresh_from_db()
    assert binding.relative.status == "suspended"
    assert binding.status == Status.DISSOLVED
    assert [e.to_status for e in binding.events.all()] == ["submitted", "active", "dissolved"]


def test_both_parties_suspended_at_once(hall):
    """Two clerks record both parties' suspensions at the same moment: both succeed, the binding ends once."""
    binding = hall.bind(hall.person("yichun"), hall.relative("yichun"))
    clerks = [hall.clerk("360900"), hall.clerk("360900")]
    with parked_after_status_saved({"authorizer"}) as (saved, release):
        first = Worker(
            lambda: services.registry_status_change(
                person=binding.authorizer, status="suspended", actor=clerks[0], reason="停保"
            )
        )
        first.name = "authorizer"
        first.start()
        assert saved.wait(GIVE_UP)
        second = Worker(
            lambda: services.registry_status_change(
                person=binding.relative, status="terminated", actor=clerks[1], reason="注销"
            )
        )
        second.start()
        wait_until_blocked_or_done(second)
        release.set()
        for worker in (first, second):
            worker.join(GIVE_UP)
    assert first.outcome.ok, first.outcome.error
    assert second.outcome.ok, second.outcome.error
    assert first.outcome.value + second.outcome.value == 1
    binding.refresh_from_db()
    assert binding.status == Status.DISSOLVED
    assert BindingEvent.objects.filter(binding=binding, to_status=Status.DISSOLVED).count() == 1
    statuses = dict(
        InsuredPerson.objects.filter(pk__in=[binding.authorizer_id, binding.relative_id]).values_list("pk", "status")
    )
    assert statuses == {binding.authorizer_id: "suspended", binding.relative_id: "terminated"}


def test_a_suspension_during_a_submission(hall):
    """The relative is being suspended while the authorizer submits (immediate region): never an active
    binding for a suspended relative."""
    authorizer, relative = hall.person("yichun"), hall.relative("yichun")
    application = hall.draft(authorizer, relative)
    registrar = hall.clerk("360900")
    with parked_after_status_saved({"status"}) as (saved, release):
        status = Worker(
            lambda: services.registry_status_change(person=relative, status="suspended", actor=registrar, reason="停保")
        )
        status.name = "status"
        status.start()
        assert saved.wait(GIVE_UP)
        submit = Worker(lambda: hall.submit(application))
        submit.start()
        wait_until_blocked_or_done(submit)
        release.set()
        for worker in (status, submit):
            worker.join(GIVE_UP)
    assert status.outcome.ok, status.outcome.error
    relative.refresh_from_db()
    assert relative.status == "suspended"
    assert live_bindings_of(relative) == 0
    if not submit.outcome.ok:
        assert isinstance(submit.outcome.error, BindingError)
        assert submit.outcome.error.code == ReasonCode.RELATIVE_SUSPENDED
