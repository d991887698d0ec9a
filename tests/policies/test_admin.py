import pytest
from django.urls import reverse

from policies.models import PolicyRevision, PolicyVersion, Region

pytestmark = pytest.mark.django_db
INLINES = ["relationship_rules", "proof_rules", "channels", "pooling_rules", "premium_amounts", "revisions"]


def version_form(version, **changes):
    data = {
        "region": version.region_id,
        "title": version.title,
        "summary": version.summary,
        "effective_from": version.effective_from or "",
        "effective_to": version.effective_to or "",
        "at_once_limit": version.at_once_limit or "",
        "total_limit": version.total_limit or "",
        "pair_scope": version.pair_scope,
        "dates_mode": version.dates_mode,
    }
    for prefix in INLINES:
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data | changes


@pytest.fixture
def bare_version(policies):
    """A version with no rows below it, so the admin form needs no inline data."""
    region = Region.objects.create(
        code="430500",
        name="邵阳市",
        short_name="邵阳",
        slug="shaoyang",
        level="city",
        parent=Region.objects.get(code="430000"),
    )
    return PolicyVersion.objects.create(region=region, title="测试版本", at_once_limit=8, total_limit=16)


def test_admin_edit_keeps_a_history(client, superuser, bare_version):
    client.force_login(superuser)
    url = reverse("admin:policies_policyversion_change", args=[bare_version.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, version_form(bare_version, at_once_limit=9))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    bare_version.refresh_from_db()
    assert bare_version.at_once_limit == 9 and bare_version.edited_in_admin_at is not None
    revision = PolicyRevision.objects.get(version=bare_version)
    assert revision.via == "admin" and revision.changed_by == superuser
    assert revision.changes == [{"field": "at_once_limit", "before": 8, "after": 9}]


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"at_once_limit": -1}, "at_once_limit", ""),
        ({"total_limit": 5}, "total_limit", "累计绑定上限（5）不能小于同时绑定上限（8）"),
        ({"effective_from": "2025-02-01", "effective_to": "2025-01-01"}, "effective_to", "失效日期早于生效日期"),
    ],
)
def test_admin_refuses_bad_rules(client, superuser, bare_version, changes, field, message):
    client.force_login(superuser)
    url = reverse("admin:policies_policyversion_change", args=[bare_version.pk])
    response = client.post(url, version_form(bare_version, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in " ".join(errors[field])
    assert not PolicyRevision.objects.filter(version=bare_version).exists()


def test_admin_refuses_overlapping_versions(client, superuser, bare_version):
    client.force_login(superuser)
    response = client.post(reverse("admin:policies_policyversion_add"), version_form(bare_version, title="第二版"))
    assert response.status_code == 200
    assert "有效期重叠" in " ".join(response.context["adminform"].form.errors["effective_from"])


def test_admin_lists_render(client, superuser, policies):
    client.force_login(superuser)
    for name in ("policyversion", "region", "source", "policyrevision", "poolingrule"):
        assert client.get(reverse(f"admin:policies_{name}_changelist")).status_code == 200
    version = PolicyVersion.objects.get(region__code="510400")
    assert client.get(reverse("admin:policies_policyversion_change", args=[version.pk])).status_code == 200
