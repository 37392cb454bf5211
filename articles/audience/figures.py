"""What pages show of the counts: an article's total and the most-read lists (热榜), each
computed at most once a minute and kept in the shared cache for FIGURE_SECONDS.

A most-read list comes with the moment it expires, and a page showing it is kept by the page
cache no longer than that (articles.pagecache.middleware.keep_page_until()): a list on a page
is at most a minute older than the database. The lists name the content generation, as values
kept for readers do: an article unpublished or made a draft leaves them at once.

An article's total changes only when a flush writes new views for it (flush.py), so the flush
writes the new totals into the cache and moves the versions of those articles' pages
(totals_changed()): an article page stays cached until its own figure changes, instead of being
rendered again every minute whether anyone read it or not. A request that computed a total
before the flush's write cannot overwrite the flush's value (it only adds a missing key).
"""

import time
from datetime import timedelta
from urllib.parse import unquote

from django.core.cache import cache
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Window
from django.db.models.functions import Coalesce, Least, RowNumber
from django.utils import timezone
from django.utils.translation import get_language

from articles.models import Article, ViewCount
from articles.pagecache.generation import pages_changed
from articles.pagecache.keep import keep_shared
from articles.pagecache.state import ContentState

FIGURE_SECONDS = 60
TOTAL_SECONDS = 3600  # kept up to date by the flush (totals_changed()), read by article pages
MOST_READ_SIZE = 10
DAY_HOURS = 24
WEEK_HOURS = 7 * 24
SITE = "site"


def _kept_for_a_minute(key, compute, *, seconds=FIGURE_SECONDS):
    """(value, the timestamp it is kept until): `seconds` from when it was computed."""
    return keep_shared(key, lambda: (compute(), time.time() + seconds), timeout=seconds)


def _total_key(article_id):
    return f"newsroom:views:total:v2:{article_id}"


def view_total(article):
    """The article's views."""
    key = _total_key(article.pk)
    total = cache.get(key)
    if total is None:
        found = ViewCount.objects.filter(article=article).aggregate(total=Sum("views"))
        total = found["total"] or 0
        cache.add(key, total, timeout=TOTAL_SECONDS)
    return total


def totals_changed(article_ids):
    """After a flush wrote views for these articles: their new totals into the cache and their
    pages' versions moved (not the generation: nothing else shows a total)."""
    rows = (
        ViewCount.objects.filter(article_id__in=article_ids)
        .values("article_id")
        .annotate(total=Sum("views"))
        .values_list("article_id", "total")
    )
    cache.set_many({_total_key(pk): total for pk, total in rows}, timeout=TOTAL_SECONDS)
    articles = Article._base_manager.filter(pk__in=article_ids).only("slug", "language")
    pages_changed([unquote(article.get_absolute_url()) for article in articles], text=False)


def _windows(now):
    """The first hour of the last 24 hours and of the last 7 days (this hour included)."""
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    return (
        this_hour - timedelta(hours=DAY_HOURS - 1),
        this_hour - timedelta(hours=WEEK_HOURS - 1),
    )


def _sum_since(start):
    """An article's views since `start`, 0 for none (a subquery: window functions may not
    rank an aggregate of the same query)."""
    views = (
        ViewCount.objects.filter(article=OuterRef("pk"), hour__gte=start)
        .order_by()
        .values("article")
        .annotate(total=Sum("views"))
        .values("total")
    )
    return Coalesce(Subquery(views, output_field=IntegerField()), 0)


def _rank(field, *, per_section):
    return Window(
        RowNumber(),
        partition_by=[F("section_id")] if per_section else None,
        order_by=[F(field).desc(), F("pk").desc()],
    )


def _entry(article, views):
    return {"title": article.title, "url": article.get_absolute_url(), "views": views}


def _top(rows, field, *, section_id=None):
    """The first MOST_READ_SIZE rows read in the window `field`, of one section or all."""
    found = [
        row
        for row in rows
        if getattr(row, field) and (section_id is None or row.section_id == section_id)
    ]
    found.sort(key=lambda row: (-getattr(row, field), -row.pk))
    return [_entry(row, getattr(row, field)) for row in found[:MOST_READ_SIZE]]


def _compute_most_read():
    """{SITE or section id: {"day": [entry], "week": [entry]}} in one statement: the visible
    articles read in the last 7 days, each within the first MOST_READ_SIZE of either window
    across the site or in its section (window functions over the per-article sums)."""
    day_start, week_start = _windows(timezone.now())
    read = ViewCount.objects.filter(hour__gte=week_start)
    rows = list(
        Article.objects.published()
        .filter(pk__in=read.values("article"))
        .annotate(week=_sum_since(week_start), day=_sum_since(day_start))
        .annotate(
            best=Least(
                _rank("day", per_section=False),
                _rank("week", per_section=False),
                _rank("day", per_section=True),
                _rank("week", per_section=True),
            )
        )
        .filter(best__lte=MOST_READ_SIZE)
        .order_by()
        .only("pk", "title", "slug", "language", "section_id")
    )
    sections = {row.section_id for row in rows if row.section_id is not None}
    return {
        key: {
            "day": _top(rows, "day", section_id=section),
            "week": _top(rows, "week", section_id=section),
        }
        for key, section in [(SITE, None), *((pk, pk) for pk in sections)]
    }


def most_read(*, section=None):
    """({"day": [entry], "week": [entry]}, kept until) for the site or one section; an entry is
    {"title", "url", "views"}, most read first; a list is empty when nothing was read."""
    state = ContentState.current()
    lists, until = _kept_for_a_minute(
        state.key("most-read", get_language()),
        _compute_most_read,
        seconds=state.seconds_left(limit=FIGURE_SECONDS),
    )
    found = lists.get(SITE if section is None else section.pk) or {"day": [], "week": []}
    return found, until
