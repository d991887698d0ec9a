"""The review queue's queries, counted exactly, as a 审核员 of one city and as a 主管 who sees every region.

A queue page of 50 at 50,000 waiting (BENCHMARKS.md) stays fast only while it runs a fixed, small set of
statements: the session's user and his permissions, one count, one page of rows (with the 待复核 annotation),
and nothing per row. The region list of the filter comes from the per-process policy memo after the first page.
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
# The case page (on top of the session, the user and his permissions): see the test below.
CASE_PAGE_MAX = 14


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
    assert sum(sql.startswith("SELECT COUNT(*)") for sql in statements) == 1


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
    assert len(statements) <= CASE_PAGE_MAX, "\n\n".join(statements)
