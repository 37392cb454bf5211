"""Moderators run the ads: moderate_ad and the ad models' permissions go to the Moderator group.
Writers and editors get none of them (the ad services check moderate_ad again)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR = [
    "moderate_ad",
    "view_ad",
    "add_ad",
    "change_ad",
    "delete_ad",
    "view_adspot",
    "change_adspot",
    "view_adlog",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderator")
    permissions = Permission.objects.filter(
        content_type__app_label="articles", codename__in=MODERATOR
    )
    missing = set(MODERATOR) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"permissions missing for the Moderator group: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Moderator").first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=MODERATOR)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_section_field_presets")]

    operations = [migrations.RunPython(grant, revoke)]
