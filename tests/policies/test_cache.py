"""Resolved policies are memoized per process and forgotten as soon as policy data changes."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies.models import PolicyVersion
from policies.selectors import resolved_policy
from policies.services import policy_version_record_edit, stored_snapshot

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 25)


def queries(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_a_second_resolution_reads_no_policy_rows(policies):
    assert queries(lambda: resolved_policy("510400", ON)) > 0
    assert queries(lambda: resolved_policy("510400", ON)) == 0
    assert queries(lambda: resolved_policy("510400", date(2025, 1, 1))) > 0  # another day is another entry


def test_an_admin_edit_is_seen_at_once(policies):
    assert resolved_policy("510400", ON).at_once_limit.value == 5
    version = PolicyVersion.objects.filter(region__code="510400", at_once_limit=5).get()
    before = stored_snapshot(version)
    version.at_once_limit = 6
    version.save()
    policy_version_record_edit(version=version, before=before, actor=None)
    assert resolved_policy("510400", ON).at_once_limit.value == 6


def test_reloading_the_data_is_seen_at_once(policies):
    version = PolicyVersion.objects.filter(region__code="510400", at_once_limit=5).get()
    PolicyVersion.objects.filter(pk=version.pk).update(at_once_limit=4)  # a stray change behind the loader's back
    call_command("load_policies", "--overwrite", verbosity=0)
    assert resolved_policy("510400", ON).at_once_limit.value == 5


def test_a_cache_outage_falls_back_to_the_database(policies):
    from django.test import override_settings

    closed_port = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with override_settings(CACHES=closed_port):
        assert resolved_policy("510400", ON).at_once_limit.value == 5
        assert queries(lambda: resolved_policy("510400", ON)) > 0  # nothing memoized without the token
