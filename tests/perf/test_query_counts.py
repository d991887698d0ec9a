"""The benchmarked pages run as many queries for 1 row as for 12: no page grows with the data (no N+1).

Each test warms the page once (one-off lookups such as content types are cached per process), counts the
queries with one row, adds eleven more, and counts again. The admin queue with 1 and 6 rows and
/bindings/mine/ as authorizer with 1 and 4 are also in tests/bindings; here they are counted with every
kind of row the page shows, and for the benchmark's users.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import NoReverseMatch, reverse

from bindings.models import DocumentAccess, Status
from policies.cache import policies_changed
from policies.models import PolicyRevision, PolicyVersion, Region
from tests.factories import InsuredPersonFactory, StaffFactory, UserFactory, clerk

# What building each page costs: kept pages (config.pagecache, tests/perf/test_page_cache.py) are off here.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_pages")]
MORE = 11


def constant(count_queries, request, add_rows):
    """Queries of `request` with the first row, then after add_rows() added 11 more."""
    add_rows(1)
    count_queries(request)  # warm-up
    few = count_queries(request)
    add_rows(MORE)
    many = count_queries(request)
    assert many == few, f"{few} queries with 1 row, {many} with {1 + MORE}"
    return few


def test_home(client, rows, count_queries):
    client.force_login(rows.authorizer_user)
    constant(count_queries, lambda: client.get("/"), rows.mix)


def test_city_policy_page_with_history_and_revisions(client, rows, count_queries):
    region = Region.objects.get(code="360900")

    def add(n):
        start = 1990 + PolicyVersion.objects.filter(region=region).count()
        for year in range(start, start + n):
            version = PolicyVersion.objects.create(
                region=region,
                effective_from=f"{year}-01-01",
                effective_to=f"{year}-12-31",
                title=f"历史版本{year}",
            )
            version.sources.set(region.versions.first().sources.all())
            PolicyRevision.objects.create(version=version, region=region, version_label=version.title, via="admin")

    def built():
        policies_changed()  # as every policy write does: the page is built again (cached: tests/perf/test_policy_pages)
        return client.get(f"/policies/{region.slug}/")

    constant(count_queries, built, add)
    assert built().content.decode().count("历史版本") >= 1 + MORE


def shows_all(response, bindings):
    page = response.content.decode()
    missing = [b.application.case_number for b in bindings if b.application.case_number not in page]
    assert not missing, f"{len(missing)} of {len(bindings)} rows are not on the page"


def test_my_bindings_as_authorizer(client, rows, count_queries):
    client.force_login(rows.authorizer_user)
    made = []
    constant(count_queries, lambda: client.get("/bindings/mine/"), lambda n: made.extend(rows.mix(n)))
    shows_all(client.get("/bindings/mine/"), made)


def test_my_bindings_as_relative(client, rows, count_queries):
    relative_user = UserFactory(person=InsuredPersonFactory(district="360902", resident=True))
    client.force_login(relative_user)

    def add(n):
        # A relative has one live binding at most; the rest of his history is dissolved.
        for _ in range(n):
            other = InsuredPersonFactory(district="360902")
            rows.binding(authorizer=other, relative=relative_user.person, status=Status.DISSOLVED)

    rows.binding(status=Status.ACTIVE, relative=relative_user.person)
    constant(count_queries, lambda: client.get("/bindings/mine/"), add)


def test_precheck_of_a_relative(client, rows, count_queries):
    """The relative step's POST: the engine's pre-check against an authorizer with more and more bindings."""
    client.force_login(rows.authorizer_user)
    draft = rows.binding(status=Status.DRAFT).application
    candidate = InsuredPersonFactory(district="360902", resident=True)
    data = {"id_type": "resident_id", "id_number": candidate.id_number, "name": candidate.name, "relationship": "child"}
    url = f"/bindings/applications/{draft.case_number}/relative/"

    def post():
        response = client.post(url, data)
        assert response.status_code == 302, "the candidate should pass the pre-check"
        return response

    constant(count_queries, post, rows.mix)
    constant(count_queries, lambda: client.get(url), rows.mix)  # the step's page, with the quota and the drafts


@pytest.mark.parametrize("who", ["superuser", "region clerk"])
def test_admin_review_queue(client, rows, count_queries, who):
    user = StaffFactory(is_superuser=True) if who == "superuser" else clerk("360900", "审核员")
    client.force_login(user)

    made = []

    def add(n):
        for _ in range(n):
            binding = rows.binding(status=Status.SUBMITTED, authorizer=InsuredPersonFactory(district="360902"))
            rows.document(binding, 1)
            made.append(binding)

    constant(count_queries, lambda: client.get("/admin/bindings/binding/"), add)
    shows_all(client.get("/admin/bindings/binding/"), made)


def test_document_view(client, rows, count_queries):
    binding = rows.binding(status=Status.SUBMITTED)
    document = rows.document(binding, 0)
    default_storage.save(document.storage_name, ContentFile(b"\xff\xd8 not really a jpeg"))
    client.force_login(rows.authorizer_user)

    def add(n):
        start = binding.documents.count()
        for i in range(start, start + n):
            rows.document(binding, i)
            DocumentAccess.objects.create(document=document, user=rows.authorizer_user)

    constant(count_queries, lambda: client.get(f"/bindings/documents/{document.pk}/"), add)


def test_settlement_simulator(client, rows, count_queries):
    try:
        url = reverse("ledger:simulator")
    except NoReverseMatch:
        pytest.skip("the settlement simulator is not built yet")
    client.force_login(rows.authorizer_user)
    made = []
    constant(count_queries, lambda: client.get(url), lambda n: made.extend(rows.binding() for _ in range(n)))
    page = client.get(url).content.decode()
    assert all(b.relative.name in page for b in made), "every relative is a patient to choose"


@pytest.mark.parametrize("page", ["queue", "ledger"])
def test_an_audited_id_search_stays_constant(client, rows, count_queries, page):
    """A search by ID number writes one SEARCH row (its region read from the joined rows, not one query each)."""
    from accounts.models import AuditAction, AuditEntry
    from bindings.ledger.services import ledger_post
    from bindings.models import EntryKind

    client.force_login(clerk("360900", "审核员"))
    person = rows.authorizer

    def add(n):
        for _ in range(n):
            if page == "queue":
                rows.binding(status=Status.SUBMITTED)
            else:
                ledger_post(person=person, kind=EntryKind.ADJUSTMENT, amount_fen=100)

    url = "/admin/bindings/binding/" if page == "queue" else "/admin/bindings/ledgerentry/"
    constant(count_queries, lambda: client.get(url, {"q": person.id_number}), add)
    searches = AuditEntry.objects.filter(action=AuditAction.SEARCH)
    assert searches.count() == 3 and {row.region_code for row in searches} == {"360900"}
