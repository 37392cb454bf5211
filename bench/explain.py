"""EXPLAIN ANALYZE of every public page's main queries against the bench database.

    DATABASE_URL=postgres://.../newsroom_bench_run python bench/explain.py [--brief]

--brief prints only the plan lines naming a scan, a sort or the execution time.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article, Tag  # noqa: E402
from articles.reading import related as reading  # noqa: E402
from articles.reading.labels import AUTHORS, attach_labels  # noqa: E402
from articles.reading.pagination import READING_ORDER, _live_pinned_ids  # noqa: E402
from articles.search import query as search  # noqa: E402

KEYWORDS = ("Scan", "Sort", "Execution Time", "Limit", "Join", "Nested Loop")


def _sql_of(run, index=-1):
    """A statement run() makes (the last, or the index-th): for queries built outside the ORM
    (articles.reading.labels, articles.reading.related)."""
    with CaptureQueriesContext(connection) as ctx:
        run()
    return ctx.captured_queries[index]["sql"]


def queries():
    visible = Article.objects.published()
    tag = Tag.objects.order_by("pk").first()
    article = visible.order_by("-published_at")[500]
    rest = visible.order_by(*READING_ORDER).values_list("pk", flat=True)
    page_ids = list(rest[:20])
    (listed,) = attach_labels([Article.objects.get(pk=article.pk)])
    trace = []
    search.newest_ranked("元宇宙", trace=trace)
    return {
        "list: live pinned ids": visible.filter(pk__in=_live_pinned_ids())
        .order_by(*READING_ORDER)
        .values_list("pk", flat=True),
        "list page 1 ids (LIMIT 20)": rest[:20],
        "list page 250 ids (OFFSET 4980)": rest[4980:5000],
        "list: rows of a page by id": visible.select_related("section").filter(pk__in=page_ids),
        "list: bylines of a page (articles.reading.labels)": _sql_of(
            lambda: attach_labels(visible.for_cards().filter(pk__in=page_ids), (AUTHORS,))
        ),
        "list: count (once per generation)": visible.order_by().values("pk"),
        "tag page 1 ids": rest.filter(tags=tag)[:20],
        "tag page 50 ids (OFFSET 980)": rest.filter(tags=tag)[980:1000],
        "old in_reading_order() page 1": visible.in_reading_order()[:20],
        "detail by slug": visible.select_related("section").filter(slug=article.slug),
        "detail: byline, topics, tags, previous and next (articles.reading.labels)": _sql_of(
            lambda: attach_labels([visible.for_cards().get(pk=article.pk)], neighbours=True)
        ),
        "feed (30 newest)": visible.order_by("-published_at", "-pk")[:30],
        "related articles: sharing two or more, ranked": _sql_of(
            lambda: reading.related_articles(listed), index=0
        ),
        "related articles: the newest sharing one": _sql_of(
            lambda: reading.related_articles(listed)
        ),
        f"search 元宇宙 ({trace[-1][0]} plan)": trace[-1][2],
    }


def main():
    brief = "--brief" in sys.argv
    for name, queryset in queries().items():
        if queryset is None:
            continue
        if isinstance(queryset, str):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ANALYZE {queryset}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
        elif name.startswith("list: count"):
            sql, params = queryset.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ANALYZE SELECT COUNT(*) FROM ({sql}) AS visible", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            plan = queryset.explain(analyze=True)
        print(f"== {name}")
        for line in plan.splitlines():
            if not brief or any(word in line for word in KEYWORDS):
                print(f"   {line}")


if __name__ == "__main__":
    main()
