"""The audit list in admin is scoped like the queue: a clerk reads the entries of his region's people and cases."""

import pytest

from accounts.models import AuditAction, AuditEntry
from bindings.counter.services import person_lookup
from tests.factories import StaffFactory, clerk, counter_clerk, person_in

pytestmark = pytest.mark.django_db

LIST = "/admin/accounts/auditentry/"
YICHUN, XIANGTAN, HUNAN = "360900", "430300", "430000"


@pytest.fixture
def trail(policies):
    """One counter look-up in 宜春 and one in 湘潭, by each city's own clerk, and one row from before regions."""
    yichun, xiangtan = person_in("yichun"), person_in("xiangtan")
    person_lookup(clerk=counter_clerk(YICHUN), id_number=yichun.id_number)
    person_lookup(clerk=counter_clerk(XIANGTAN), id_number=xiangtan.id_number)
    old = AuditEntry.objects.create(actor=StaffFactory(), action=AuditAction.REVEAL, target="person:legacy")
    rows = {row.region_code: row for row in AuditEntry.objects.filter(action=AuditAction.COUNTER_LOOKUP)}
    return rows[YICHUN], rows[XIANGTAN], old


def shown(row, page: str) -> bool:
    return f">{row.target}<" in page


def listed(client, **params) -> str:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_yichun_clerk_sees_yichun_entries_and_no_xiangtan_ones(client, trail):
    yichun, xiangtan, old = trail
    client.force_login(clerk(YICHUN, "审核员"))
    page = listed(client)
    assert shown(yichun, page)
    assert not shown(xiangtan, page) and not shown(old, page)
    # Searching the list reaches nothing outside the region either.
    assert not shown(xiangtan, listed(client, q=xiangtan.target))


def test_a_provincial_clerk_sees_his_provinces_cities(client, trail):
    yichun, xiangtan, _old = trail
    client.force_login(clerk(HUNAN, "审核员"))
    page = listed(client)
    assert shown(xiangtan, page) and not shown(yichun, page)


def test_rows_without_a_region_are_for_unrestricted_scope_only(client, trail):
    client.force_login(StaffFactory(region_code="", roles=["主管"]))  # 主管: every region
    page = listed(client)
    assert all(shown(row, page) for row in trail)


def test_another_regions_entry_by_url_is_refused_and_logged(client, trail):
    _yichun, xiangtan, _old = trail
    reader = clerk(YICHUN, "审核员")
    client.force_login(reader)
    response = client.get(f"{LIST}{xiangtan.pk}/change/")
    assert response.status_code == 302 and not shown(xiangtan, client.get(response["Location"]).content.decode())
    refused = AuditEntry.objects.get(action=AuditAction.REFUSED, actor=reader)
    assert refused.target == f"auditentry:{xiangtan.pk}" and refused.region_code == XIANGTAN


def test_his_own_regions_entry_opens(client, trail):
    yichun, _xiangtan, _old = trail
    client.force_login(clerk(YICHUN, "审核员"))
    response = client.get(f"{LIST}{yichun.pk}/change/")
    assert response.status_code == 200 and yichun.target in response.content.decode()
