"""Django's Redis cache, keeping its Redis client, and standing a Redis outage.

Django's RedisCacheClient builds a new `redis.Redis` object on every cache call (its connection pool
is reused, but the client's constructor fills a table of about 170 response callbacks each time):
about a third of a millisecond per signed-in page, which reads and may write the session. A
`redis.Redis` object is safe to share, and Django's caches are per thread anyway; this client keeps
one per connection pool.

An outage (issue 16): the cache only ever holds what can be rebuilt (sessions are kept in the
database too, `cached_db`; the signed-in user, the pages of a file, the pay calendar are read again),
so when Redis cannot be reached a read is a miss and a write is skipped, and the portal goes on from
the database. After a failure Redis is left alone for DOWN_SECONDS (each attempt could cost the
connection timeout of settings.CACHES), then tried again. Counting attempts (`incr`, ramq_portal.
throttle) fails closed: an outage never opens a window for guessing. When Redis answers again after
a failure, `redis_recovered` is sent: the pages of every file are then invalidated (ramq_portal.
filecache), since the writes made meanwhile could not replace their files' versions.
"""
from __future__ import annotations

import logging
import sys
import time

from django.core.cache.backends import redis as django_redis
from django.dispatch import Signal
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

DOWN_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Sent (by the first cache call that succeeds again in a process that saw Redis fail) once Redis answers.
redis_recovered = Signal()


class _Breaker:
    """This process's view of Redis: reachable, or left alone until `down_until`."""

    down_until = 0.0
    failed = False

    @classmethod
    def closed(cls) -> bool:
        return time.monotonic() >= cls.down_until

    @classmethod
    def trip(cls, error: Exception) -> None:
        if not cls.failed:
            log.warning("Redis unreachable (%s): the cache is bypassed, the portal goes on from the database", type(error).__name__)
        cls.failed, cls.down_until = True, time.monotonic() + DOWN_SECONDS

    @classmethod
    def succeeded(cls) -> None:
        if cls.failed:
            cls.failed = False
            log.warning("Redis answers again: every file's pages are invalidated")
            redis_recovered.send(sender=cls)


def _tolerant(method, default):
    """`method`, or `default(*args)` (what a miss or a skipped write answers) while Redis is unreachable."""
    def call(self, *args, **kwargs):
        if not _Breaker.closed():
            return default(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except UNREACHABLE as error:
            _Breaker.trip(error)
            return default(*args, **kwargs)
        _Breaker.succeeded()
        return result

    call.__name__ = method.__name__
    return call


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

    # A read is a miss, a write is skipped; a count is over any limit (fails closed).
    get = _tolerant(django_redis.RedisCacheClient.get, lambda key, default: default)
    get_many = _tolerant(django_redis.RedisCacheClient.get_many, lambda *args: {})
    has_key = _tolerant(django_redis.RedisCacheClient.has_key, lambda *args: False)
    add = _tolerant(django_redis.RedisCacheClient.add, lambda *args: False)
    set = _tolerant(django_redis.RedisCacheClient.set, lambda *args: None)
    set_many = _tolerant(django_redis.RedisCacheClient.set_many, lambda *args: [])
    touch = _tolerant(django_redis.RedisCacheClient.touch, lambda *args: False)
    delete = _tolerant(django_redis.RedisCacheClient.delete, lambda *args: False)
    delete_many = _tolerant(django_redis.RedisCacheClient.delete_many, lambda *args: None)
    incr = _tolerant(django_redis.RedisCacheClient.incr, lambda *args: sys.maxsize)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
