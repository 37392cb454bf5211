"""Django's Redis cache backend, reusing one redis.Redis client per connection pool.

Django builds a new redis.Redis object for every cache call, and building one fills its table
of ~160 response callbacks: about 40% of the CPU time of a page-cache hit (three cache calls,
docs/PERFORMANCE.md). A client holds nothing but a reference to its pool and is thread-safe, so
one per pool does. The pools themselves stay Django's (one per server, made after the fork).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
