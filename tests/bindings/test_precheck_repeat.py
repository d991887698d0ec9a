"""The pre-check sent again (a double click, the back button, two tabs): one draft row, written only when the
resident changed something. The benchmark posts the same relative over and over, so this is also what it measures
after the first request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bindings.models import Binding, Status
from tests.bindings.test_concurrency import run_together

pytestmark = pytest.mark.django_db


def writes(call):
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_same_relative_again_writes_nothing(hall):
    application = hall.start(hall.person("yichun"))
    relative = hall.relative("yichun")
    first = hall.add(application, relative)
    assert first.binding is not None
    again, written = writes(lambda: hall.add(application, relative))
    assert again.binding.pk == first.binding.pk
    assert again.verdict.eligible
    assert written == []
    assert application.bindings.count() == 1


def test_a_change_updates_only_what_changed(hall):
    application = hall.start(hall.person("yichun"))
    relative = hall.relative("yichun")
    first = hall.add(application, relative)
    changed, written = writes(lambda: hall.add(application, relative, phone="13900139000"))
    assert changed.binding.pk == first.binding.pk
    (update,) = written
    assert '"relative_phone"' in update and '"relationship"' not in update
    assert Binding.objects.get(pk=first.binding.pk).relative_phone == "13900139000"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_pre_check_one_relative_at_once(hall):
    """The draft's row lock queues the two pre-checks: the second finds the first's row and adds none."""
    application = hall.start(hall.person("panzhihua"))
    relative = hall.relative("panzhihua")
    outcomes = run_together(
        lambda: hall.add(application, relative, "spouse"), lambda: hall.add(application, relative, "spouse")
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert {o.value.binding.pk for o in outcomes} == {application.bindings.get(status=Status.DRAFT).pk}
