"""What a reader request sees of the content: the generation and the next scheduled event.

Time-based changes (a scheduled article's publish time, a placement's start or end) need no
write: each cached value lives at most until the *next event*, the earliest such time still to
come. The app registers where those times come from (watch_events(), in articles/apps.py); the
next event is computed once per generation and cached under it.
"""

import hashlib

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from articles.pagecache.generation import (
    GENERATION_KEY,
    SITE_GENERATION_KEY,
    TEXT_VERSION_KEY,
    generation,
    page_cache_settings,
    page_version_key,
    replica_may_lag,
    site_generation,
    text_version,
)
from articles.pagecache.keep import LeastRecent, keep_shared

NEXT_EVENT_KEY = "newsroom:next-event"
NO_EVENT = 0.0
_event_sources = []


def watch_events(source):
    """Register source(now) -> the earliest moment after `now` (an aware datetime, or None) at
    which what readers see changes without a write (a publish time, a placement's window)."""
    if source not in _event_sources:
        _event_sources.append(source)


def _now():
    """The clock the events are read by (earliest_event(timezone.now())), as a timestamp."""
    return timezone.now().timestamp()


def earliest_event(now):
    """The earliest event of every registered source, as a timestamp; NO_EVENT when none."""
    moments = [moment for source in _event_sources if (moment := source(now)) is not None]
    return min(moments).timestamp() if moments else NO_EVENT


class ContentState:
    """The generation and the next scheduled event, as one reader request sees them; with a
    path, also that page's version and the text version (generation.py, "Page versions")."""

    def __init__(self, generation, next_event, *, page_version=None, text_version=None, site=None):
        self.generation = generation
        self.next_event = next_event
        self.page_version = page_version  # None: no page is stored for this path yet
        self.text_version = text_version
        self.site_generation = site

    @classmethod
    def current(cls, *, compute=True, path=None):
        """compute=False: None rather than a write or a database query when the generation or
        the next event must be (re)computed; the fast path then leaves the request to Django."""
        # One cache round trip on a page-cache hit: the next event is stored with the
        # generation it was computed for, and only trusted for that generation.
        keys = [GENERATION_KEY, NEXT_EVENT_KEY]
        if path is not None:
            keys += [TEXT_VERSION_KEY, SITE_GENERATION_KEY, page_version_key(path)]
        found = cache.get_many(keys)
        gen = found.get(GENERATION_KEY)
        computed_for, next_event = found.get(NEXT_EVENT_KEY) or (None, None)
        now = _now()
        stale = (
            gen is None
            or computed_for != gen
            or next_event is None
            or (next_event != NO_EVENT and next_event <= now)
        )
        if stale and not compute:
            return None
        if gen is None:
            gen = generation()
        if stale:
            next_event = earliest_event(timezone.now())
            timeout = page_cache_settings()["TIMEOUT"]
            if next_event != NO_EVENT:
                timeout = min(timeout, max(1, int(next_event - now)))
            cache.set(NEXT_EVENT_KEY, (gen, next_event), timeout=timeout)
        if path is None:
            return cls(gen, next_event)
        text, site = found.get(TEXT_VERSION_KEY), found.get(SITE_GENERATION_KEY)
        if text is None or site is None:
            if not compute:
                return None
            text, site = text or text_version(), site or site_generation()
        return cls(gen, next_event, page_version=found.get(keys[-1]), text_version=text, site=site)

    def seconds_left(self, *, limit):
        """How long a value computed now may be kept: at most `limit`, never past the event."""
        if self.next_event == NO_EVENT:
            return limit
        return min(limit, self.next_event - _now())

    def key(self, *parts):
        """Where a value computed now for readers is kept: under the generation."""
        digest = hashlib.md5("|".join(map(str, parts)).encode(), usedforsecurity=False)
        return f"newsroom:{self.generation}:{self.next_event}:{digest.hexdigest()}"

    def page_key(self, *parts):
        """Where a page is kept: under the site generation (pages that list articles record the
        generation in their entry, articles/pagecache/middleware.py)."""
        digest = hashlib.md5("|".join(map(str, parts)).encode(), usedforsecurity=False)
        return f"newsroom:page:{self.site_generation}:{self.next_event}:{digest.hexdigest()}"


# This process's copies of cached_for_content()'s values, under the same keys.
_here = LeastRecent(size=1024)


def cached_for_content(*, parts, compute, shared=True):
    """compute() once per content generation and event window, e.g. a list's COUNT(*).

    Kept in the shared cache for every process, and by this process too: a home page reads a
    dozen such values, and each from the shared cache is a round trip and an unpickling (about
    0.4 ms of the home page's CPU). The key names the generation and the event window, so no
    copy is read past a change or an event; callers read the value and never change it.

    shared=False: by this process only, for values that cost more to pickle than to compute
    again (a list page's twenty rows: 2 ms pickled, 3 ms read again; most list pages are asked
    for once in a generation, and a store nobody reads is pure cost)."""
    state = ContentState.current()
    # Each language's pages list their own articles: its values are its own.
    key = state.key("value", get_language(), *parts)
    value = _here.get(key)
    if value is None:
        ttl = state.seconds_left(limit=page_cache_settings()["TIMEOUT"])
        value = keep_shared(key, compute, timeout=ttl) if shared else compute()
        if ttl >= 1 and not replica_may_lag():
            _here.set(key, value)
    return value
