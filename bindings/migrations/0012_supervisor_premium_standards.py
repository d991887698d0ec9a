"""Supervisors enter next year's 居民医保 premium standard with its source (issue 15).

A fresh database gets these through bindings.roles.ensure_roles; a database whose groups already exist gets them
here.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["主管"]
PERMISSIONS = [
    "view_premiumamount",
    "add_premiumamount",
    "change_premiumamount",
    "view_policyversion",
    "view_source",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="policies", codename__in=PERMISSIONS))


def grant(apps, schema_editor):
    app_config = apps.get_app_config("policies")
    stub = getattr(app_config, "models_module", None)
    app_config.models_module = stub or True  # the migration state's stub lacks it; create_permissions checks it
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = stub
    Group = apps.get_model("auth", "Group")
    perms = _permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    perms = _permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("bindings", "0011_queue_indexes"), ("policies", "0003_issue15_schema")]

    operations = [migrations.RunPython(grant, revoke)]
