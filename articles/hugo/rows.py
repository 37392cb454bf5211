"""An imported article's rows as plain INSERTs, its search terms made before it is saved,
and its URL without a reverse() each.

An import writes thousands of new articles, each with its byline, tags, topics and redirects:
the ORM's bulk_create() builds a model instance for every row and compiles its statement again
for every call, which cost more than the database's own work. These are the same rows, one
INSERT per table (bulk_create() sends no signals either). The search terms
(Article.search_terms) are what refresh_search_terms() would make once the article and its
links are stored; made here from the rows the run already holds, they go into the article's own
INSERT instead of two refreshes (a SELECT and an UPDATE each).
"""

import functools
import re

from django.db import connection
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

from articles.models import Article, ArticleAuthor, TaggedArticle
from articles.models.search_terms import LABELS, ordered_names
from articles.text.segment import segment_for_index

# Each kind's place in the order refresh_search_terms() writes the names in (LABELS).
SECTION, TOPICS, TAGS, AUTHORS = (
    list(LABELS.values()).index(kind) for kind in ("section", "topics", "tags", "authors")
)
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # what reverse() puts into a URL unquoted
_SLUG = "0slug0"
_url_parts = {}  # (language, script prefix) -> the article URL before and after the slug


def article_url(article):
    """article.get_absolute_url(), without a reverse() for each of an import's articles."""
    return article_url_for(article.slug, article.language, article=article)


def article_url_for(slug, language, *, article=None):
    """The URL of the article with this slug and language (Article.get_absolute_url())."""
    current = get_language()
    if language != current or not _PLAIN_SLUG.fullmatch(slug or ""):
        article = article or Article(slug=slug, language=language)
        return article.get_absolute_url()
    key = (current, get_script_prefix())
    if key not in _url_parts:
        url = reverse("articles:article-detail", kwargs={"slug": _SLUG})
        _url_parts[key] = url.split(_SLUG)
    before, after = _url_parts[key]
    return f"{before}{slug}{after}"


class SearchTerms:
    """Article.search_terms for a new article, without a query.

    refresh_search_terms() segments the names joined by newlines; jieba cuts text between two
    characters of different kinds (a newline is none of a word's) independently, so that is
    the names segmented one by one and joined: each name is cut once a run."""

    def __init__(self):
        self._words = {}

    def of(self, section, topics, tags, authors):
        labels = [(SECTION, section.name, section.translations)] if section else []
        labels += [(TOPICS, t.name, t.translations) for t in topics if t.name]
        labels += [(TAGS, t.name, None) for t in tags if t.name]
        labels += [(AUTHORS, a.name, a.translations) for a in authors if a.name]
        pieces = [self._segment(name) for name in ordered_names(labels)]
        return " ".join(piece for piece in pieces if piece)

    def _segment(self, name):
        words = self._words.get(name)
        if words is None:
            words = self._words[name] = segment_for_index(name)
        return words


def insert_rows(table, columns, rows):
    """rows as multi-row INSERTs: one for an article's links; a page with thousands of aliases
    takes as many as the database's limit on parameters asks (bulk_create()'s batches)."""
    size = max(1, (connection.features.max_query_params or 65_535) // len(columns))
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        key = (connection.vendor, table, tuple(columns), len(batch))
        sql = _insert_sql.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = _insert_sql[key] = (
                f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES {', '.join([one] * len(batch))}"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in batch for value in row])


_insert_sql = {}  # (vendor, table, columns, rows) -> the statement


def insert_links(article, *, authors, tags, topics):
    """The byline, tags and topics of a new article, as bulk_create() would write them."""
    pk = article.pk
    for model, fields, rows in (
        (
            ArticleAuthor,
            ("article", "author", "position"),
            [(pk, a.pk, n) for n, a in enumerate(authors)],
        ),
        (TaggedArticle, ("content_object", "tag"), [(pk, tag.pk) for tag in tags]),
        (Article.topics.through, ("article", "topic"), [(pk, topic.pk) for topic in topics]),
    ):
        if rows:
            insert_rows(model._meta.db_table, _columns(model, fields), rows)


@functools.cache
def _columns(model, fields):
    return [model._meta.get_field(name).column for name in fields]
