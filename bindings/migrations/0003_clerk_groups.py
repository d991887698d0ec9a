"""The three clerk roles as groups. Permissions are created here first: post_migrate has not run yet."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from bindings.roles import ROLES, ensure_roles


def create_groups(apps, schema_editor):
    for app_label in ("accounts", "bindings"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # the migration state's stub lacks it; create_permissions checks it
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), with_ledger=False)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bindings", "0002_clerk_permissions"),
        ("accounts", "0003_audit_entry"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
