"""Reviewers and supervisors decide guardianships and read parent links and proxies (issue 12).

A fresh database gets these through bindings.roles.ensure_roles; a database whose groups already exist gets them
here.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["审核员", "主管"]
PERMISSIONS = ["view_guardianship", "decide_guardianship", "view_familylink", "view_proxygrant"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True  # the migration state's stub lacks it; create_permissions checks it
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="accounts", codename__in=PERMISSIONS))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="accounts", codename__in=PERMISSIONS))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("bindings", "0008_delegation"), ("accounts", "0006_delegation")]

    operations = [migrations.RunPython(grant, revoke)]
