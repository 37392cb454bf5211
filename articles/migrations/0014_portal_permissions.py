"""Editors and moderators manage the channels and the menus: the four permissions of Channel and
MenuItem go to the Editor and Moderator groups (writers get none)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PORTAL = [
    f"{action}_{model}"
    for model in ("channel", "menuitem")
    for action in ("view", "add", "change", "delete")
]
GROUPS = ["Editor", "Moderator"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="articles", codename__in=PORTAL)
    missing = set(PORTAL) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"permissions missing for channels and menus: {sorted(missing)}")
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="articles", codename__in=PORTAL)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_ad_permissions")]

    operations = [migrations.RunPython(grant, revoke)]
