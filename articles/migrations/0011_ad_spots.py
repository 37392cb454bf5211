"""The ad spots the old site's themes had (adtype 1, 2, 3). Spots are data: add more in the admin."""

from django.db import migrations

SPOTS = [
    ("banner", "通栏横幅", "页面顶部的宽横幅；手机上换用窄图。旧站 adtype 1。", 1),
    ("side", "两侧竖图", "宽屏时页面左右两侧的一对竖图（左：主图，右：手机版图片）。旧站 adtype 2。", 2),
    ("toc", "目录下方", "文章目录下面的图片。旧站 adtype 3。", 3),
    ("home", "首页区块之间", "首页各栏目区块之间的横幅。", 4),
]


def add_spots(apps, schema_editor):
    AdSpot = apps.get_model("articles", "AdSpot")
    for key, name, description, position in SPOTS:
        AdSpot.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "position": position}
        )


def remove_spots(apps, schema_editor):
    AdSpot = apps.get_model("articles", "AdSpot")
    AdSpot.objects.filter(key__in=[key for key, *_ in SPOTS], ads__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_portal")]

    operations = [migrations.RunPython(add_spots, remove_spots)]
