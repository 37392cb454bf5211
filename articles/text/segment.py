"""Chinese word segmentation (jieba) and the plain text that search and reading time work on.

PostgreSQL's text-search parsers do not split Chinese, so text is segmented here, in Python:
when an article is saved (Article.search_document: title, summary and body as space-joined
jieba words, search-engine mode, lowercased) and when a reader searches (articles.search).
"""

import functools
import html
import logging
import re
import threading
from pathlib import Path

from django.utils.html import strip_tags

USER_WORDS = Path(__file__).with_name("search_words.txt")
WORD = re.compile(r"\w+")
_jieba_lock = threading.Lock()


@functools.cache
def jieba():
    """jieba with the site's words, loaded once per process (the dictionary takes about 1 s)."""
    with _jieba_lock:
        import jieba  # a second of start-up: loaded on first use, not when Django starts

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        jieba.load_userdict(str(USER_WORDS))
        return jieba


def words(tokens):
    """Lowercased word tokens; punctuation and whitespace tokens are dropped."""
    for token in tokens:
        yield from (piece.lower() for piece in WORD.findall(token))


def segment_for_index(text):
    """Search-engine mode: a long word also yields its shorter dictionary words."""
    # words() in one regex pass: the joining space is not \w, so no piece spans two tokens.
    pieces = WORD.findall(" ".join(jieba().cut_for_search(text)))
    return " ".join([piece.lower() for piece in pieces])


def plain_text(html_text):
    return html.unescape(strip_tags(html_text or ""))


def build_search_document(*, title, description, body):
    return segment_for_index(f"{title}\n{description}\n{plain_text(body)}")
