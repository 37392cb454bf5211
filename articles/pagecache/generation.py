"""The content generation: one number in the shared cache that goes up whenever something a
reader can see is saved or deleted. Every value kept for readers is keyed by it.

Receivers (pagecache/watch.py, for the models articles/apps.py names) call content_changed() for
every reader-visible model, except for a save readers cannot see (an editor's draft):
watch_models(unseen=...), and an edit readers see only on the article's own page (its text):
watch_models(listed=...) then calls pages_changed(), which moves two narrower versions instead
(page versions, below). Bulk writes (QuerySet.update(),
bulk_create()) send no signals: code that uses them calls bump_generation().
This package imports no models: it could be an app of its own.

Page versions (docs/ARCHITECTURE.md, "Dependency keys"): every cached page is also keyed by the
version of its own path, and a page that shows articles' text beyond their cards (search excerpts,
feeds, sitemaps: views marked with shows_article_text()) records the text version it was rendered
at. Like the generation, both start from the clock in microseconds and only go up, so a version
lost to eviction or expiry comes back as a number no stored page names.
"""

import hashlib
import time
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from articles.pagecache import terms as term_pages
from articles.pagecache.narrowed import record_text

GENERATION_KEY = "newsroom:generation"
SITE_GENERATION_KEY = "newsroom:site-generation"
CHANGED_AT_KEY = "newsroom:changed-at"
TEXT_VERSION_KEY = "newsroom:text-version"
REPLICA_LAG_SECONDS = 2


def page_cache_settings():
    return {
        "ENABLED": False,
        "TIMEOUT": 300,
        "PROXY_MAX_AGE": 1,
        "LOCAL_BYTES": 16 * 1024 * 1024,
        # Pages with search words (`q`) stored per generation and event window, at most.
        "SEARCH_PAGES": 500,
        # One render per miss: how long a request waits for the page another request is
        # rendering (seconds; 0 renders at once), polling every RENDER_POLL seconds. The wait
        # ends as soon as the render does, so this only caps a slow render: /sitemap.xml of
        # 10,000 articles takes 0.5 s of CPU alone and several seconds under load, and with a
        # 2 s cap every waiter then rendered it too (make bench-day: 653 req/s against 1,978
        # quiet while typo fixes emptied it every 10 s).
        "RENDER_WAIT": 10.0,
        "RENDER_POLL": 0.02,
        **settings.PAGE_CACHE,
    }


def _first_generation():
    # Start from the clock, so a flushed cache never reuses a number it handed out before, which
    # the per-process copies keyed by generation (cards, pages) rely on. In microseconds: a
    # burst of saves (an import bumps thousands of times a second) cannot run ahead of it.
    return int(time.time() * 1_000_000)


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _first_generation(), timeout=None)
        value = cache.get(GENERATION_KEY)
    if value is None:
        # The cache does not answer (newsroom/redis_cache.py): a number of this request's own,
        # so nothing is kept for it, here or in the per-process memos, while changes go unseen.
        value = _first_generation()
    return value


def request_generation(request):
    """The generation as this request sees it: read from the shared cache once per request and
    kept on it, so the page's parts (cards, the menu, related articles) agree and share one
    round trip."""
    if request is None:
        return generation()
    value = getattr(request, "_content_generation", None)
    if value is None:
        value = request._content_generation = generation()
    return value


def site_generation():
    """What every cached page is keyed by (with its page version): it moves with the generation
    except on the changes lists_changed() narrows, which pages showing one article record."""
    value = cache.get(SITE_GENERATION_KEY)
    if value is None:
        cache.add(SITE_GENERATION_KEY, _first_generation(), timeout=None)
        value = cache.get(SITE_GENERATION_KEY)
    return _first_generation() if value is None else value


def bump_generation():
    _bump(GENERATION_KEY, timeout=None)
    _bump(SITE_GENERATION_KEY, timeout=None)
    _mark_changed()


def _bump(key, *, timeout):
    """The key's new value; None when the cache did not say."""
    try:
        return cache.incr(key)
    except ValueError:
        value = _first_generation()
        cache.set(key, value, timeout=timeout)
        return value


def _mark_changed():
    if "replica" in settings.DATABASES:
        cache.set(CHANGED_AT_KEY, time.time(), timeout=REPLICA_LAG_SECONDS * 2)


def page_version_key(path):
    """Where the version of the page at `path` (request.path: decoded, language prefix
    included; with its page number, as canonical.version_path() gives it) is kept."""
    digest = hashlib.md5(path.encode(), usedforsecurity=False).hexdigest()
    return f"newsroom:page-version:{digest}"


def new_page_version(path):
    """The version a page rendered now is stored under when its path has none yet: added from
    the clock; None when the path got one meanwhile (an edit during the render: store nothing,
    the next request renders again)."""
    # Kept without a timeout, like the generation: one small key per page that was ever stored
    # (a 404 or any other page not stored gets none), evicted by Redis's LRU like any other.
    version = _first_generation()
    if cache.add(page_version_key(path), version, timeout=None):
        return version
    return None


def text_version():
    """The version of articles' text as the pages marked shows_article_text() show it."""
    value = cache.get(TEXT_VERSION_KEY)
    if value is None:
        cache.add(TEXT_VERSION_KEY, _first_generation(), timeout=None)
        value = cache.get(TEXT_VERSION_KEY)
    return _first_generation() if value is None else value


def _bump_pages(paths, text, change):
    for path in paths:
        _bump(page_version_key(path), timeout=None)
    if text:
        version = _bump(TEXT_VERSION_KEY, timeout=None)
        if change is not None and isinstance(version, int):
            timeout = page_cache_settings()["TIMEOUT"]
            record_text(version, change, timeout=timeout)
    _mark_changed()


def pages_changed(paths, *, text=True, change=None):
    """An edit readers see only on the pages at `paths` and, with text, in articles' text
    elsewhere (search excerpts, feeds, sitemaps): those versions move, now and on commit, as
    content_changed() moves the generation; every other cached page stays. `change`
    (narrowed.py text_change()) says which articles' text changed, so the search pages and feeds
    that show none of it stay cached too (pagecache/narrowed.py)."""
    paths = tuple(paths)
    _bump_pages(paths, text, change)
    if connection.in_atomic_block:
        transaction.on_commit(partial(_bump_pages, paths, text, change))


def _bump_lists(paths, terms, change):
    generation = _bump(GENERATION_KEY, timeout=None)
    if (terms is not None or change is not None) and isinstance(generation, int):
        timeout = page_cache_settings()["TIMEOUT"]
        term_pages.record(generation, terms, timeout=timeout, text=change)
    for path in paths:
        _bump(page_version_key(path), timeout=None)
    _mark_changed()


def lists_changed(paths, terms=None, change=None):
    """A change readers see on lists (every page but those marked shows_one_article()) and on
    the pages at `paths`, and nowhere else: the newest article published, or edited while it is
    the newest (docs/ARCHITECTURE.md, "Dependency keys"). The generation moves, so every value
    kept for readers is computed afresh; the site generation stays, so the pages of the other
    articles stay cached. With `terms` (term keys: "tag:12"), the lists of other tags, topics
    and authors stay cached too (pagecache/terms.py); with `change` (narrowed.py text_change():
    the article and every search word it had before or has after), the search pages that
    cannot show it."""
    paths = tuple(paths)
    terms = None if terms is None else frozenset(terms)
    _bump_lists(paths, terms, change)
    if connection.in_atomic_block:
        transaction.on_commit(partial(_bump_lists, paths, terms, change))


def shows_one_article(view):
    """Mark the view of one article's page. What it shows of other articles (the previous and
    the next one, related articles published before it, its translations) reaches it through
    page versions (lists_changed()'s paths), so its cached page does not record the generation,
    and a publish leaves it cached."""

    @wraps(view)
    def marked(request, *args, **kwargs):
        request.shows_one_article = True
        return view(request, *args, **kwargs)

    return marked


def shows_article_text(view):
    """Mark a view whose page shows articles' text beyond their cards (body, excerpts, update
    times): its cached page is also keyed by the text version, which every text edit moves."""

    @wraps(view)
    def marked(request, *args, **kwargs):
        request.shows_article_text = True
        return view(request, *args, **kwargs)

    return marked


def replica_may_lag():
    """Just after a change a streaming replica may not have it yet: store nothing rendered
    from it then, or the old content would be kept under the new generation."""
    if "replica" not in settings.DATABASES:
        return False
    return time.time() - (cache.get(CHANGED_AT_KEY) or 0) < REPLICA_LAG_SECONDS


def content_changed(**kwargs):
    """Receiver for every signal that means a reader-visible change."""
    bump_generation()
    if connection.in_atomic_block:
        transaction.on_commit(bump_generation)
