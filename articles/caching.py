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

Pages are answered from the cache twice over: by PageCacheMiddleware inside Django, and before
Django runs at all by articles/fastcache.py, which asks serve_from_cache() the same question.
"""

import hashlib
import threading
import time
from collections import OrderedDict
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
    return {
        "ENABLED": False,
        "TIMEOUT": 300,
        "PROXY_MAX_AGE": 1,
        "LOCAL_BYTES": 16 * 1024 * 1024,
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


CHANGED_AT_KEY = "newsroom:changed-at"
REPLICA_LAG_SECONDS = 2


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
    def current(cls, *, compute=True):
        """compute=False: None rather than a write or a database query when the generation or
        the next event must be (re)computed; the fast path then leaves the request to Django."""
        # One cache round trip on a page-cache hit: the next event is stored with the
        # generation it was computed for, and only trusted for that generation.
        found = cache.get_many([GENERATION_KEY, NEXT_EVENT_KEY])
        gen = found.get(GENERATION_KEY)
        computed_for, next_event = found.get(NEXT_EVENT_KEY) or (None, None)
        now = time.time()
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
        # Left to SecurityMiddleware, below the cache, which redirects it to https.
        and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
    )


def _page_key(state, request):
    # Pages hold absolute URLs (canonical, og:url, JSON-LD) and https responses carry HSTS, so
    # a page is only served to the scheme and host it was rendered for; get_host() refuses a
    # host outside ALLOWED_HOSTS (DisallowedHost, a 400) before anything is looked up.
    return state.key(
        "page",
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        translation.get_language_from_request(request),
        "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""),
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


class LocalPages:
    """This process's copies of the page entries it last served, by their full versioned key.

    The key names one generation and event window, so a copy is never staler than the shared
    entry it was read from; it is dropped when that entry expires too, and the least recently
    used go first past LOCAL_BYTES. The generation itself is never kept here: every request
    reads it from the shared cache.
    """

    def __init__(self):
        self._entries = OrderedDict()  # key -> (entry, size)
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0]["expires_at"] <= time.time():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key, entry, *, limit):
        size = len(key) + len(entry["content"]) + sum(len(n) + len(v) for n, v in entry["headers"])
        if size > limit:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (entry, size)
            self._size += size
            while self._size > limit:
                self._drop(next(iter(self._entries)))

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._size = 0

    def _drop(self, key):
        self._size -= self._entries.pop(key)[1]


local_pages = LocalPages()


def _etag(key):
    return f'"{key.rsplit(":", 1)[1]}"'


def _finish(response, *, state, etag, entry):
    max_age = int(state.seconds_left(limit=page_cache_settings()["PROXY_MAX_AGE"]))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["rendered_at"])
    patch_cache_control(response, public=True, max_age=max(0, max_age))
    return response


# What SecurityMiddleware and CSPMiddleware add to every response. Stored pages carry them (the
# cache sits above those middleware), and a 304 or 412 from the cache carries them too, as it
# did when they ran outside the cache; the page's own headers (Vary, Content-*) stay off it.
GUARD_HEADERS = frozenset(
    {
        "content-security-policy",
        "content-security-policy-report-only",
        "cross-origin-opener-policy",
        "referrer-policy",
        "strict-transport-security",
        "x-content-type-options",
    }
)


def cached_page(request, state, key):
    """The cached answer to `request` as (status, headers, body), or None on a miss.

    Plain values rather than an HttpResponse: the fast path writes them out as they are (building
    a response object and its headers was a tenth of a hit's cost), PageCacheMiddleware wraps
    them in one. The headers are those _finish() gives a freshly stored page.
    """
    entry = local_pages.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is None:
            return None
        local_pages.put(key, entry, limit=page_cache_settings()["LOCAL_BYTES"])
    etag = _etag(key)
    max_age = int(state.seconds_left(limit=page_cache_settings()["PROXY_MAX_AGE"]))
    validators = [
        ("ETag", etag),
        ("Last-Modified", http_date(entry["rendered_at"])),
        ("Cache-Control", f"public, max-age={max(0, max_age)}"),
    ]
    conditional = get_conditional_response(request, etag=etag, last_modified=entry["rendered_at"])
    if conditional is not None:  # 304 Not Modified, or 412 for a failed If-Match
        guards = [
            (name, value) for name, value in entry["headers"] if name.lower() in GUARD_HEADERS
        ]
        return conditional.status_code, [*conditional.items(), *guards, *validators], b""
    body = b"" if request.method == "HEAD" else entry["content"]
    return entry["status"], [*entry["headers"], ("X-Page-Cache", "hit"), *validators], body


def serve_from_cache(request):
    """cached_page() for the WSGI fast path, which has no middleware around it: None when the
    request is not cacheable, not cached, or the content state needs the database."""
    if not page_cache_settings()["ENABLED"] or not _may_use_cache(request):
        return None
    state = ContentState.current(compute=False)
    if state is None:
        return None
    return cached_page(request, state, _page_key(state, request))


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD of public pages from the shared cache; see the module doc.

    First in MIDDLEWARE, so what it stores is the response exactly as the reader got it, with
    the security headers, and articles/fastcache.py can answer a hit without any middleware.
    Above GZipMiddleware, so the stored bytes are already compressed (the key includes whether
    the reader accepts gzip) and a hit costs one cache read (two for this process's first) and
    no template work.
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
        key = _page_key(state, request)
        page = cached_page(request, state, key)
        if page is not None:
            return self._response(*page)

        response = self.get_response(request)
        if not _may_store(request, response):
            return response
        if replica_may_lag():
            patch_cache_control(response, no_cache=True)
            return response
        response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
        now = time.time()
        ttl = int(state.seconds_left(limit=options["TIMEOUT"]))
        entry = {
            "status": response.status_code,
            "content": response.content,
            "headers": [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in ("cache-control", "etag", "last-modified", "expires")
            ],
            "rendered_at": int(now),
            "expires_at": now + ttl,
        }
        if ttl >= 1 and request.method == "GET":
            cache.set(key, entry, timeout=ttl)
        response["X-Page-Cache"] = "miss"
        return _finish(response, state=state, etag=_etag(key), entry=entry)

    @staticmethod
    def _response(status, headers, body):
        from django.http import HttpResponse

        response = HttpResponse(body, status=status)
        del response["Content-Type"]  # the cached headers bring their own (a 304 has none)
        for name, value in headers:
            response[name] = value
        return response
