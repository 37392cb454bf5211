"""The content generation: one number in the shared cache that goes up whenever something a
reader can see is saved or deleted. Every value kept for readers is keyed by it.

Receivers in articles/apps.py call content_changed() for every reader-visible model. Bulk writes
(QuerySet.update(), bulk_create()) send no signals: code that uses them calls bump_generation().
This package imports no models: it could be an app of its own.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "newsroom:generation"
CHANGED_AT_KEY = "newsroom:changed-at"
REPLICA_LAG_SECONDS = 2


def page_cache_settings():
    return {
        "ENABLED": False,
        "TIMEOUT": 300,
        "PROXY_MAX_AGE": 1,
        "LOCAL_BYTES": 16 * 1024 * 1024,
        # Pages with search words (`q`) stored per generation and event window, at most.
        "SEARCH_PAGES": 500,
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


def bump_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, _first_generation(), timeout=None)
    if "replica" in settings.DATABASES:
        cache.set(CHANGED_AT_KEY, time.time(), timeout=REPLICA_LAG_SECONDS * 2)


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


def watch_models(*models, m2m=False):
    """Start a new generation whenever a row of these models is saved or deleted (or, with
    m2m, whenever these many-to-many through tables change)."""
    for model in models:
        label = model._meta.label_lower
        if m2m:
            m2m_changed.connect(content_changed, sender=model, dispatch_uid=f"m2m-{label}")
        else:
            post_save.connect(content_changed, sender=model, dispatch_uid=f"page-{label}")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"gone-{label}")
