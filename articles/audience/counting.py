"""Recording a view in the cache: no database, a few cache round trips.

A view counts once per reader and article in REPEAT_SECONDS (a keyed hash of the client's address
and User-Agent, kept in the cache: no cookie) and never for a bot. It is added to the bucket of
the minute it happened in; flush.py writes finished minutes to the database. The cache is the
buffer, so with Redis (REDIS_URL) the counts not yet written survive a restart; with local
memory (a laptop) they live as long as the process.

Per minute M the buffer holds, under KEY_PREFIX:
    M:a:<article id>  the article's views in that minute (cache.incr)
    M:n               how many articles have a counter in that minute
    M:i:<k>           the k-th of those articles' id, so a flush can list them
"""

import re
import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac

KEY_PREFIX = "newsroom:views"
REPEAT_SECONDS = 30 * 60
# A minute's bucket outlives a day without a flush (no beacon, no cron); older ones are dropped.
BUFFER_MINUTES = 24 * 60
BUFFER_SECONDS = BUFFER_MINUTES * 60 + 600

# Crawlers, link previews, monitors and HTTP libraries; headless browsers run the beacon too.
BOT_AGENTS = re.compile(
    r"bot\b|bot/|spider|crawl|slurp|archiver|preview|facebookexternalhit|embedly|headless"
    r"|phantomjs|lighthouse|pingdom|uptime|monitor|python|curl|wget|httpclient|okhttp"
    r"|go-http|java/|scrapy|feedfetcher|mediapartners|yandex|sogou|bytespider",
    re.IGNORECASE,
)


def is_bot(user_agent):
    return not user_agent or bool(BOT_AGENTS.search(user_agent))


def minute_of(moment):
    return int(moment // 60)


def counter_key(minute, article_id):
    return f"{KEY_PREFIX}:{minute}:a:{article_id}"


def size_key(minute):
    return f"{KEY_PREFIX}:{minute}:n"


def slot_key(minute, slot):
    return f"{KEY_PREFIX}:{minute}:i:{slot}"


def _seen_key(*, article_id, address, user_agent):
    digest = salted_hmac("newsroom.audience.seen", f"{article_id}|{address}|{user_agent}")
    return f"{KEY_PREFIX}:seen:{digest.hexdigest()[:32]}"


def record_view(*, article_id, address, user_agent):
    """Count one view of the article unless this client was counted for it within
    REPEAT_SECONDS or is a bot. True when counted."""
    if is_bot(user_agent):
        return False
    seen = _seen_key(article_id=article_id, address=address, user_agent=user_agent)
    if not cache.add(seen, 1, timeout=REPEAT_SECONDS):
        return False
    minute = minute_of(time.time())
    counter = counter_key(minute, article_id)
    if cache.add(counter, 1, timeout=BUFFER_SECONDS):
        # The first view of this article in this minute: list it for the flush.
        cache.add(size_key(minute), 0, timeout=BUFFER_SECONDS)
        slot = cache.incr(size_key(minute))
        cache.set(slot_key(minute, slot), article_id, timeout=BUFFER_SECONDS)
        return True
    try:
        cache.incr(counter)
    except ValueError:  # expired between add and incr: only a day-old bucket can
        return False
    return True
