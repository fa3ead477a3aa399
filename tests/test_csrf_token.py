"""Issue 14: the CSRF token written into a kept page (ramq_portal.csrf_token) is masked as Django masks
it, drawn uniformly, and accepted by Django's check as one of its own."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.middleware import csrf
from hypothesis import given
from hypothesis import strategies as st

from ramq_portal import csrf_token

secrets = st.text(alphabet=csrf.CSRF_ALLOWED_CHARS, min_size=csrf.CSRF_SECRET_LENGTH, max_size=csrf.CSRF_SECRET_LENGTH)


@given(secrets)
def test_the_token_unmasks_to_the_cookies_secret_and_renews_the_cookie(secret):
    request = SimpleNamespace(META={"CSRF_COOKIE": secret})
    token = csrf_token.get_token(request)
    assert len(token) == csrf.CSRF_TOKEN_LENGTH and set(token) <= set(csrf.CSRF_ALLOWED_CHARS)
    assert csrf._unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_each_token_is_masked_afresh():
    request = SimpleNamespace(META={"CSRF_COOKIE": csrf._get_new_csrf_string()})
    tokens = {csrf_token.get_token(request) for _ in range(50)}
    assert len(tokens) == 50


def test_a_request_without_a_secret_gets_one_as_django_makes_it():
    request = SimpleNamespace(META={})
    token = csrf_token.get_token(request)
    assert csrf._unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_bytes_that_would_favour_the_first_characters_are_dropped(monkeypatch):
    """256 is not a multiple of 62: bytes 248 to 255 would make characters 0 to 7 likelier. They are
    drawn again instead."""
    draws = iter([bytes([248, 255, 61, 62] * 10), bytes(range(40))])
    monkeypatch.setattr(csrf_token.os, "urandom", lambda n: next(draws)[:n])
    assert csrf_token._mask() == [61, 0] * 10 + list(range(12))


@pytest.mark.parametrize("position", [0, 31])
def test_every_character_can_be_drawn_at_every_position(position):
    seen = set()
    for _ in range(2000):
        seen.add(csrf_token._mask()[position])
    assert seen == set(range(62))
