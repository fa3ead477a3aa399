"""Issue 16: the portal stays up when Redis goes down or restarts. Sessions are kept in the database too
(`cached_db`), and the cache (ramq_portal.cache) lets every page go on from the database while Redis
cannot be reached; afterwards, every file's pages are invalidated."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from ramq_portal import cache as portal_cache
from ramq_portal import filecache
from tests.test_drill import RedisServer, needs_redis_server

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_breaker():
    portal_cache._Breaker.down_until, portal_cache._Breaker.failed = 0.0, False
    yield
    portal_cache._Breaker.down_until, portal_cache._Breaker.failed = 0.0, False


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def _redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "ramq_portal.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "drill",
                        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2.0}}}


def _signed_in_profil(client) -> str:
    response = client.get(reverse("dossier:profil"))
    assert response.status_code == 200, response.get("Location")
    return response.content.decode()


@needs_redis_server
def test_drill_sign_in_and_the_file_keep_working_while_redis_is_down_and_after_it_restarts(client, alice, password, pay_calendar, redis_server):
    with override_settings(CACHES=_redis_cache(redis_server.url)):
        assert client.post(reverse("login"), {"username": "alice", "password": password}).status_code == 302
        assert "Tremblay" in _signed_in_profil(client)

        redis_server.kill9()  # down: the session comes from the database, the pages are rendered afresh
        assert "Tremblay" in _signed_in_profil(client)
        assert client.get(reverse("comptes:accounts")).status_code == 200
        client.post(reverse("logout"))
        assert client.get(reverse("dossier:profil")).status_code == 302  # signed out for real
        assert client.post(reverse("login"), {"username": "alice", "password": password}).status_code == 302
        assert "Tremblay" in _signed_in_profil(client)

        redis_server.start()  # back, empty (no persistence): still signed in
        portal_cache._Breaker.down_until = 0.0  # as DOWN_SECONDS later
        assert "Tremblay" in _signed_in_profil(client)
        assert not portal_cache._Breaker.failed
        assert cache.get(filecache._version_key(alice.pk)) is not None  # the cache is used again


def test_a_redis_that_cannot_be_reached_costs_one_attempt_then_is_left_alone(settings):
    """Nothing listens on the port: the first call fails fast and trips the breaker; the next ones do
    not try again until DOWN_SECONDS have passed."""
    with override_settings(CACHES=_redis_cache("redis://127.0.0.1:9/0")):
        assert cache.get("x", "défaut") == "défaut"
        assert portal_cache._Breaker.failed and not portal_cache._Breaker.closed()
        assert cache.add("x", 1) is False and cache.get_many(["a", "b"]) == {} and cache.incr("n") > 10**9
        cache.set("x", 1)  # skipped, no error


def test_after_an_outage_every_files_pages_are_invalidated(alice):
    before = filecache.version(alice.pk)
    portal_cache._Breaker.trip(ConnectionError("down"))
    portal_cache._Breaker.succeeded()
    assert filecache.version(alice.pk) != before
    assert filecache.version(alice.pk) == filecache.version(alice.pk)  # once, not at every call
