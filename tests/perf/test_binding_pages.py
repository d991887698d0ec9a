"""The bindings pages' own queries (issue 16): each page asks for what it shows in a fixed, small number of
queries, counted apart from the common chrome (the page's queries minus /accounts/me/'s, so the chrome's own
savings do not move these numbers). tests/perf/test_query_counts.py checks that they stay constant with more rows.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bindings.models import Notice, Status
from tests.factories import InsuredPersonFactory, UserFactory

# What building each page costs: kept pages (config.pagecache, tests/perf/test_page_cache.py) are off here.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_pages")]


def queries(client, url, data=None):
    client.get(url)  # warm the per-process lookups (the chrome's, the region's resolved policy)
    with CaptureQueriesContext(connection) as chrome:
        client.get("/accounts/me/")
    call = (lambda: client.post(url, data)) if data is not None else (lambda: client.get(url))
    with CaptureQueriesContext(connection) as page:
        response = call()
    assert response.status_code in (200, 302), (url, response.status_code)
    own = [q["sql"] for q in page.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    chrome_sql = [q["sql"] for q in chrome.captured_queries]
    response.own_sql = [sql for sql in own if sql not in chrome_sql]
    return len(own) - len(chrome_sql), response


def test_mine_reads_every_binding_in_one_query(client, rows):
    """Both lists, the quota line and the draft come from one read; a resident without a draft with a relative
    costs one more (the draft application that has no relative yet)."""
    client.force_login(rows.authorizer_user)
    rows.mix(5)
    relative_user = UserFactory(person=InsuredPersonFactory(district="360902", resident=True))
    rows.binding(status=Status.ACTIVE, relative=relative_user.person)
    n, response = queries(client, "/bindings/mine/")
    assert n == 2
    draft = rows.binding(status=Status.DRAFT).application
    n, response = queries(client, "/bindings/mine/")
    assert n == 1
    assert draft.case_number in response.content.decode()


def test_detail_page(client, rows):
    """The binding, its timeline (no names to look up when nobody acted for anyone) and its documents."""
    binding = rows.binding(status=Status.ACTIVE)
    rows.document(binding, 0)
    client.force_login(rows.authorizer_user)
    n, response = queries(client, f"/bindings/{binding.pk}/")
    assert n == 3
    (events,) = [sql for sql in response.own_sql if 'FROM "bindings_bindingevent"' in sql]
    assert "JOIN" not in events  # the agents' names are read only for a step taken for someone


def test_returned_case_checklist_has_fixed_queries(client, rows):
    """A returned case shows the proof checklist: the engine's facts and the documents in one query each."""
    binding = rows.binding(status=Status.RETURNED)
    client.force_login(rows.authorizer_user)
    n, _response = queries(client, f"/bindings/{binding.pk}/")
    assert n == 4


def test_notices_first_page_needs_no_count(client, rows):
    Notice.objects.create(person=rows.authorizer, title="t", body="b", read_at="2026-01-01T00:00:00Z")
    client.force_login(rows.authorizer_user)
    n, response = queries(client, "/bindings/notices/")
    assert n == 1
    assert "t" in response.content.decode()


def test_wizard_steps(client, rows):
    client.force_login(rows.authorizer_user)
    rows.mix(3)
    n, _response = queries(client, "/bindings/apply/")  # the notice: the authorizer's bindings, any bare draft
    assert n == 2
    draft = rows.binding(status=Status.DRAFT)
    case = draft.application.case_number
    n, _response = queries(client, f"/bindings/applications/{case}/relative/")  # application, quota and drafts
    assert n == 2
    n, _response = queries(client, f"/bindings/applications/{case}/proof/")  # + facts and documents, any count
    assert n == 4
    n, _response = queries(client, f"/bindings/applications/{case}/summary/")  # the quota from the same facts
    assert n == 4


def test_precheck_post(client, rows):
    """The relative step's POST: the resident's application (whose is it?), then in the service the application
    locked, the registry, one read of the bindings that matter, the new draft row. The same relative sent again
    as he is writes nothing (the benchmark posts him over and over); a change is one UPDATE of that row."""
    client.force_login(rows.authorizer_user)
    rows.mix(3)
    draft = rows.binding(status=Status.DRAFT).application
    candidate = InsuredPersonFactory(district="360902", resident=True)
    data = {"id_type": "resident_id", "id_number": candidate.id_number, "name": candidate.name, "relationship": "child"}
    url = f"/bindings/applications/{draft.case_number}/relative/"
    n, response = queries(client, url, data)
    assert response.status_code == 302
    assert draft.bindings.filter(relative=candidate, status=Status.DRAFT).exists()
    assert n == 5
    (read,) = [sql for sql in response.own_sql if '"bindings_application"."case_number" =' in sql]
    assert "accounts_insuredperson" not in read  # the authorizer is the signed-in person, already loaded

    n, response = queries(client, url, data)  # the same relative again
    assert response.status_code == 302
    assert n == 4
    assert not [sql for sql in response.own_sql if sql.startswith(("INSERT", "UPDATE"))]
    assert draft.bindings.filter(relative=candidate).count() == 1

    n, response = queries(client, url, {**data, "phone": "13800138000"})
    assert n == 5
    (update,) = [sql for sql in response.own_sql if sql.startswith("UPDATE")]
    assert '"relative_phone"' in update and '"relationship"' not in update  # only what changed
    assert draft.bindings.get(relative=candidate).relative_phone == "13800138000"


def test_document_view_reads_only_what_it_checks(client, rows):
    """The document, its binding's parties and its case's region in one query (no registry rows), and the
    access log row."""
    binding = rows.binding(status=Status.SUBMITTED)
    document = rows.document(binding, 0)
    default_storage.save(document.storage_name, ContentFile(b"\xff\xd8 not really a jpeg"))
    client.force_login(rows.authorizer_user)
    _n, response = queries(client, f"/bindings/documents/{document.pk}/")  # no chrome: count its own tables
    own = [sql for sql in response.own_sql if '"bindings_' in sql]
    assert len(own) == 2
    (read,) = [sql for sql in own if 'FROM "bindings_document"' in sql]
    assert "accounts_insuredperson" not in read
    assert b"".join(response.streaming_content) == b"\xff\xd8 not really a jpeg"


@pytest.mark.parametrize(
    "read, values",
    [
        (
            "bindings.selectors.DOCUMENT_WITH_CASE",
            ["00000000-0000-0000-0000-000000000001", "7f3c2b1a-0000-4000-8000-00000000abcd"],
        ),
        ("bindings.selectors.APPLICATION_BY_CASE", ["GJ20260101000001", "GJ2026"]),
        ("bindings.selectors.FACT_ROWS", [(1, 2, 3), (40, 50, 60)]),
        ("bindings.services.applications._LOCKED_APPLICATION", [1, 987654321]),
        ("bindings.services.applications._REGISTRY_BY.id_number", ["360902201201019002", "x"]),
        ("bindings.services.applications._REGISTRY_BY.birth_certificate_no", ["O360000001", ""]),
    ],
)
def test_compiled_reads_do_not_depend_on_their_values(read, values):
    """A CompiledRead keeps the SQL of its first compile for every later value: it must be the same text."""
    import importlib

    module, _, name = read.rpartition(".")
    if module.endswith("_REGISTRY_BY"):
        module, _, registry = module.rpartition(".")
        compiled = getattr(importlib.import_module(module), registry)[name]
    else:
        compiled = getattr(importlib.import_module(module), name)
    values = [value if isinstance(value, tuple) else (value,) for value in values]
    sqls = {str(compiled.queryset(*value).query.get_compiler("default").as_sql()[0]) for value in values}
    assert len(sqls) == 1


def test_compiled_document_read_builds_what_the_orm_reads(rows):
    """The document view's read, run from its compiled SQL, gives the document, its binding and its case."""
    from bindings import selectors

    binding = rows.binding(status=Status.SUBMITTED)
    document = rows.document(binding, 0)
    other = rows.document(rows.binding(status=Status.SUBMITTED), 1)
    read = selectors._document_with_case(document.pk)
    assert (read.pk, read.kind, read.storage_name, read.content_type) == (
        document.pk,
        document.kind,
        document.storage_name,
        document.content_type,
    )
    assert (read.binding.pk, read.binding.authorizer_id, read.binding.relative_id, read.binding.status) == (
        binding.pk,
        binding.authorizer_id,
        binding.relative_id,
        Status.SUBMITTED,
    )
    application = binding.application
    assert (read.binding.application.pk, read.binding.application.case_number, read.binding.application.city_code) == (
        application.pk,
        application.case_number,
        application.city_code,
    )
    assert selectors._document_with_case(other.pk).binding.pk == other.binding_id
    assert selectors._document_with_case(str(document.pk)).pk == document.pk  # as the URL or a form hands it
    import uuid

    assert selectors._document_with_case(uuid.uuid4()) is None
