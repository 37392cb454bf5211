"""More reading: related articles and the archive's month list."""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from .models import Article

RELATED_LIMIT = 4


def related_articles(article, *, limit=RELATED_LIMIT):
    """Visible articles sharing the most topics and tags with `article`, newest first among
    equals: one query (the article's topics and tags come from its for_listing() prefetch)."""
    topic_ids = [topic.pk for topic in article.topics.all()]
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not topic_ids and not tag_ids:
        return []
    shared = Count("topics", filter=Q(topics__in=topic_ids), distinct=True) + Count(
        "tags", filter=Q(tags__in=tag_ids), distinct=True
    )
    return list(
        Article.objects.published()
        .filter(Q(topics__in=topic_ids) | Q(tags__in=tag_ids))
        .exclude(pk=article.pk)
        .select_related("section")
        .annotate(shared=shared)
        .order_by("-shared", "-published_at", "-pk")[:limit]
    )


def archive_months():
    """[(month, number of visible articles)], newest month first, in the current time zone."""
    rows = (
        Article.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(total=Count("pk"))
        .order_by("-month")
    )
    return [(row["month"], row["total"]) for row in rows]
