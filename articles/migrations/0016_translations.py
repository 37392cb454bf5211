"""Articles get a language and a translation group (each existing article its own group)."""

import uuid

from django.conf import settings
from django.db import migrations, models


def give_each_article_its_group(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for pk in Article.objects.filter(translation_group__isnull=True).values_list("pk", flat=True):
        Article.objects.filter(pk=pk).update(translation_group=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_import_digests")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="language",
            field=models.CharField(
                choices=settings.LANGUAGES,
                db_index=True,
                default=settings.LANGUAGE_CODE,
                help_text="文章正文的语言。同一篇文章的各语言版本属于同一个翻译组。",
                max_length=16,
                verbose_name="语言",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="translation_group",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_article_its_group, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="article",
            name="translation_group",
            field=models.UUIDField(
                db_index=True,
                default=uuid.uuid4,
                editable=False,
                help_text="同一篇文章的各语言版本共用一个翻译组，每种语言至多一篇。",
                verbose_name="翻译组",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(
                fields=("translation_group", "language"), name="one_translation_per_language"
            ),
        ),
    ]
