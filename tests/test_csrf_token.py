"""Issue 14: the CSRF token written into a kept page (ramq_portal.csrf_token) is masked as Django masks
it, drawn uniformly, and accepted by Django's check as one of its own."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.middleware import csrf
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ramq_portal import csrf_token
from tests.factories import PASSWORD

secrets = st.text(alphabet=csrf.CSRF_ALLOWED_CHARS, min_size=csrf.CSRF_SECRET_LENGTH, max_size=csrf.CSRF_SECRET_LENGTH)


@given(secrets)
def test_the_token_unmasks_to_the_cookies_secret(secret):
    request = SimpleNamespace(META={"CSRF_COOKIE": secret})
    token = csrf_token.get_token(request)
    assert len(token) == csrf.CSRF_TOKEN_LENGTH and set(token) <= set(csrf.CSRF_ALLOWED_CHARS)
    assert csrf._unmask_cipher_token(token) == secret
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in request.META  # not sent again: see the next test


def test_the_cookie_a_kept_page_does_not_renew_outlives_every_session(alice):
    """A kept page does not send the CSRF cookie again (Django's get_token would, to push its expiry
    back): sign-in sets a fresh one, which outlives the longest session; the kept page's token is
    accepted until the session ends."""
    assert settings.CSRF_COOKIE_AGE > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() * 2
    client = Client(enforce_csrf_checks=True)
    signed_in = client.post(reverse("login"), {"username": alice.user.username, "password": PASSWORD,
                                               "csrfmiddlewaretoken": _token_of(client)})
    assert signed_in.status_code == 302 and signed_in.cookies[settings.CSRF_COOKIE_NAME]["max-age"] == settings.CSRF_COOKIE_AGE
    client.get(reverse("dossier:profil"))
    kept = client.get(reverse("dossier:profil"))
    assert kept.context is None  # served as kept
    assert settings.CSRF_COOKIE_NAME not in kept.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', kept.content.decode()).group(1)
    assert client.post(reverse("set_display_mode"), {"mode": "contraste-eleve", "csrfmiddlewaretoken": token}).status_code == 302


def _token_of(client) -> str:
    page = client.get(reverse("login")).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


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
