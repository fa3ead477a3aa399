"""Django's Redis cache, keeping its Redis client.

Django's RedisCacheClient builds a new `redis.Redis` object on every cache call (its connection pool
is reused, but the client's constructor fills a table of about 170 response callbacks each time):
about a third of a millisecond per signed-in page, which reads and may write the session. A
`redis.Redis` object is safe to share, and Django's caches are per thread anyway; this client keeps
one per connection pool.
"""
from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
