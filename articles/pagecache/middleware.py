"""The page cache: anonymous GET/HEAD of public pages answered from the shared cache, never
stale.

A page is stored under a key naming the site generation, the next event and its path's
version (articles/pagecache/state.py), so a save or a scheduled moment makes it unreachable at
once. A page that lists articles (every page but one article's) records the generation too, and
a page that shows articles' text the text version; it is a miss once either moved
(pagecache/generation.py, "Page versions", lists_changed()), unless the changes since left it
as it was (pagecache/narrowed.py: term pages, search pages and feeds).
Pages are answered from the cache twice over: by PageCacheMiddleware inside Django, and before
Django runs at all by articles/pagecache/fastpath.py, which asks serve_from_cache() the same
question. A page is keyed by its canonical URL, and a session cookie only counts when it names
a real session (articles/pagecache/canonical.py), so neither a made-up query string nor a
made-up cookie buys a render or a new entry.
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from articles.pagecache.canonical import (
    canonical_query,
    canonicalize,
    has_search_words,
    names_a_session,
    version_path,
)
from articles.pagecache.generation import new_page_version, page_cache_settings, replica_may_lag
from articles.pagecache.narrowed import current, restamped
from articles.pagecache.state import ContentState

# Paths that are never public pages (uploads and previews sit behind a login anyway).
PRIVATE_PREFIXES = ("/admin/", "/ckeditor5/", "/editor/", "/i18n/", "/static/", "/media/")


def _has_login_session(request):
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _public_get(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(PRIVATE_PREFIXES)
        and not request.path.startswith(f"/{getattr(settings, 'ADMIN_URL', 'admin/')}")
        # Left to SecurityMiddleware, below the cache, which redirects it to https.
        and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
    )


def _may_use_cache(request):
    """The fast path's rule: no session cookie at all, as it asks no session store."""
    return _public_get(request) and not _has_login_session(request)


def _page_key(state, request, query, *, version=None):
    # Pages hold absolute URLs (canonical, og:url, JSON-LD) and https responses carry HSTS, so
    # a page is only served to the scheme and host it was rendered for; get_host() refuses a
    # host outside ALLOWED_HOSTS (DisallowedHost, a 400) before anything is looked up. The
    # path and the canonical query (canonical.py), not the URL as sent.
    return state.page_key(
        state.page_version if version is None else version,
        request.scheme,
        request.get_host(),
        request.path,
        query,
        page_language(request),
        "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""),
    )


def page_language(request):
    """The language a public page is in: its URL's prefix (/en/...), else the site's
    (newsroom/locale.py), never the browser's wish: one URL, one cached page."""
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def _within_search_budget(state, ttl):
    """Search words are the one part of a key a client chooses freely: at most SEARCH_PAGES
    pages with `q` are stored per generation and event window (counted in the shared cache,
    the count living as long as a page stored with it may)."""
    counter = state.key("search-pages")
    cache.add(counter, 0, timeout=max(1, ttl))
    try:
        return cache.incr(counter) <= page_cache_settings()["SEARCH_PAGES"]
    except ValueError:  # the count expired just now: store nothing rather than guess
        return False


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


def keep_page_until(response, moment):
    """Store this page at most until `moment` (a timestamp), not for the whole TIMEOUT: for a
    page showing a figure that changes with the clock rather than with a save (view counts,
    articles/audience/figures.py). The earliest moment given wins."""
    response.page_cache_until = min(moment, getattr(response, "page_cache_until", moment))


def _etag(key, entry):
    versions = [entry.get(name) for name in ("generation", "text_version")]
    return '"' + ".".join([key.rsplit(":", 1)[1], *(str(v) for v in versions if v)]) + '"'


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


def _wait_for_render(request, state, key, rendering, options):
    """One render per miss: another request holds `rendering` and is rendering this page; wait
    for its entry, at most RENDER_WAIT seconds. None when it gives up or stores nothing (not a
    200, a failing cache that holds no lock at all): this request renders the page itself."""

    def stored():
        if state.page_version is not None:
            return cached_page(request, state, key)
        # The path had no version: the render gives it one, so the state is read again.
        query = canonical_query(request)
        now = ContentState.current(path=version_path(request, query))
        if now.page_version is None:
            return None
        return cached_page(request, now, _page_key(now, request, query))

    deadline = time.monotonic() + options["RENDER_WAIT"]
    while time.monotonic() < deadline:
        if not cache.get(rendering):
            return stored()  # done (or the cache holds no locks)
        time.sleep(options["RENDER_POLL"])
        page = stored()
        if page is not None:
            return page
    return None


def cached_page(request, state, key):
    """The cached answer to `request` as (status, headers, body), or None on a miss.

    Plain values rather than an HttpResponse: the fast path writes them out as they are (building
    a response object and its headers was a tenth of a hit's cost), PageCacheMiddleware wraps
    them in one. The headers are those _finish() gives a freshly stored page.
    """
    if state.page_version is None:
        return None  # no page was stored for this path yet
    entry = local_pages.get(key)
    if entry is None or not current(entry, state, narrowed=False):
        # Not here, or an older render under the same key: the shared cache may hold the page
        # another request rendered since (a copy kept here must never hide it).
        entry = cache.get(key)
        if entry is None or not current(entry, state):
            return None
        entry = restamped(key, entry, state)
        local_pages.put(key, entry, limit=page_cache_settings()["LOCAL_BYTES"])
    etag = _etag(key, entry)
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
    query = canonical_query(request)
    state = ContentState.current(compute=False, path=version_path(request, query))
    if state is None:
        return None
    return cached_page(request, state, _page_key(state, request, query))


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD of public pages from the shared cache; see the module doc.

    First in MIDDLEWARE, so what it stores is the response exactly as the reader got it, with
    the security headers, and articles/pagecache/fastpath.py can answer a hit without any middleware.
    Above GZipMiddleware, so the stored bytes are already compressed (the key includes whether
    the reader accepts gzip) and a hit costs one cache read (two for this process's first) and
    no template work.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        options = page_cache_settings()
        if not (options["ENABLED"] and _public_get(request) and not names_a_session(request)):
            response = self.get_response(request)
            if (
                _has_login_session(request)
                or getattr(request, "user", None)
                and (request.user.is_authenticated)
            ):
                patch_cache_control(response, private=True, no_cache=True)
            return response

        query = canonical_query(request)
        state = ContentState.current(path=version_path(request, query))
        key = _page_key(state, request, query)
        page = cached_page(request, state, key)
        if page is not None:
            return self._response(*page)

        # One render per miss: the first request to miss takes the page's lock and renders;
        # the others wait for what it stores (_wait_for_render).
        rendering = f"{key}:rendering"
        owner = cache.add(rendering, 1, timeout=max(1, int(options["RENDER_WAIT"]) + 1))
        if not owner:
            page = _wait_for_render(request, state, key, rendering, options)
            if page is not None:
                return self._response(*page)
        try:
            return self._render(request, state, key, query, options)
        finally:
            if owner:
                cache.delete(rendering)

    def _render(self, request, state, key, query, options):
        canonicalize(request, query)
        response = self.get_response(request)
        if not _may_store(request, response):
            return response
        if replica_may_lag():
            patch_cache_control(response, no_cache=True)
            return response
        response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
        if state.page_version is None:
            # The path's first stored page: it gets a version now, unless an edit gave it one
            # during the render (then this render may be older than the edit: not stored).
            version = new_page_version(version_path(request, query))
            if version is None:
                return response
            key = _page_key(state, request, query, version=version)
        now = time.time()
        ttl = int(
            min(
                state.seconds_left(limit=options["TIMEOUT"]),
                getattr(response, "page_cache_until", now + options["TIMEOUT"]) - now,
            )
        )
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
        if not getattr(request, "shows_one_article", False):
            entry["generation"] = state.generation
            if getattr(request, "page_term", None):
                entry["term"] = request.page_term
        if getattr(request, "shows_article_text", False):
            entry["text_version"] = state.text_version
            if getattr(request, "page_text_scope", None) is not None:
                entry["text_scope"] = request.page_text_scope
        if (
            ttl >= 1
            and request.method == "GET"
            and (not has_search_words(query) or _within_search_budget(state, ttl))
        ):
            cache.set(key, entry, timeout=ttl)
        response["X-Page-Cache"] = "miss"
        return _finish(response, state=state, etag=_etag(key, entry), entry=entry)

    @staticmethod
    def _response(status, headers, body):
        response = HttpResponse(body, status=status)
        del response["Content-Type"]  # the cached headers bring their own (a 304 has none)
        for name, value in headers:
            response[name] = value
        return response
