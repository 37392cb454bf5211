"""Reading time: Chinese characters and English words, read at their own speeds."""

import hashlib
import re

from django.conf import settings

from articles.text.segment import plain_text

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
LATIN_WORDS_PER_MINUTE = 200


_MINUTES_KEPT = 4096
_minutes_by_digest = {}


def reading_minutes(body_html):
    """Minutes to read: Chinese characters at READING_CPM a minute, plus English words (and
    numbers) at 200 a minute; punctuation, markup and entities don't count. At least 1.

    Kept per process by a digest of the body (a few bytes each), since every view of an
    article page would otherwise strip and count the whole body again."""
    digest = hashlib.blake2b(body_html.encode(), digest_size=16).digest()
    minutes = _minutes_by_digest.get(digest)
    if minutes is None:
        if len(_minutes_by_digest) >= _MINUTES_KEPT:
            _minutes_by_digest.clear()
        minutes = _minutes_by_digest[digest] = _count_minutes(body_html)
    return minutes


def _count_minutes(body_html):
    text = plain_text(body_html)
    minutes = len(_HAN.findall(text)) / settings.NEWSROOM["READING_CPM"]
    minutes += len(_LATIN_WORD.findall(text)) / LATIN_WORDS_PER_MINUTE
    return max(1, round(minutes))
