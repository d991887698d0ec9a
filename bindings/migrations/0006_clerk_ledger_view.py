"""Clerks may read the ledger (entries, settlements, premium payments); nobody edits it in admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["审核员", "窗口经办员", "主管"]
PERMISSIONS = ["view_ledgerentry", "view_settlement", "view_premiumpayment"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("bindings")
    app_config.models_module = True  # the migration state's stub lacks it; create_permissions checks it
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="bindings", codename__in=PERMISSIONS))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="bindings", codename__in=PERMISSIONS))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("bindings", "0005_ledger")]

    operations = [migrations.RunPython(grant, revoke)]
