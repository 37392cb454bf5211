"""A lost database connection is a 503 with Retry-After, not a 500.

While PostgreSQL restarts or fails over, requests that need it cannot be served; telling the
client and the load balancer "try again in a few seconds" is accurate, keeps the error log
readable (one line, not a traceback per request) and never renders a template that would touch
the database again. The connection pool reconnects by itself (docs/RELIABILITY.md).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
PAGE = """<!DOCTYPE html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>服务暂时不可用 · Service unavailable</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>服务暂时不可用</h1><p>网站正在恢复，请几秒钟后刷新页面。</p>
<p lang="en">The site is recovering; please reload in a few seconds.</p></body></html>
"""


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable for %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
