"""The review queue's table is built in one pass (bindings/admin/queue_rows.py, QueueChangeList.results_html), and a
clerk's queue is filtered on the binding's own region code (Binding.region_code, migration 0013).

The fast table must be exactly what admin's `{% result_list %}` renders: the same cells, classes, link (with the
filters the clerk had), masking, status words and overdue marks."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone

from bindings.admin import queue
from bindings.models import Binding, Status
from tests.clerk.dashboard_data import case, first_approval
from tests.factories import clerk, submitted_binding

pytestmark = pytest.mark.django_db
QUEUE = "/admin/bindings/binding/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def both_tables(client, monkeypatch, params):
    """The queue page as the fast path renders it and as admin's own tag does."""
    fast = client.get(QUEUE, params)
    assert fast.status_code == 200
    monkeypatch.setattr(queue.QueueChangeList, "_fast_columns", lambda self: None)
    stock = client.get(QUEUE, params)
    monkeypatch.undo()
    return CSRF.sub("", fast.content.decode()), CSRF.sub("", stock.content.decode())


@pytest.mark.parametrize("who", ["审核员", "主管"])
@pytest.mark.parametrize(
    "params",
    [{}, {"city": "360900"}, {"status": "all", "o": "3"}, {"review": "second"}, {"channel": "app", "p": "1"}],
)
def test_the_fast_table_is_admins_own_markup(client, monkeypatch, policies, who, params):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    overdue = case("yichun", submitted=long_ago)  # far past the processing time: ⚠ 超时
    waiting = case("yichun")
    first_approval(waiting, clerk("360900", "审核员"))  # 待复核
    case("yichun", status=Status.ACTIVE, submitted=long_ago)  # 已生效, 已等待 —
    user = clerk("360900" if who == "审核员" else "", who)
    client.force_login(user)
    fast, stock = both_tables(client, monkeypatch, params)
    assert fast == stock
    if not params:
        assert overdue.application.case_number in fast and 'class="overdue"' in fast
        assert 'class="awaiting-second"' in fast
        assert overdue.relative.id_number not in fast  # masked (PIPL)


def test_the_fast_table_escapes_what_people_typed(client, monkeypatch, policies):
    binding = case("yichun")
    binding.relative.name = "<李&>"  # masked to its first and last characters: <**>
    binding.relative.save(update_fields=["name"])
    client.force_login(clerk("360900", "审核员"))
    fast, stock = both_tables(client, monkeypatch, {})
    assert fast == stock
    assert "&lt;**&gt;" in fast and "<**>" not in fast


def test_a_binding_carries_its_applications_region(policies):
    made = submitted_binding()  # through the services: application_start, binding_add_relative, submit
    assert made.region_code == made.application.city_code == "510400"
    direct = case("yichun")  # Binding.objects.create without the code: save() copies the application's
    assert Binding.objects.get(pk=direct.pk).region_code == "360900"


def test_the_migration_fills_existing_rows(policies):
    binding = case("yichun")
    Binding.objects.filter(pk=binding.pk).update(region_code="")
    migration = importlib.import_module("bindings.migrations.0013_binding_queue_region")
    migration.fill_region_code(apps, None)
    assert Binding.objects.get(pk=binding.pk).region_code == "360900"


def test_a_clerk_sees_his_region_by_the_bindings_code(client, policies):
    mine, other = case("yichun"), submitted_binding()
    client.force_login(clerk("360900", "审核员"))
    page = client.get(QUEUE).content.decode()
    assert mine.application.case_number in page and other.application.case_number not in page
    page = client.get(QUEUE, {"city": "510400"}).content.decode()
    assert other.application.case_number not in page
