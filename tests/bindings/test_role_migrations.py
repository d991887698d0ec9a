"""A database whose clerk groups already exist gets the new permissions through a data migration."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

supervisor_premiums = importlib.import_module("bindings.migrations.0012_supervisor_premium_standards")


def test_an_existing_supervisor_group_gets_the_premium_standard_permissions():
    group, _ = Group.objects.get_or_create(name="主管")
    group.permissions.clear()

    supervisor_premiums.grant(apps, None)

    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_premiumamount", "change_premiumamount", "view_premiumamount", "view_source"} <= codenames

    supervisor_premiums.revoke(apps, None)
    assert not group.permissions.filter(codename="add_premiumamount").exists()
