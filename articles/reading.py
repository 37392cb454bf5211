"""More reading: related articles, reading time and the archive's month list."""

import re

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from .models import Article
from .search import plain_text

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


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
LATIN_WORDS_PER_MINUTE = 200


def reading_minutes(body_html):
    """Minutes to read: Chinese characters at READING_CPM a minute, plus English words (and
    numbers) at 200 a minute; punctuation, markup and entities don't count. At least 1."""
    text = plain_text(body_html)
    minutes = len(_HAN.findall(text)) / settings.NEWSROOM["READING_CPM"]
    minutes += len(_LATIN_WORD.findall(text)) / LATIN_WORDS_PER_MINUTE
    return max(1, round(minutes))
