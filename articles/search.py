"""Site search: jieba segmentation, PostgreSQL full-text search, and a SQLite fallback.

PostgreSQL's text-search parsers do not split Chinese, so the text is segmented here, in Python,
both when an article is saved (Article.search_document: title, summary and body as space-joined
jieba words, search-engine mode, lowercased) and when a reader searches. On PostgreSQL the query
is matched against ``to_tsvector('simple'::regconfig, search_document)`` -- the exact expression
of the GIN index made by migration 0004, so the index is used. SQLite has no tsvector: there each
query word must appear (icontains) in the title, summary, body or search document.
"""

import functools
import html
import logging
import re
import threading
from pathlib import Path

from django.db import connection
from django.db.models import Case, F, Func, Q, Value, When
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 12
USER_WORDS = Path(__file__).with_name("search_words.txt")
# Dropped from queries (not from documents): they match nearly every article.
QUERY_STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 也 就 都 而 之 这 那 一个 the a an of and or to in on".split()
)
_WORD = re.compile(r"\w+")
_jieba_lock = threading.Lock()


@functools.cache
def _jieba():
    """jieba with the site's words, loaded once per process (the dictionary takes about 1 s)."""
    with _jieba_lock:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        jieba.load_userdict(str(USER_WORDS))
        return jieba


def _words(tokens):
    """Lowercased word tokens; punctuation and whitespace tokens are dropped."""
    for token in tokens:
        yield from (piece.lower() for piece in _WORD.findall(token))


def segment_for_index(text):
    """Search-engine mode: a long word also yields its shorter dictionary words."""
    # _words() in one regex pass: the joining space is not \w, so no piece spans two tokens.
    pieces = _WORD.findall(" ".join(_jieba().cut_for_search(text)))
    return " ".join([piece.lower() for piece in pieces])


def plain_text(html_text):
    return html.unescape(strip_tags(html_text or ""))


def build_search_document(*, title, description, body):
    return segment_for_index(f"{title}\n{description}\n{plain_text(body)}")


def clean_query(raw):
    """What is left of the reader's input once it is safe to use: no NULs, bounded length."""
    return (raw or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def query_terms(query):
    """Precise-mode words of the query, de-duplicated, in order, stopwords dropped.

    Precise mode on the query side: the index (search-engine mode) holds every precise-mode
    word plus its shorter parts, so each query word is found wherever the phrase occurs.
    """
    words = list(dict.fromkeys(_words(_jieba().cut(clean_query(query)))))
    meaningful = [word for word in words if word not in QUERY_STOPWORDS]
    return (meaningful or words)[:MAX_QUERY_TERMS]


class DocumentVector(Func):
    """The GIN index's expression, verbatim (SearchVector would add COALESCE and miss it)."""

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"

    def __init__(self, expression="search_document", **extra):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(F(expression), output_field=SearchVectorField(), **extra)


def _all_in(field, terms):
    return Q.create([(f"{field}__icontains", term) for term in terms], connector=Q.AND)


def search(queryset, query):
    """Filter `queryset` (already published().for_listing()) by the query, best first.

    Relevance: every query word in the title first, then in the summary, then newest first.
    (ts_rank would re-run to_tsvector on every matching row: 1.5 s instead of 33 ms for a
    word found in 4,000 of 20,000 articles -- see docs/SEARCH.md.)
    """
    terms = query_terms(query)
    if not terms:
        return queryset.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        tsquery = SearchQuery(" ".join(terms), config="simple", search_type="plain")
        queryset = queryset.alias(search_vector=DocumentVector()).filter(search_vector=tsquery)
    else:
        for term in terms:
            queryset = queryset.filter(
                Q(title__icontains=term)
                | Q(description__icontains=term)
                | Q(body__icontains=term)
                | Q(search_document__icontains=term)
            )
    rank = Case(When(_all_in("title", terms), then=Value(2)), default=Value(0)) + Case(
        When(_all_in("description", terms), then=Value(1)), default=Value(0)
    )
    return queryset.annotate(rank=rank).order_by("-rank", "-published_at", "-pk")


def _needles(query):
    """The reader's words as typed and as segmented, longest first (so the longest match wins)."""
    typed = clean_query(query).lower()
    needles = {typed, *typed.split(), *query_terms(query)}
    return sorted((n for n in needles if _WORD.search(n)), key=len, reverse=True)


def _pattern(needles, *, escaped):
    if not needles:
        return None
    alternatives = (re.escape(escape(n) if escaped else n) for n in needles)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text, query):
    """Escape `text`, then wrap each match of the query in <mark>."""
    escaped = escape(text)
    pattern = _pattern(_needles(query), escaped=True)
    if pattern is None:
        return mark_safe(escaped)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))


def excerpt(text, query, *, width=120):
    """About `width` characters of plain text around the first match, highlighted."""
    text = " ".join(text.split())
    pattern = _pattern(_needles(query), escaped=False)
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - width // 4) if match else 0
    snippet = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{highlight(snippet, query)}{suffix}")


def best_excerpt(texts, query, *, width=120):
    """The excerpt of the first text that contains a match (else of the first non-empty one)."""
    texts = [text for text in texts if text]
    pattern = _pattern(_needles(query), escaped=False)
    matching = [text for text in texts if pattern and pattern.search(text)]
    chosen = (matching or texts or [""])[0]
    return excerpt(chosen, query, width=width)
