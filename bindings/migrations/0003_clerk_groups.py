"""The three clerk roles as groups. Permissions are created here first: post_migrate has not run yet."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "审核员": [
        ("bindings", "view_binding"),
        ("bindings", "decide_binding"),
        ("bindings", "view_application"),
        ("bindings", "view_document"),
        ("bindings", "view_bindingevent"),
        ("accounts", "view_insuredperson"),
        ("accounts", "view_auditentry"),
    ],
    "窗口经办员": [
        ("bindings", "view_binding"),
        ("bindings", "use_counter"),
        ("bindings", "view_application"),
        ("bindings", "view_document"),
        ("bindings", "view_bindingevent"),
        ("accounts", "view_insuredperson"),
        ("accounts", "change_insuredperson"),
        ("accounts", "view_auditentry"),
    ],
    "主管": [
        ("bindings", "view_binding"),
        ("bindings", "decide_binding"),
        ("bindings", "use_counter"),
        ("bindings", "view_all_regions"),
        ("bindings", "view_application"),
        ("bindings", "view_document"),
        ("bindings", "view_bindingevent"),
        ("accounts", "view_insuredperson"),
        ("accounts", "change_insuredperson"),
        ("accounts", "view_auditentry"),
        ("accounts", "view_smsmessage"),
    ],
}


def create_groups(apps, schema_editor):
    for app_label in ("accounts", "bindings"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # the migration state's stub lacks it; create_permissions checks it
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


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
