"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per cache call.

django.core.cache.backends.redis.RedisCacheClient.get_client() builds a new ``redis.Redis`` for every get and set
(and so for every session load): ``Redis.__init__`` copies its ~170 response callbacks each time, which showed as
about a tenth of a chrome-only page's time in the profile. A ``redis.Redis`` is safe to share between threads (it
takes a connection from its pool for each command) and its pool resets itself after a fork, so one client per
pool is enough. Everything else (pools, serializer, the commands) is Django's.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class HallRedisCache(RedisCache):
    """settings.CACHES backend: django.core.cache.backends.redis.RedisCache reusing its clients."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
