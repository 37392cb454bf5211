"""Search what an article is about: the names of its section, topics, tags and authors.

Article.search_terms holds those names (and their other languages' names) as jieba words, kept
current by articles.models.search_terms. This fills it for the articles there are, and on
PostgreSQL rebuilds search_vector from both columns:
strip(to_tsvector('simple', search_document || ' ' || search_terms)), in the row (STORAGE MAIN)
and GIN-indexed as 0008 made it. Rewrites the table: about a minute per 100,000 articles.
"""

from django.db import migrations, models

from articles.text.segment import segment_for_index

INDEX = "article_search_vector_idx"
BATCH = 2000
LABELS = ("section", "topics", "tags", "authors")


def _names(name, translations=None):
    found = [name] if name else []
    for values in (translations or {}).values():
        other = values.get("name") if isinstance(values, dict) else None
        if other and other not in found:
            found.append(str(other))
    return found


def fill_search_terms(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    manager = Article._default_manager.using(schema_editor.connection.alias)
    ids = list(manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        rows = manager.filter(pk__in=ids[start : start + BATCH])
        names = {}
        for order, path in enumerate(LABELS):
            fields = ["pk", f"{path}__name"]
            if path != "tags":
                fields.append(f"{path}__translations")
            for pk, name, *translations in rows.values_list(*fields):
                if name:
                    names.setdefault(pk, []).append((order, *_names(name, *translations)))
        changed = [
            Article(
                pk=pk,
                search_terms=segment_for_index(
                    "\n".join(name for _order, *found in sorted(labels) for name in found)
                ),
            )
            for pk, labels in names.items()
        ]
        manager.bulk_update(changed, ["search_terms"], batch_size=500)


def _replace_vector(schema_editor, expression):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(
        "ALTER TABLE articles_article ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED, "
        "ALTER COLUMN search_vector SET STORAGE MAIN"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON articles_article USING GIN (search_vector)")
    schema_editor.execute("ANALYZE articles_article")


def vector_with_terms(apps, schema_editor):
    _replace_vector(
        schema_editor,
        "strip(to_tsvector('simple'::regconfig, search_document || ' ' || search_terms))",
    )


def vector_without_terms(apps, schema_editor):
    _replace_vector(schema_editor, "strip(to_tsvector('simple'::regconfig, search_document))")


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_translations")]

    operations = [
        # Backwards, the vector stops reading search_terms before the column is removed.
        migrations.AddField(
            model_name="article",
            name="search_terms",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="分词后的栏目、专题、标签和作者名称，供全文搜索使用；名称改动时随之更新。",
            ),
        ),
        migrations.RunPython(fill_search_terms, migrations.RunPython.noop),
        migrations.RunPython(vector_with_terms, vector_without_terms),
    ]
