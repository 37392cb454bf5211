"""PostgreSQL: keep the search vector small and in the row, so testing a row is cheap.

0007's search_vector kept every word's positions (1.7 KB a row on the benchmark's articles), so
PostgreSQL moved it out of the row into the TOAST table: testing `search_vector @@ query` on a
row meant a TOAST index lookup and 3-4 more page reads, 5-7 us a row. That made the cheapest
plan for a common word -- walk the newest-first index and test each row until 1,000 match --
cost 20 ms for 2,000-4,000 rows, and the planner, which does not price that, chose it anyway.

Nothing reads the positions (plainto_tsquery ANDs words; no ts_rank, no phrase search), so the
column becomes strip(to_tsvector(...)): the same words without positions, about half the size
(0.9 KB here). STORAGE MAIN keeps it in the row: when a row is too big PostgreSQL moves the
body and the search document out first (the search page does not read the latter), and a MAIN
value leaves the row only if the row would not fit in a page. Testing a row is then about
1.5 us. The GIN index is rebuilt (its entries do not change). Rewrites the table: about a
minute per 100,000 articles.
"""

from django.db import migrations

INDEX = "article_search_vector_idx"


def _replace_column(schema_editor, expression, storage):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(
        "ALTER TABLE articles_article ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED, "
        f"ALTER COLUMN search_vector SET STORAGE {storage}"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON articles_article USING GIN (search_vector)")
    schema_editor.execute("ANALYZE articles_article")


def inline_stripped_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _replace_column(
        schema_editor, "strip(to_tsvector('simple'::regconfig, search_document))", "MAIN"
    )


def positional_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _replace_column(schema_editor, "to_tsvector('simple'::regconfig, search_document)", "EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_vector")]

    operations = [migrations.RunPython(inline_stripped_vector, positional_vector)]
