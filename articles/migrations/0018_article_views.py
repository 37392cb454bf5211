"""阅读量: per-article per-hour view counts (articles/audience/, docs/ARCHITECTURE.md "View counts").

Numbered 0017 beside 0017_search_terms, which it follows; renumber when both are merged.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_search_terms"),
    ]

    operations = [
        migrations.CreateModel(
            name="ViewCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("hour", models.DateTimeField(verbose_name="小时")),
                ("views", models.PositiveIntegerField(default=0, verbose_name="阅读量")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="view_counts",
                        to="articles.article",
                        verbose_name="文章",
                    ),
                ),
            ],
            options={
                "verbose_name": "阅读量",
                "verbose_name_plural": "阅读量",
                "indexes": [models.Index(fields=["hour"], name="view_count_hour")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "hour"), name="one_view_count_per_hour"
                    )
                ],
            },
        ),
    ]
