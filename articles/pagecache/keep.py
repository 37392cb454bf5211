"""Keep a value for one content generation, and never while the replica may lag.

Two places to keep it: the shared cache (keep_shared(), every process sees it) and this process
(GenerationMemo: a rendered card, the section menu). Both refuse to store what was computed
just after a change, when a streaming replica may still answer with the old rows: the old
content would otherwise be kept under the new generation (generation.replica_may_lag()).
"""

import pickle
from collections import OrderedDict
from threading import Lock

from django.core.cache import cache

from articles.pagecache.generation import replica_may_lag, request_generation

_MISSING = object()


def keep_shared(key, compute, *, timeout):
    """The value under `key` in the shared cache, else compute() and store it for `timeout`
    seconds (not at all under one second). `key` must name the generation it belongs to."""
    try:
        value = cache.get(key)
    except (AttributeError, ImportError, pickle.UnpicklingError):
        value = None  # written by a release whose classes had another shape or home
    if value is None:
        value = compute()
        if timeout >= 1 and not replica_may_lag():
            cache.set(key, value, timeout=int(timeout))
    return value


class LeastRecent:
    """A dict of at most `size` entries that drops the least recently stored first, safe
    between threads."""

    def __init__(self, *, size):
        self._values = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key, default=None):
        return self._values.get(key, default)

    def set(self, key, value):
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    def clear(self):
        with self._lock:
            self._values.clear()


class GenerationMemo:
    """Values this process keeps for the content generation a request sees, the oldest
    dropped past `size`. A new generation makes every older entry unreachable."""

    def __init__(self, *, size):
        self._values = LeastRecent(size=size)

    def get(self, key, compute, *, request=None):
        """The value kept for `key` (a tuple) in this request's generation, else compute()."""
        full_key = (request_generation(request), *key)
        value = self._values.get(full_key, _MISSING)
        if value is _MISSING:
            value = compute()
            if not replica_may_lag():
                self._values.set(full_key, value)
        return value

    def clear(self):
        self._values.clear()
