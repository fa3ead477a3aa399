"""Counting attempts per key in the cache, for the guesses that django-axes does not cover (reference
numbers at enrolment, secret answers). An attempt is counted before it is checked, so that parallel
requests cannot all slip under the limit. A key is hashed before it reaches the cache: no IP address
or username is stored in clear.

django-ratelimit was considered: its system checks refuse Django's own Redis cache backend (it only
knows django-redis) and the file cache `make run` uses, so `check --deploy` would fail.
"""
from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, who: str) -> str:
    return "throttle:" + scope + ":" + hashlib.sha256(who.encode()).hexdigest()[:32]


def is_blocked(scope: str, who: str, *, limit: int) -> bool:
    return int(cache.get(_key(scope, who), 0)) >= limit


def attempt(scope: str, who: str, *, limit: int, window_seconds: int) -> bool:
    """Count one more attempt for `who`; False once more than `limit` were made in the window."""
    return count(scope, who, window_seconds=window_seconds) <= limit


def count(scope: str, who: str, *, window_seconds: int) -> int:
    """One more attempt for `who`; the window starts at the first one. Returns the count."""
    key = _key(scope, who)
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def clear(scope: str, who: str) -> None:
    cache.delete(_key(scope, who))
