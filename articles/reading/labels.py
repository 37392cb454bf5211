"""What pages show around an article -- its byline, topics and tags, and on the article page
the previous and next article -- read in one SQL statement for any number of articles.

prefetch_related() takes a query per relation, and on these pages building and compiling those
querysets in Python costs several times what the database needs to answer them (about 0.8 ms
against 0.1 ms each, docs/PERFORMANCE.md). Here the relations are one UNION ALL of plain joins,
written from the models' table and column names, the same SQL on SQLite and PostgreSQL.

The views call attach_labels() on the articles of a page, the way prefetch_related_objects() is
called, so `article.byline`, `article.topic_list` and `article.tag_list` cost no query of their
own. What was not asked for is not there: those properties then read the database (a query
each), so they are never wrong, only slower. Authors, topics and tags built here carry only
id, name and slug; their other fields are deferred and load on first access.
"""

from django.db import connections
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, Tag, TaggedArticle, Topic
from articles.querysets.rows import partial as _partial

AUTHORS, TOPICS, TAGS = "authors", "topics", "tags"
KINDS = (AUTHORS, TOPICS, TAGS)
PREVIOUS, NEXT = "previous", "next"


def _q(connection, name):
    return connection.ops.quote_name(name)


def _relation_sql(kind, connection):
    """SELECT article id, kind, id, name, slug, then the sort keys (position, name, link id)
    of one relation, for the article ids bound at {ids}: authors in byline order, topics and
    tags by name as their models' Meta.ordering has them."""
    q = lambda name: _q(connection, name)  # noqa: E731 - local shorthand
    if kind == AUTHORS:
        link, target = ArticleAuthor._meta, Author._meta
        article_col, target_col = "article_id", "author_id"
        order = f"link.{q('position')}, ''"
    elif kind == TOPICS:
        link, target = Article.topics.through._meta, Topic._meta
        article_col, target_col = "article_id", "topic_id"
        order = f"0, item.{q('name')}"
    else:
        link, target = TaggedArticle._meta, Tag._meta
        article_col, target_col = "content_object_id", "tag_id"
        order = f"0, item.{q('name')}"
    return (
        f"SELECT link.{q(article_col)}, '{kind}', item.{q('id')}, item.{q('name')}, "
        f"item.{q('slug')}, {order}, link.{q('id')} "
        f"FROM {q(link.db_table)} link JOIN {q(target.db_table)} item "
        f"ON item.{q('id')} = link.{q(target_col)} WHERE link.{q(article_col)} IN ({{ids}})"
    )


def _neighbour_sql(kind, connection):
    """The visible article in the same language just before or after (published_at, id), by
    publish time then id, so articles published in the same second are neither skipped nor
    repeated."""
    q = lambda name: _q(connection, name)  # noqa: E731 - local shorthand
    table = q(Article._meta.db_table)
    if kind == PREVIOUS:
        comparison, direction = "<", "DESC"
    else:
        comparison, direction = ">", "ASC"
    return (
        f"SELECT * FROM (SELECT %s, '{kind}', {q('id')}, {q('title')}, {q('slug')}, 0, '', 0 "
        f"FROM {table} WHERE {q('status')} = %s AND {q('language')} = %s "
        f"AND {q('published_at')} <= %s "
        f"AND ({q('published_at')}, {q('id')}) {comparison} (%s, %s) "
        f"ORDER BY {q('published_at')} {direction}, {q('id')} {direction} LIMIT 1) AS neighbour_{kind}"
    )


def attach_labels(articles, kinds=KINDS, *, neighbours=False, using=None):
    """Set `labels` ({kind: [objects]} for each of `kinds`) and, with neighbours,
    `previous_article` / `next_article` on each article, in one statement whatever the number
    of articles. Names are ordered as the models order them (topics and tags by name), authors
    in byline order. Returns the articles as a list."""
    listed = list(articles)
    articles = [article for article in listed if article.pk is not None]
    if not articles or not (kinds or neighbours):
        return listed
    using = using or articles[0]._state.db or "default"
    connection = connections[using]
    ids = ", ".join(["%s"] * len(articles))
    parts, params = [], []
    for kind in kinds:
        parts.append(_relation_sql(kind, connection).format(ids=ids))
        params += [article.pk for article in articles]
    visible = Article.Status.PUBLISHED
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for article in articles if neighbours else ():
        if article.published_at is None:
            continue
        moment = connection.ops.adapt_datetimefield_value(article.published_at)
        for kind in (PREVIOUS, NEXT):
            parts.append(_neighbour_sql(kind, connection))
            params += [article.pk, visible, article.language, now, moment, article.pk]
    by_id = {article.pk: article for article in articles}
    for article in articles:
        article.labels = {kind: [] for kind in kinds}
        if neighbours:
            article.previous_article = article.next_article = None
    if not parts:
        return listed
    sql = " UNION ALL ".join(parts) + " ORDER BY 1, 2, 6, 7, 8"
    makers = {AUTHORS: Author, TOPICS: Topic, TAGS: Tag}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for article_id, kind, pk, name, slug, *_sort_keys in rows:
        article = by_id[article_id]
        if kind in makers:
            label = _partial(makers[kind], using, id=pk, name=name, slug=slug)
            article.labels[kind].append(label)
        else:
            # In the article's language, as the statement chose it.
            neighbour = _partial(
                Article, using, id=pk, title=name, slug=slug, language=article.language
            )
            setattr(article, f"{kind}_article", neighbour)
    return listed
