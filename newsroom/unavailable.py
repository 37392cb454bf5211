"""A database that is gone or busy is a 503 with Retry-After, not a 500.

While PostgreSQL restarts or fails over, requests that need it cannot be served; telling the
client and the load balancer "try again in a few seconds" is accurate, keeps the error log
readable (one line, not a traceback per request) and never renders a template that would touch
the database again. The connection pool reconnects by itself (docs/RELIABILITY.md). A statement
PostgreSQL cancelled (lock_timeout while a table is locked, statement_timeout; settings.py) is
the same answer, logged as "database busy".

Two doors: DatabaseUnavailableMiddleware.process_exception for errors raised in a view, and
server_error (handler500 in newsroom/urls.py) for the rest: a middleware that
reads the database (old URLs on a 404, the session), the 404 page's own menu, the page cache
working out the next scheduled event.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# SQLSTATE of a statement PostgreSQL cancelled: lock_not_available, query_canceled.
BUSY_STATES = {"55P03", "57014"}
PAGE = """<!DOCTYPE html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>服务暂时不可用 · Service unavailable</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>服务暂时不可用</h1><p>网站正在恢复，请几秒钟后刷新页面。</p>
<p lang="en">The site is recovering; please reload in a few seconds.</p></body></html>
"""


def is_database_fault(exception):
    return isinstance(exception, OperationalError | InterfaceError)


def unavailable_response(request, exception):
    state = getattr(exception.__cause__, "sqlstate", None)
    what = "busy (a lock or statement timeout)" if state in BUSY_STATES else "unavailable"
    logger.error("database %s for %s %s: %s", what, request.method, request.path, exception)
    response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above in one line; Django would log it again with its traceback.
    response._has_been_logged = True
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_fault(exception):
            return None
        return unavailable_response(request, exception)


def server_error(request):
    """handler500: the 503 page when the uncaught error is the database's, else Django's."""
    exception = sys.exception()
    if is_database_fault(exception):
        return unavailable_response(request, exception)
    return defaults.server_error(request)
