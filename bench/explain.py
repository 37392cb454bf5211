"""EXPLAIN ANALYZE of every public page's main queries against the bench database.

    DATABASE_URL=postgres://.../newsroom_bench python bench/explain.py [--brief]

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

from django.db.models import Q, Subquery  # noqa: E402

from articles import reading, search  # noqa: E402
from articles.models import Article, Tag  # noqa: E402
from articles.pagination import READING_ORDER, _live_pinned_ids  # noqa: E402

KEYWORDS = ("Scan", "Sort", "Execution Time", "Limit", "Join", "Nested Loop")


def queries():
    visible = Article.objects.published()
    tag = Tag.objects.order_by("pk").first()
    article = visible.order_by("-published_at")[500]
    rest = visible.order_by(*READING_ORDER)
    earlier = visible.filter(published_at__lt=article.published_at).order_by("-published_at", "-pk")
    later = visible.filter(published_at__gt=article.published_at).order_by("published_at", "pk")
    topic_ids = list(article.topics.values_list("pk", flat=True))
    tag_ids = list(article.tags.values_list("pk", flat=True))
    return {
        "list: pinned articles": visible.filter(pk__in=_live_pinned_ids()).order_by(*READING_ORDER),
        "list page 1 (rest, LIMIT 20)": visible.filter(pk__in=rest.values("pk")[:20]),
        "list page 250 (OFFSET 4980)": visible.filter(pk__in=rest.values("pk")[4980:5000]),
        "list: count (once per generation)": visible.order_by().values("pk"),
        "tag page 1": visible.filter(pk__in=rest.filter(tags=tag).values("pk")[:20]),
        "tag page 50 (OFFSET 980)": visible.filter(
            pk__in=rest.filter(tags=tag).values("pk")[980:1000]
        ),
        "old in_reading_order() page 1": visible.in_reading_order()[:20],
        "detail by slug": visible.filter(slug=article.slug),
        "detail neighbours": visible.filter(
            Q(pk=Subquery(earlier.values("pk")[:1])) | Q(pk=Subquery(later.values("pk")[:1]))
        ),
        "feed (30 newest)": visible.order_by("-published_at", "-pk")[:30],
        "related articles": reading.related_articles_queryset(article, topic_ids, tag_ids)
        if hasattr(reading, "related_articles_queryset")
        else None,
        "search 元宇宙 (newest-4k window)": search.candidates(
            visible, "元宇宙", since=dict(search.window_starts()).get(search.WINDOWS[0])
        ),
    }


def main():
    brief = "--brief" in sys.argv
    for name, queryset in queries().items():
        if queryset is None:
            continue
        if name.startswith("list: count"):
            from django.db import connection

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
