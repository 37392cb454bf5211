from django.db import migrations

SLOTS = [
    ("pinned", "置顶", "排在它所在的每个列表最前面。", None, 0),
    ("carousel", "首页轮播", "首页轮播图（Hugo 的 recommend）。", 6, 1),
    ("showcase", "首页展示位", "轮播图旁边固定的三个展示位置（Hugo 的 recommend1）。", 3, 2),
]


def create_slots(apps, schema_editor):
    Slot = apps.get_model("articles", "Slot")
    for key, name, description, capacity, position in SLOTS:
        Slot.objects.get_or_create(
            key=key,
            defaults={
                "name": name, "description": description, "capacity": capacity,
                "position": position,
            },
        )


def remove_slots(apps, schema_editor):
    apps.get_model("articles", "Slot").objects.filter(key__in=[s[0] for s in SLOTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_slots, remove_slots)]
