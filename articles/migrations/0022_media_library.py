"""The media library (articles/models/media.py) and who may use it: writers browse it, pick
from it and edit an image's alt text and caption; editors and moderators may also delete an
unused image. Existing files are registered by `manage.py backfill_media_library`."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

WRITER = ["view_mediaimage", "change_mediaimage"]
EDITOR = WRITER + ["delete_mediaimage"]
ROLES = {"Writer": WRITER, "Editor": EDITOR, "Moderator": EDITOR}


def grant(apps, schema_editor):
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
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="articles", codename__in=EDITOR
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0021_slot_fill_placement_queue'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MediaImage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.ImageField(max_length=255, unique=True, upload_to='uploads/%Y/%m/', verbose_name='文件')),
                ('sha256', models.CharField(editable=False, max_length=64, unique=True, verbose_name='内容摘要')),
                ('width', models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='宽')),
                ('height', models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='高')),
                ('size', models.PositiveIntegerField(default=0, editable=False, verbose_name='字节数')),
                ('alt', models.CharField(blank=True, help_text='为看不到图片的读者描述图片内容；插入正文或选作题图时随图带上。', max_length=200, verbose_name='替代文字')),
                ('caption', models.CharField(blank=True, max_length=300, verbose_name='图片说明')),
                ('original_name', models.CharField(blank=True, editable=False, max_length=200, verbose_name='原文件名')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='上传时间')),
                ('uploaded_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
            ],
            options={
                'verbose_name': '媒体库图片',
                'verbose_name_plural': '媒体库',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
