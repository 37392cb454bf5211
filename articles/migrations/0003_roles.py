"""The three editorial roles. Their rules are enforced in articles.permissions; these groups
only carry the Django permissions that the admin checks first."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER = [
    "view_article", "add_article", "change_article",
    "view_articleauthor", "add_articleauthor", "change_articleauthor", "delete_articleauthor",
    "view_taggedarticle", "add_taggedarticle", "change_taggedarticle", "delete_taggedarticle",
    "view_tag", "add_tag", "view_author", "view_section", "view_topic", "view_contentissue",
]
EDITOR = WRITER + [
    "delete_article", "publish_article", "change_any_article", "propose_placement",
    "add_author", "change_author", "add_section", "change_section", "add_topic", "change_topic",
    "change_tag", "view_slot", "view_placement", "view_placementproposal",
    "add_placementproposal", "delete_contentissue",
]
MODERATOR = EDITOR + [
    "moderate_placement", "add_placement", "change_placement", "delete_placement", "change_slot",
    "change_placementproposal", "view_placementlog",
]
ROLES = {"Writer": WRITER, "Editor": EDITOR, "Moderator": MODERATOR}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="articles", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions missing for role {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_default_slots"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
