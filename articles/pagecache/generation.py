"""The content generation: one number in the shared cache that goes up whenever something a
reader can see is saved or deleted. Every value kept for readers is keyed by it.

Receivers in articles/apps.py call content_changed() for every reader-visible model, except for a
save readers cannot see (an editor's draft): watch_models(unseen=...). Bulk writes
(QuerySet.update(), bulk_create()) send no signals: code that uses them calls bump_generation().
This package imports no models: it could be an app of its own.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

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
        # One render per miss: how long a request waits for the page another request is
        # rendering (seconds; 0 renders at once), polling every RENDER_POLL seconds.
        "RENDER_WAIT": 2.0,
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


def watch_models(*models, m2m=False, unseen=None):
    """Start a new generation whenever a row of these models is saved or deleted (or, with
    m2m, whenever these many-to-many through tables change).

    unseen(instance, *, stored_in=None) tells the saves readers cannot see apart: None when
    readers see the row (or the article it belongs to), else a tuple of what pages keep of it
    meanwhile: () for a draft, a scheduled article's publish time and section (the next event,
    the section menu). stored_in=<database alias> asks about the row as that database has it
    before the write; a row not written yet is (). A save or delete whose value is the same
    before and after, and not None, changes nothing readers see and starts no generation.
    With m2m only the forward side is judged (instance is the row unseen() knows); a change
    made from the other side always counts.
    """
    for model in models:
        label = model._meta.label_lower
        if unseen is None:
            receivers = {"save": content_changed, "delete": content_changed, "m2m": content_changed}
        else:
            receivers = _unseen_receivers(unseen)
        if m2m:
            _connect(m2m_changed, receivers["m2m"], model, f"m2m-{label}")
            continue
        _connect(post_save, receivers["save"], model, f"page-{label}")
        _connect(post_delete, receivers["delete"], model, f"gone-{label}")
        if unseen is not None:
            _connect(pre_save, receivers["before"], model, f"was-{label}")
            _connect(pre_delete, receivers["before"], model, f"going-{label}")


def _connect(signal, receiver, model, uid):
    # Strongly: the receivers made by _unseen_receivers() live nowhere else.
    signal.connect(receiver, sender=model, dispatch_uid=uid, weak=False)


def _unseen_receivers(unseen):
    # What the row was before the write travels on the instance, from pre_* to post_*. A raw
    # save (loaddata) always counts: the row as stored may be anything.
    def before(sender, instance, using, raw=False, **kwargs):
        if raw:
            instance._unseen_before = None
        elif instance.pk is None:
            instance._unseen_before = ()
        else:
            instance._unseen_before = unseen(instance, stored_in=using)

    def saved(sender, instance, using, update_fields=None, **kwargs):
        was = instance.__dict__.pop("_unseen_before", None)
        # After a partial save the instance may hold values the database does not.
        now = unseen(instance, stored_in=using if update_fields else None)
        if was is None or now is None or was != now:
            content_changed()

    def deleted(sender, instance, **kwargs):
        if instance.__dict__.pop("_unseen_before", None) != ():
            content_changed()

    def m2m(sender, instance, reverse, using, **kwargs):
        if reverse or unseen(instance, stored_in=using) is None:
            content_changed()

    return {"before": before, "save": saved, "delete": deleted, "m2m": m2m}
