"""Page cache for anonymous readers that never serves stale news.

Every cached value (pages, list counts) is keyed by a *content generation*, one number in the
shared cache that goes up whenever something a reader can see is saved or deleted. Time-based
changes (a scheduled article's publish time, a placement's start or end) need no write: each
cached value lives at most until the *next event*, the earliest such time still to come, which
is computed once per generation and cached under it.

Invalidation hangs on post_save/post_delete/m2m_changed receivers (connected in apps.py)
rather than on each model's save(): the admin, services, the Hugo importer and taggit all write
these models, some through related managers that never call our save(), and missing one of them
means a stale page. The receivers only bump a number; no business logic lives here. The bump
runs at once and again after the transaction commits, so a reader who renders between the two
from the old rows caches under a generation nobody reads any more.

Bulk writes (QuerySet.update(), bulk_create()) send no signals: code that uses them on these
models calls bump_generation() itself.
"""

import hashlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

GENERATION_KEY = "newsroom:generation"
NEXT_EVENT_KEY = "newsroom:next-event"
NO_EVENT = 0.0
# Paths that are never public pages (uploads and previews sit behind a login anyway).
PRIVATE_PREFIXES = ("/admin/", "/ckeditor5/", "/editor/", "/i18n/", "/static/", "/media/")


def page_cache_settings():
    return {"ENABLED": False, "TIMEOUT": 300, "PROXY_MAX_AGE": 1, **settings.PAGE_CACHE}


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Start from the clock, so a flushed cache never reuses a number it handed out before.
        cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


CHANGED_AT_KEY = "newsroom:changed-at"
REPLICA_LAG_SECONDS = 2


def bump_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(time.time() * 1000), timeout=None)
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


def _next_event_from_database(now):
    """The earliest future publish time, placement start or placement end: one query."""
    from .models import Article, Placement

    article, placement = Article._meta.db_table, Placement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MIN(published_at) FROM {article}"  # noqa: S608 - table names only
            "         WHERE status = %s AND published_at > %s),"
            f"       (SELECT MIN(starts_at) FROM {placement} WHERE starts_at > %s),"
            f"       (SELECT MIN(ends_at) FROM {placement} WHERE ends_at > %s)",
            [Article.Status.PUBLISHED, *[connection.ops.adapt_datetimefield_value(now)] * 3],
        )
        times = [value for value in cursor.fetchone() if value is not None]
    if not times:
        return NO_EVENT
    # SQLite hands back naive UTC or strings depending on the column path; normalise.
    moments = []
    for value in times:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if timezone.is_naive(value):
            value = value.replace(tzinfo=UTC)
        moments.append(value.timestamp())
    return min(moments)


class ContentState:
    """The generation and the next scheduled event, as one reader request sees them."""

    def __init__(self, generation, next_event):
        self.generation = generation
        self.next_event = next_event

    @classmethod
    def current(cls):
        # One cache round trip on a page-cache hit: the next event is stored with the
        # generation it was computed for, and only trusted for that generation.
        found = cache.get_many([GENERATION_KEY, NEXT_EVENT_KEY])
        gen = found.get(GENERATION_KEY)
        if gen is None:
            gen = generation()
        computed_for, next_event = found.get(NEXT_EVENT_KEY) or (None, None)
        now = time.time()
        if (
            computed_for != gen
            or next_event is None
            or (next_event != NO_EVENT and next_event <= now)
        ):
            next_event = _next_event_from_database(timezone.now())
            timeout = page_cache_settings()["TIMEOUT"]
            if next_event != NO_EVENT:
                timeout = min(timeout, max(1, int(next_event - now)))
            cache.set(NEXT_EVENT_KEY, (gen, next_event), timeout=timeout)
        return cls(gen, next_event)

    def seconds_left(self, *, limit):
        """How long a value computed now may be kept: at most `limit`, never past the event."""
        if self.next_event == NO_EVENT:
            return limit
        return min(limit, self.next_event - time.time())

    def key(self, *parts):
        digest = hashlib.md5("|".join(map(str, parts)).encode(), usedforsecurity=False)
        return f"newsroom:{self.generation}:{self.next_event}:{digest.hexdigest()}"


def cached_for_content(*, parts, compute):
    """compute() once per content generation and event window, e.g. a list's COUNT(*)."""
    state = ContentState.current()
    key = state.key("value", *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        ttl = state.seconds_left(limit=page_cache_settings()["TIMEOUT"])
        if ttl >= 1 and not replica_may_lag():
            cache.set(key, value, timeout=int(ttl))
    return value


def _has_login_session(request):
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _may_use_cache(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(PRIVATE_PREFIXES)
        and not request.path.startswith(f"/{getattr(settings, 'ADMIN_URL', 'admin/')}")
        and not _has_login_session(request)
    )


def _may_store(request, response):
    user = getattr(request, "user", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not (user is not None and user.is_authenticated)
        and not any(name != settings.CSRF_COOKIE_NAME for name in response.cookies)
        and "private" not in cache_control
        and "no-" not in cache_control
    )


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD of public pages from the shared cache; see the module doc.

    Sits above GZipMiddleware, so the stored bytes are already compressed (the key includes
    whether the reader accepts gzip) and a hit costs two cache reads and no template work.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        options = page_cache_settings()
        if not options["ENABLED"] or not _may_use_cache(request):
            response = self.get_response(request)
            if (
                _has_login_session(request)
                or getattr(request, "user", None)
                and (request.user.is_authenticated)
            ):
                patch_cache_control(response, private=True, no_cache=True)
            return response

        state = ContentState.current()
        gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        language = translation.get_language_from_request(request)
        key = state.key("page", request.get_full_path(), language, gzip)
        etag = f'"{key.rsplit(":", 1)[1]}"'
        entry = cache.get(key)
        if entry is not None:
            not_modified = get_conditional_response(
                request, etag=etag, last_modified=entry["rendered_at"]
            )
            if not_modified is not None:
                return self._finish(not_modified, state=state, etag=etag, entry=entry)
            response = self._rebuild(entry, head=request.method == "HEAD")
            response["X-Page-Cache"] = "hit"
            return self._finish(response, state=state, etag=etag, entry=entry)

        response = self.get_response(request)
        if not _may_store(request, response):
            return response
        if replica_may_lag():
            patch_cache_control(response, no_cache=True)
            return response
        response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
        entry = {
            "status": response.status_code,
            "content": response.content,
            "headers": [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in ("cache-control", "etag", "last-modified", "expires")
            ],
            "rendered_at": int(time.time()),
        }
        ttl = state.seconds_left(limit=options["TIMEOUT"])
        if ttl >= 1 and request.method == "GET":
            cache.set(key, entry, timeout=int(ttl))
        response["X-Page-Cache"] = "miss"
        return self._finish(response, state=state, etag=etag, entry=entry)

    @staticmethod
    def _rebuild(entry, *, head):
        from django.http import HttpResponse

        response = HttpResponse(b"" if head else entry["content"], status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        return response

    @staticmethod
    def _finish(response, *, state, etag, entry):
        max_age = int(state.seconds_left(limit=page_cache_settings()["PROXY_MAX_AGE"]))
        response["ETag"] = etag
        response["Last-Modified"] = http_date(entry["rendered_at"])
        patch_cache_control(response, public=True, max_age=max(0, max_age))
        return response
