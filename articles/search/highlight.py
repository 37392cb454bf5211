"""Search results' highlighting: the reader's words marked in titles and excerpts."""

import functools
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.search.query import clean_query, query_terms
from articles.text.segment import WORD, plain_text


def _needles(query):
    """The reader's words as typed and as segmented, longest first (so the longest match wins)."""
    typed = clean_query(query).lower()
    needles = {typed, *typed.split(), *query_terms(query)}
    return sorted((n for n in needles if WORD.search(n)), key=len, reverse=True)


@functools.lru_cache(maxsize=256)
def _pattern(query):
    """The regex of the query's needles; None if none."""
    needles = _needles(query)
    if not needles:
        return None
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)


def highlight(text, query):
    """`text` escaped, each match of the query wrapped in <mark>.

    Matches are found in the text as the reader reads it and the pieces escaped one by one: a
    query for `quot` or `amp` never lands inside an entity such as `&quot;`.
    """
    pattern = _pattern(query)
    if pattern is None:
        return escape(text)
    pieces, position = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def excerpt(text, query, *, width=120):
    """About `width` characters of plain text around the first match, highlighted."""
    text = " ".join(text.split())
    pattern = _pattern(query)
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - width // 4) if match else 0
    snippet = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{highlight(snippet, query)}{suffix}")


def result_excerpt(article, query, *, width=120):
    """best_excerpt([article.description, plain_text(article.body)], query), but the body --
    the longest text a results page reads -- is stripped of its markup only when the summary
    does not match."""
    pattern = _pattern(query)
    if article.description and pattern and pattern.search(article.description):
        return excerpt(article.description, query, width=width)
    return best_excerpt([article.description, plain_text(article.body)], query, width=width)


def best_excerpt(texts, query, *, width=120):
    """The excerpt of the first text that contains a match (else of the first non-empty one)."""
    texts = [text for text in texts if text]
    pattern = _pattern(query)
    matching = [text for text in texts if pattern and pattern.search(text)]
    chosen = (matching or texts or [""])[0]
    return excerpt(chosen, query, width=width)
