"""Django's Redis cache backend, reusing one redis.Redis client per connection pool, and failing
soft: while Redis does not answer, the site runs without it.

Django builds a new redis.Redis object for every cache call, and building one fills its table
of ~160 response callbacks: about 40% of the CPU time of a page-cache hit (three cache calls,
docs/PERFORMANCE.md). A client holds nothing but a reference to its pool and is thread-safe, so
one per pool does. The pools themselves stay Django's (one per server, made after the fork).

A cache that cannot be reached answers like an empty one: get() gives the default, add() and
set() store nothing, incr() finds no key (ValueError). Pages render uncached, cached_db sessions
read the database, and nobody gets a 500 (docs/RELIABILITY.md, "Redis failing"). After a failure
the process leaves Redis alone for `retry_after` seconds, so an unreachable server costs one
connect timeout per interval rather than one per call, and logs one warning per `warn_every`
seconds, not a traceback per request. The keys it could not write (a new content generation, a
session that changed or ended) are deleted before Redis is used again, so nothing that changed
meanwhile is read back stale; past MAX_DROPPED keys it empties the cache instead.
"""

import logging
import threading
import time
from functools import partial
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

FAILURES = (RedisConnectionError, RedisTimeoutError)
MAX_DROPPED = 10_000


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class Outage:
    """Whether the Redis servers at one location answer, shared by the threads of a process
    (Django gives each thread its own cache object)."""

    def __init__(self, *, where, retry_after, warn_every):
        self.where, self.retry_after, self.warn_every = where, retry_after, warn_every
        self._lock = threading.Lock()
        self.since = None  # time.monotonic() of the first failure, None while Redis answers
        self._tried_at = self._warned_at = 0.0
        self._failed_calls = 0
        self._dropped = set()
        self._lost_track = False

    def may_try(self):
        """While down: True for one caller per retry_after seconds, who probes Redis."""
        with self._lock:
            now = time.monotonic()
            if now - self._tried_at < self.retry_after:
                return False
            self._tried_at = now
            return True

    def failed(self, error, *, writes):
        with self._lock:
            now = time.monotonic()
            self._drop(writes)
            self._failed_calls += 1
            if self.since is None:
                self.since, self._tried_at = now, now
            elif now - self._warned_at < self.warn_every:
                return
            self._warned_at = now
            calls, self._failed_calls = self._failed_calls, 0
        logger.warning(
            "Redis cache at %s is not answering (%s): %d call(s) served without it in the "
            "last %.0f s; trying again every %.0f s",
            self.where,
            error,
            calls,
            now - self.since,
            self.retry_after,
        )

    def skipped(self, *, writes):
        with self._lock:
            self._drop(writes)
            self._failed_calls += 1

    def take_dropped(self):
        """(keys, lost_track): what to undo before Redis is trusted again."""
        with self._lock:
            keys, lost = list(self._dropped), self._lost_track
            self._dropped, self._lost_track = set(), False
            return keys, lost

    def give_back(self, keys, *, lost_track):
        with self._lock:
            self._drop(keys)
            self._lost_track = self._lost_track or lost_track

    def recovered(self):
        with self._lock:
            if self.since is None:
                return
            down_for, self.since = time.monotonic() - self.since, None
            self._failed_calls = 0
        logger.warning("Redis cache at %s answers again after %.1f s", self.where, down_for)

    def _drop(self, keys):
        if keys is None:  # clear(): everything
            self._lost_track = True
            return
        self._dropped.update(keys)
        if len(self._dropped) > MAX_DROPPED:
            self._dropped.clear()
            self._lost_track = True


_outages = {}
_outages_lock = threading.Lock()


def _outage_for(servers, *, retry_after, warn_every):
    where = ", ".join(urlsplit(server).hostname or server for server in servers)
    with _outages_lock:
        key = (tuple(servers), retry_after, warn_every)
        if key not in _outages:
            _outages[key] = Outage(where=where, retry_after=retry_after, warn_every=warn_every)
        return _outages[key]


class FailSoftRedisCacheClient(ReusedRedisCacheClient):
    def __init__(self, servers, *, retry_after=1.0, warn_every=30.0, **options):
        # A pooled connection Redis closed (a restart) is replaced once, at once, before the
        # call counts as failed.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        super().__init__(servers, **options)
        self.outage = _outage_for(
            servers, retry_after=float(retry_after), warn_every=float(warn_every)
        )

    def _soft(self, call, *, default, writes=()):
        outage = self.outage
        if outage.since is not None and not outage.may_try():
            outage.skipped(writes=writes)
            return default
        try:
            if outage.since is not None:
                self._undo_dropped_writes()
            return call()
        except FAILURES as error:
            outage.failed(error, writes=writes)
            return default

    def _undo_dropped_writes(self):
        keys, lost_track = self.outage.take_dropped()
        try:
            if lost_track:
                super().clear()
            elif keys:
                super().delete_many(keys)
            else:
                self.get_client(write=True).ping()
        except FAILURES:
            self.outage.give_back(keys, lost_track=lost_track)
            raise
        self.outage.recovered()

    def add(self, key, value, timeout):
        return self._soft(partial(super().add, key, value, timeout), default=False, writes=[key])

    def get(self, key, default):
        return self._soft(partial(super().get, key, default), default=default)

    def set(self, key, value, timeout):
        self._soft(partial(super().set, key, value, timeout), default=None, writes=[key])

    def touch(self, key, timeout):
        return self._soft(partial(super().touch, key, timeout), default=False, writes=[key])

    def delete(self, key):
        return self._soft(partial(super().delete, key), default=False, writes=[key])

    def get_many(self, keys):
        keys = list(keys)
        return self._soft(partial(super().get_many, keys), default={})

    def has_key(self, key):
        return self._soft(partial(super().has_key, key), default=False)

    def incr(self, key, delta):
        found = self._soft(partial(super().incr, key, delta), default=None, writes=[key])
        if found is None:
            raise ValueError(f"Key '{key}' not found (the cache is not answering).")
        return found

    def set_many(self, data, timeout):
        self._soft(partial(super().set_many, data, timeout), default=None, writes=list(data))

    def delete_many(self, keys):
        keys = list(keys)
        self._soft(partial(super().delete_many, keys), default=None, writes=keys)

    def clear(self):
        return self._soft(partial(super().clear), default=False, writes=None)


class RedisCache(DjangoRedisCache):
    """OPTIONS: redis-py's pool options (socket_connect_timeout, socket_timeout, ...), plus
    retry_after and warn_every (seconds) for the time Redis does not answer."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
