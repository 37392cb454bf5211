"""Search answers at most so many misses a minute per client: a 429 with Retry-After past that.

A distinct query costs tens of milliseconds of CPU, and a script sending distinct queries misses
every cache, so without a limit ~80 searches a second fill two cores (docs/SECURITY.md). This
middleware sits below the page cache (settings.MIDDLEWARE): a cached result costs almost nothing
and is never counted; only the searches Django has to run are.

The count is a fixed window per client address (newsroom/client_ip.py, so a client behind our own
proxies is counted by its own address) in the default cache, shared by every process when that
is Redis. A failing cache must not take search down: the limiter then lets requests through and
logs once per failure period.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse

from newsroom.client_ip import client_ip

logger = logging.getLogger(__name__)

PAGE = """<!DOCTYPE html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>搜索太频繁 · Too many searches</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>搜索太频繁</h1><p>请稍等 {seconds} 秒再搜索。</p>
<p lang="en">Too many searches: please wait {seconds} seconds.</p></body></html>
"""


def parse_rate(text):
    """ "30/60" -> (30, 60): at most 30 searches in 60 seconds. "0" or "" switches it off."""
    if not text or text.strip() in {"0", "off"}:
        return None
    count, _, seconds = text.partition("/")
    count, seconds = int(count), int(seconds or 60)
    if count <= 0 or seconds <= 0:
        raise ValueError(f"search rate must be <count>/<seconds> with both above 0, not {text!r}")
    return count, seconds


class SearchRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.rate = parse_rate(settings.NEWSROOM.get("SEARCH_RATE", ""))
        self._failing = False

    def __call__(self, request):
        if self.rate and request.method in {"GET", "HEAD"} and self._is_search(request.path):
            wait = self._over_limit(request)
            if wait:
                response = HttpResponse(
                    PAGE.format(seconds=wait), status=429, content_type="text/html; charset=utf-8"
                )
                response["Retry-After"] = str(wait)
                response["Cache-Control"] = "no-store"
                return response
        return self.get_response(request)

    @staticmethod
    def _is_search(path):
        search = reverse("articles:search")
        return path == search or path.endswith(search)  # /search/ and /en/search/

    def _over_limit(self, request):
        """Seconds to wait when this client used up its window, else 0."""
        count, seconds = self.rate
        now = time.time()
        window = int(now // seconds)
        key = f"newsroom:search-rate:{client_ip(request)}:{window}"
        try:
            cache.add(key, 0, timeout=seconds + 1)
            used = cache.incr(key)
        except Exception as error:  # noqa: BLE001 - any cache failure: let search through
            if not self._failing:
                logger.warning("search rate limit off while the cache fails: %s", error)
                self._failing = True
            return 0
        self._failing = False
        if used <= count:
            return 0
        return max(1, int((window + 1) * seconds - now) + 1)
