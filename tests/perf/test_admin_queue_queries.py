"""The review queue's queries, counted exactly, as a 审核员 of one city and as a 主管 who sees every region.

A queue page of 50 at 50,000 waiting (BENCHMARKS.md) stays fast only while it runs a fixed, small set of
statements: the session's user and his permissions, one count, one page of rows (with the 待复核 annotation),
and nothing per row. The region list of the filter comes from the per-process policy memo after the first page.
A clerk's count and rows filter on the binding's own region code (migration 0013's partial index), without
joining the applications; the page reads only the columns its table shows.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bindings.models import Status
from tests.factories import InsuredPersonFactory, clerk

pytestmark = pytest.mark.django_db

QUEUE = "/admin/bindings/binding/"
# the session (the database backend in tests; Redis in production), the user, his own and his groups'
# permissions, the count, the page of rows
EXPECTED = 6
# The case page: the session, the user, his own and his groups' permissions, the binding with its application and
# both parties, the engine's facts, the documents, the timeline and the audit rows. A case one clerk has approved
# reads that approval too (two more: the last submission and the approval since).
CASE_PAGE = 9


@pytest.mark.parametrize("who", ["审核员", "主管"])
def test_the_queue_runs_six_queries(client, rows, who):
    user = clerk("360900" if who == "审核员" else "", who)
    client.force_login(user)
    for _ in range(3):
        binding = rows.binding(status=Status.SUBMITTED, authorizer=InsuredPersonFactory(district="360902"))
        rows.document(binding, 1)
    client.get(QUEUE)  # the first page of the process reads the region list once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert response.content.decode().count('class="action-select"') == 3
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == EXPECTED, "\n\n".join(statements)
    assert not any('"policies_region"' in sql for sql in statements), "the region list is memoized per process"
    (count,) = [sql for sql in statements if sql.startswith("SELECT COUNT(*)")]
    assert '"bindings_application"' not in count, "the count reads the bindings' partial index alone"
    assert ('"bindings_binding"."region_code"' in count) == (who == "审核员")
    (page,) = [sql for sql in statements if sql.startswith('SELECT "bindings_binding"."id"')]
    where = page.rsplit("WHERE", 1)[1]  # the page's own filter (the 待复核 annotation has its own WHEREs)
    assert ('"bindings_binding"."region_code"' in where) == (who == "审核员")
    assert '"bindings_application"."city_code"' not in where, "no join to scope the region"
    for unused in ('"bindings_binding"."missing_note"', '"accounts_insuredperson"."phone"', '"created_by_id"'):
        assert unused not in page.split("FROM")[0], f"the page reads only what its table shows: {unused}"


def test_the_superusers_queue_runs_four_queries(client, rows, admin_user):
    """No permission rows to read: the session, the user, the count and the page."""
    client.force_login(admin_user)
    rows.binding(status=Status.SUBMITTED, authorizer=InsuredPersonFactory(district="360902"))
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert len(queries) == 4, "\n\n".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("who", ["审核员", "主管"])
def test_the_case_page_reads_its_binding_once(client, rows, who):
    """The case page: the binding with its application and both parties in one statement, read once (admin's
    change view asks for it again), then the engine's facts, the documents, the timeline and the audit rows."""
    user = clerk("360900" if who == "审核员" else "", who)
    client.force_login(user)
    binding = rows.binding(status=Status.SUBMITTED, authorizer=InsuredPersonFactory(district="360902"))
    rows.document(binding, 1)
    url = f"{QUEUE}{binding.pk}/change/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert binding.application.case_number in response.content.decode()
    statements = [q["sql"] for q in queries.captured_queries]
    reads = [sql for sql in statements if sql.startswith('SELECT "bindings_binding"."id"') and "LIMIT 21" in sql]
    assert len(reads) == 1, "\n\n".join(reads)
    assert '"bindings_application"' in reads[0] and "T4" in reads[0], "application and both parties joined"
    assert len(statements) == CASE_PAGE, "\n\n".join(statements)


def test_the_case_page_reads_a_first_approval_only_when_there_is_one(client, rows):
    """The 待复核 annotation on the binding's read says whether there is one: a case without reads none."""
    from tests.clerk.dashboard_data import first_approval

    first, second = clerk("360900", "审核员"), clerk("360900", "审核员")
    binding = rows.binding(status=Status.SUBMITTED, authorizer=InsuredPersonFactory(district="360902"))
    first_approval(binding, first)
    client.force_login(second)
    url = f"{QUEUE}{binding.pk}/change/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert 'id="maker-checker"' in response.content.decode()
    assert len(queries) == CASE_PAGE + 2, "\n\n".join(q["sql"] for q in queries.captured_queries)
