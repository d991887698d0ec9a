"""The queue exported to Excel for the 月报: the queue's filters and region, masked numbers, one audit row."""

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditAction, AuditEntry
from bindings.models import Status
from tests.clerk.dashboard_data import case
from tests.factories import clerk

pytestmark = pytest.mark.django_db


def export(user, query=""):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:queue_export") + query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_numbers_and_names_are_masked(policies):
    binding = case("yichun")
    header, rows = export(clerk("360900", "审核员"))
    assert header[0] == "受理编号" and "使用人证件号码" in header
    (row,) = rows
    relative, authorizer = binding.relative, binding.authorizer
    cells = [str(cell) for cell in row]
    assert row[0] == binding.application.case_number
    for secret in (relative.id_number, relative.phone, relative.name, authorizer.id_number, authorizer.phone):
        assert secret not in cells
    assert relative.id_number[:6] + "********" + relative.id_number[-4:] in cells
    assert relative.phone[:3] + "****" + relative.phone[-4:] in cells


def test_only_the_clerks_region_and_the_queues_default_filter(policies):
    mine = case("yichun")
    case("yichun", status=Status.ACTIVE)  # the queue opens on 待审核
    case("xiangtan")
    _, rows = export(clerk("360900", "审核员"))
    assert [row[0] for row in rows] == [mine.application.case_number]


def test_the_queues_current_filters_apply(policies):
    counter = case("yichun", channel="counter", status=Status.ACTIVE)
    case("yichun", channel="app", status=Status.ACTIVE)
    case("xiangtan", channel="counter", status=Status.ACTIVE)
    _, rows = export(clerk("360900", "审核员"), "?status=active&channel=counter")
    assert [row[0] for row in rows] == [counter.application.case_number]
    _, rows = export(clerk("360900", "审核员"), "?status=all")
    assert len(rows) == 2
    # A search names a case in the clerk's region only.
    xiangtan = case("xiangtan")
    _, rows = export(clerk("360900", "审核员"), f"?status=all&q={xiangtan.application.case_number}")
    assert rows == []


def test_the_export_is_audited_as_a_read(policies):
    case("yichun")
    case("yichun")
    user = clerk("360900", "审核员")
    export(user, "?channel=app")
    entry = AuditEntry.objects.get(actor=user, target="binding:export")
    assert entry.action == AuditAction.SEARCH
    assert "导出" in entry.detail and "2条" in entry.detail and "channel=app" in entry.detail
    assert entry.region_code == "360900"


def test_the_queue_page_links_to_the_export_with_its_filters(policies):
    client = Client()
    client.force_login(clerk("360900", "审核员"))
    html = client.get(reverse("admin:bindings_binding_changelist") + "?channel=counter").content.decode()
    assert reverse("admin:queue_export") + "?channel=counter" in html


def test_without_the_view_permission_nothing_is_exported(policies):
    case("yichun")
    client = Client()
    client.force_login(clerk("360900"))
    assert client.get(reverse("admin:queue_export")).status_code == 403
    assert not AuditEntry.objects.filter(target="binding:export").exists()
