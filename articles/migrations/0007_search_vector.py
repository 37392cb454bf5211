"""PostgreSQL: store the search vector instead of recomputing it.

Migration 0004 indexed the expression to_tsvector('simple', search_document). The index finds the
matching rows, but every match was then read back and its vector rebuilt from the text (the
bitmap heap scan's recheck), which took seconds for a word in thousands of articles. A stored
generated column keeps the vector in the row, PostgreSQL keeps it current on every write, and its
statistics let the planner tell common words from rare ones. The model does not declare the
column (SQLite has no tsvector); articles.search queries it by name. Adding it rewrites the
table: about a minute per 100,000 articles.
"""

from django.db import migrations

OLD_INDEX = "article_search_gin_idx"
INDEX = "article_search_vector_idx"


def add_stored_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_document)) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING GIN (search_vector)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    schema_editor.execute("ANALYZE articles_article")


def restore_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON articles_article "
        "USING GIN (to_tsvector('simple'::regconfig, search_document))"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_reading_indexes")]

    operations = [migrations.RunPython(add_stored_vector, restore_expression_index)]
