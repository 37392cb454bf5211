"""The content generation: one number in the shared cache that goes up whenever something a
reader can see is saved or deleted. Every value kept for readers is keyed by it.

Receivers in articles/apps.py call content_changed() for every reader-visible model, except for a
save readers cannot see (an editor's draft): watch_models(unseen=...), and an edit readers see
only on the article's own page (its text): watch_models(listed=...) then calls pages_changed(),
which moves two narrower versions instead (page versions, below). Bulk writes (QuerySet.update(),
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
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from articles.pagecache import terms as term_pages
from articles.pagecache.narrowed import record_text, text_change

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


def _bump_lists(paths, terms):
    generation = _bump(GENERATION_KEY, timeout=None)
    if terms is not None and isinstance(generation, int):
        term_pages.record(generation, terms, timeout=page_cache_settings()["TIMEOUT"])
    for path in paths:
        _bump(page_version_key(path), timeout=None)
    _mark_changed()


def lists_changed(paths, terms=None):
    """A change readers see on lists (every page but those marked shows_one_article()) and on
    the pages at `paths`, and nowhere else: the newest article published, or edited while it is
    the newest (docs/ARCHITECTURE.md, "Dependency keys"). The generation moves, so every value
    kept for readers is computed afresh; the site generation stays, so the pages of the other
    articles stay cached. With `terms` (term keys: "tag:12"), the lists of other tags, topics
    and authors stay cached too (pagecache/terms.py)."""
    paths = tuple(paths)
    terms = None if terms is None else frozenset(terms)
    _bump_lists(paths, terms)
    if connection.in_atomic_block:
        transaction.on_commit(partial(_bump_lists, paths, terms))


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


def watch_models(
    *models, m2m=False, unseen=None, listed=None, lists_only=None, terms=None, text_words=None
):
    """Start a new generation whenever a row of these models is saved or deleted (or, with
    m2m, whenever these many-to-many through tables change).

    unseen(instance, *, stored_in=None) tells the saves readers cannot see apart: None when
    readers see the row (or the article it belongs to), else a tuple of what pages keep of it
    meanwhile: () for a draft, a scheduled article's publish time and section (the next event,
    the section menu). stored_in=<database alias> asks about the row as that database has it
    before the write; a row not written yet is (). A save or delete whose value is the same
    before and after, and not None, changes nothing readers see and starts no generation.
    With m2m only the forward side is judged (instance is the row unseen() knows); a change
    made from the other side always counts, and an add or remove of no rows at all is nothing.

    listed(instance, *, stored_in=None) narrows the saves of rows readers see (unseen() None
    before and after): what lists, cards and every other page show of the row, and a callable
    giving the paths of its own pages. When the first part is the same before and after, the
    save changed only those pages: pages_changed(paths()) instead of a new generation.

    text_words(instance, *, stored_in) goes with listed(): (what else ranks the row in search,
    the words search finds it by, or None), as `stored_in` holds them before and after such a
    save; pages_changed() then records which words the row gained or lost (narrowed.py).

    lists_only(instance, *, stored_in=None) narrows every other change to a row readers see
    after it: the paths of the only pages besides the lists that show the row (its article's
    own page, the previous article's), or None when it shows elsewhere too. When it names paths
    after the change, and before it too for a row readers saw before, lists_changed(paths of
    both) instead of a new generation.

    terms(instance, *, stored_in=None) narrows those lists_changed() further: the term keys
    ("tag:12", pagecache/terms.py) of the tags, topics and authors whose lists show the row, or
    None when that cannot be told. The terms before and after are passed on together; an m2m
    change is judged on its pre_ and post_ signals, so each names the rows there at the time
    (a clear, whose rows are not named, counts for every term).
    """
    for model in models:
        label = model._meta.label_lower
        if unseen is None:
            receivers = {"save": content_changed, "delete": content_changed, "m2m": content_changed}
        else:
            receivers = _unseen_receivers(unseen, listed, lists_only, terms, text_words)
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


def _unseen_receivers(unseen, listed=None, lists_only=None, terms=None, text_words=None):
    # What the row was before the write travels on the instance, from pre_* to post_*. A raw
    # save (loaddata) always counts: the row as stored may be anything.
    def before(sender, instance, using, raw=False, **kwargs):
        instance._listed_before = instance._lists_only_before = instance._terms_before = None
        instance._words_before = None
        if raw:
            instance._unseen_before = None
        elif instance.pk is None:
            instance._unseen_before = ()
        else:
            instance._unseen_before = unseen(instance, stored_in=using)
            if instance._unseen_before is None and listed is not None:
                instance._listed_before = listed(instance, stored_in=using)
                if text_words is not None:
                    instance._words_before = text_words(instance, stored_in=using)
            if instance._unseen_before is None and lists_only is not None:
                instance._lists_only_before = lists_only(instance, stored_in=using)
                if instance._lists_only_before is not None and terms is not None:
                    instance._terms_before = terms(instance, stored_in=using)

    def narrowed(instance, was, paths_before, *, stored_in, terms_before=()):
        """lists_changed() for a change lists_only() narrows; False when it does not. A row
        readers did not see before (was == ()) was on no term's list."""
        if lists_only is None or (was is None and paths_before is None):
            return False
        paths = lists_only(instance, stored_in=stored_in)
        if paths is None:
            return False
        changed = None
        if terms is not None and terms_before is not None:
            now = terms(instance, stored_in=stored_in)
            changed = None if now is None else {*now, *terms_before}
        lists_changed({*paths, *(paths_before or ())}, changed)
        return True

    def saved(sender, instance, using, update_fields=None, raw=False, **kwargs):
        was = instance.__dict__.pop("_unseen_before", None)
        listed_before = instance.__dict__.pop("_listed_before", None)
        lists_only_before = instance.__dict__.pop("_lists_only_before", None)
        terms_before = instance.__dict__.pop("_terms_before", None)
        words_before = instance.__dict__.pop("_words_before", None)
        # After a partial save the instance may hold values the database does not.
        stored_in = using if update_fields else None
        now = unseen(instance, stored_in=stored_in)
        if was is None and now is None and listed_before is not None:
            shown, paths = listed(instance, stored_in=stored_in)
            if shown == listed_before[0]:
                pages_changed(paths(), change=text_changed(instance, words_before, using))
                return
        if was is not None and was == now:
            return  # unseen before and after, the same way
        terms_before = () if was == () else terms_before
        if (
            now is None
            and not raw
            and narrowed(
                instance, was, lists_only_before, stored_in=using, terms_before=terms_before
            )
        ):
            return
        content_changed()

    def text_changed(instance, before, using):
        if text_words is None:
            return None
        after = text_words(instance, stored_in=using)
        known = before is not None and after is not None and before[0] == after[0]
        words = before[1] ^ after[1] if known and None not in (before[1], after[1]) else None
        return text_change([instance.pk], words)

    def deleted(sender, instance, using, **kwargs):
        instance.__dict__.pop("_listed_before", None)
        instance.__dict__.pop("_words_before", None)
        lists_only_before = instance.__dict__.pop("_lists_only_before", None)
        terms_before = instance.__dict__.pop("_terms_before", None)
        if instance.__dict__.pop("_unseen_before", None) == ():
            return
        if lists_only_before is not None:
            lists_changed(lists_only_before, terms_before)
        else:
            content_changed()

    def m2m(sender, instance, reverse, using, action, pk_set=None, **kwargs):
        if action.endswith(("_add", "_remove")) and not pk_set:
            return  # nothing added or removed (a form saving the same tags again)
        if reverse or unseen(instance, stored_in=using) is None:
            # A clear does not name the rows it takes away: every term.
            narrow = not reverse and narrowed(
                instance, (), None, stored_in=using, terms_before=() if pk_set else None
            )
            if not narrow:
                content_changed()

    return {"before": before, "save": saved, "delete": deleted, "m2m": m2m}
