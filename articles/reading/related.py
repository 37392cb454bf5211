"""More reading: related articles and the archive's month list."""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connections, router
from django.db.models import Count, F
from django.db.models.functions import TruncMonth
from django.utils import timezone

from articles.models import Article, TaggedArticle
from articles.pagecache.generation import request_generation
from articles.pagecache.keep import keep_shared
from articles.querysets.prepared import Prepared
from articles.querysets.rows import partial

RELATED_LIMIT = 4
RELATED_CACHE_SECONDS = 60


def _links_of(topic_ids, tag_ids):
    topic_links = Article.topics.through.objects.filter(topic_id__in=topic_ids)
    tag_links = TaggedArticle.objects.filter(tag_id__in=tag_ids)
    return (
        topic_links.order_by()
        .values(linked=F("article_id"))
        .union(tag_links.order_by().values(linked=F("content_object_id")), all=True)
    )


# Compiled once per number of topics and tags (querysets/prepared.py): 0.8 ms of CPU a page.
_LINKS = Prepared(Article, _links_of, topic_ids=[int], tag_ids=[int])


def _sharing(article):
    """(SQL, parameters) of the link rows (article id per shared topic or tag) of every
    article that shares a topic or a tag with `article`, one UNION ALL statement; None when it
    has neither (its topics and tags come with it from attach_labels())."""
    topic_ids = [topic.pk for topic in article.topic_list]
    tag_ids = [tag.pk for tag in article.tag_list]
    if not topic_ids and not tag_ids:
        return None
    return _LINKS.sql(topic_ids=topic_ids, tag_ids=tag_ids)


def related_articles(article, *, limit=RELATED_LIMIT, at=None):
    """Visible articles sharing the most topics and tags with `article`, newest first among
    equals, with what a link shows (title, slug, time, section).

    A broad topic links thousands of articles (元宇宙: half the site), and counting what each
    of them shares cost ~150 ms at 100,000 articles, once per content generation for every
    article page read. So: the few articles sharing two or more are counted in the database
    over the link tables' indexes (GROUP BY ... HAVING) and ranked with their rows; when they
    are fewer than `limit`, the rest -- all sharing exactly one -- are the newest visible
    articles among the candidates. Same result as ranking every candidate (tests/test_reading.py
    checks it against that definition); 2-3 statements.

    Only articles published before `article` count, unless NEWSROOM["RELATED_INCLUDE_NEWER"]
    (Hugo's default, and what keeps older pages cached when a new article is published)."""
    sharing = _sharing(article)
    if sharing is None:
        return []
    connection = connections[router.db_for_read(Article)]  # the replica, when pages read it
    sql, params = sharing
    q = connection.ops.quote_name
    # The articles readers see now, published before this one (unless RELATED_INCLUDE_NEWER).
    visible = (
        f"article.{q('status')} = %s AND article.{q('language')} = %s "
        f"AND article.{q('published_at')} <= %s AND article.{q('id')} <> %s "
    )
    visible_params = [
        Article.Status.PUBLISHED,
        article.language,
        connection.ops.adapt_datetimefield_value(at or timezone.now()),
        article.pk,
    ]
    if article.published_at is not None and not settings.NEWSROOM["RELATED_INCLUDE_NEWER"]:
        visible += f"AND (article.{q('published_at')}, article.{q('id')}) < (%s, %s) "
        visible_params += [
            connection.ops.adapt_datetimefield_value(article.published_at),
            article.pk,
        ]
    table = q(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT shared.linked FROM (SELECT linked, COUNT(*) AS n FROM ({sql}) AS links "  # noqa: S608 - ORM-made SQL and model names
            f"GROUP BY linked HAVING COUNT(*) > 1) AS shared JOIN {table} AS article "
            f"ON article.{q('id')} = shared.linked WHERE {visible}"
            f"ORDER BY shared.n DESC, article.{q('published_at')} DESC, article.{q('id')} DESC "
            "LIMIT %s",
            [*params, *visible_params, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
        found = _links(cursor, connection, visible, visible_params, ids=ids)
        best = sorted(found, key=lambda item: ids.index(item.pk))
        if len(best) < limit:
            # The rest share exactly one: the newest of them.
            best += _links(
                cursor,
                connection,
                visible,
                visible_params,
                among=(sql, params),
                but=ids,
                limit=limit - len(best),
            )
    return best


def _links(cursor, connection, visible, visible_params, *, ids=(), among=None, but=(), limit=None):
    """Visible articles with what a link to one shows (title, slug, language, time, section),
    in one plain statement, made as rows.partial() makes rows: the ids given, or the newest
    `limit` of the articles the `among` statement selects, less `but`."""
    q = connection.ops.quote_name
    section = Article._meta.get_field("section").related_model
    columns = ("id", "title", "slug", "language", "published_at", "section_id")
    select = ", ".join(f"article.{q(name)}" for name in columns)
    statement = (
        f"SELECT {select}, section.{q('name')}, section.{q('slug')} "  # noqa: S608 - model names
        f"FROM {q(Article._meta.db_table)} AS article LEFT JOIN {q(section._meta.db_table)} "
        f"AS section ON section.{q('id')} = article.{q('section_id')} WHERE {visible}"
    )
    params = list(visible_params)
    if among is None:
        if not ids:
            return []
        statement += f"AND article.{q('id')} IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    else:
        statement += f"AND article.{q('id')} IN ({among[0]}) "
        params += among[1]
        if but:
            statement += f"AND article.{q('id')} NOT IN ({', '.join(['%s'] * len(but))}) "
            params += but
        statement += f"ORDER BY article.{q('published_at')} DESC, article.{q('id')} DESC LIMIT %s"
        params.append(limit)
    cursor.execute(statement, params)
    using = connection.alias
    links = []
    for *values, section_name, section_slug in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        if settings.USE_TZ and timezone.is_naive(row["published_at"]):
            row["published_at"] = timezone.make_aware(row["published_at"], UTC)  # SQLite's
        item = partial(Article, using, **row)
        item._state.fields_cache["section"] = (
            None
            if row["section_id"] is None
            else partial(section, using, id=row["section_id"], name=section_name, slug=section_slug)
        )
        links.append(item)
    return links


# Scheduled articles due within this horizon are kept among the cached candidates, so one that
# goes live appears in related lists at its minute, not when the cache next expires.
SCHEDULED_HORIZON = timedelta(days=7)
SCHEDULED_SPARE = 4


class RelatedLink(NamedTuple):
    """What the related list shows of an article, cheap to keep in the cache and to render:
    the URL and the dates come formatted (in the site's time zone, as the date filter would
    have them), since reverse() and the date filter were most of the list's rendering time."""

    title: str
    url: str
    section_name: str
    published_at: datetime
    published_iso: str
    published_day: str


def related_links(article, *, limit=RELATED_LIMIT, at=None):
    links = []
    for item in related_articles(article, limit=limit, at=at):
        local = timezone.localtime(item.published_at)
        links.append(
            RelatedLink(
                item.title,
                item.get_absolute_url(),
                item.section.name if item.section else "",
                item.published_at,
                local.isoformat(),
                local.strftime("%Y-%m-%d"),
            )
        )
    return links


def cached_related_articles(article, *, request=None):
    """related_articles() as RelatedLinks, kept per content generation for
    RELATED_CACHE_SECONDS.

    The cached list also holds articles scheduled within SCHEDULED_HORIZON (up to
    SCHEDULED_SPARE extra), and what is not yet visible is dropped on every read: a scheduled
    article shows up in others' related lists at its publish time, and any save at once."""
    # "v4": the entry holds RelatedLinks of this shape, pickled under this module's path
    # (articles.reading.related since v4); a new shape or path gets a new key, so processes of
    # the old and the new release never read each other's entries during a deploy.
    key = f"newsroom:related:v4:{request_generation(request)}:{article.pk}"
    candidates = keep_shared(
        key,
        lambda: related_links(
            article, limit=RELATED_LIMIT + SCHEDULED_SPARE, at=timezone.now() + SCHEDULED_HORIZON
        ),
        timeout=RELATED_CACHE_SECONDS,
    )
    now = timezone.now()
    return [item for item in candidates if item.published_at <= now][:RELATED_LIMIT]


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
