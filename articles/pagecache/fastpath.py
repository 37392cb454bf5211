"""Page-cache hits answered before Django's handler runs (installed in newsroom/wsgi.py).

Through Django a hit cost about 250 µs of CPU, most of it not the cache: the handler and its
request_started/finished signals (close_old_connections), the middleware stack around the page
cache and the response's way back out through it. The cache holds each page with every header
the reader gets (PageCacheMiddleware is first in MIDDLEWARE), so a hit needs only the request
object and the same rules: this wrapper builds a WSGIRequest and asks middleware.serve_from_cache()
for the status, headers and body that PageCacheMiddleware would wrap in a response (the same
function, middleware.cached_page(), answers both), and writes them out as WSGIHandler would.

Everything else goes to Django unchanged, which then applies the same rules again: a request
the cache may not answer (POST, the admin, a host outside ALLOWED_HOSTS, plain http under
SECURE_SSL_REDIRECT), a miss, a content state that needs the database, any error (Redis down),
and any request with a session cookie: whether it names a real session is a session-store
lookup (with cached_db, a query for a made-up one), so PageCacheMiddleware makes it and answers
a made-up one from the cache (canonical.names_a_session()). Nothing here touches the database,
so skipping the request signals leaves no connection behind.
"""

import logging
from http.client import responses

from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest

from articles.pagecache.middleware import serve_from_cache

logger = logging.getLogger(__name__)


class PageCacheFastPath:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        page = None
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            try:
                # A copy: WSGIRequest rewrites PATH_INFO, and Django must see the original.
                page = serve_from_cache(WSGIRequest(environ.copy()))
            except SuspiciousOperation:
                pass  # a bad Host header: Django answers 400 and logs it
            except Exception:
                logger.warning("page cache fast path failed, Django answers", exc_info=True)
        if page is None:
            return self.application(environ, start_response)
        status, headers, body = page
        start_response(f"{status} {responses[status]}", headers)
        return [body]
