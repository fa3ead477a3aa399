"""Issue 14: a signed-in page kept whole costs one read of the cache (ramq_portal.prefetch), and the hint
that makes it possible decides only what is read early, never what is shown."""
from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import resolve, reverse

from ramq_portal import prefetch
from ramq_portal.prefetch import HINT_COOKIE

pytestmark = pytest.mark.django_db

PROFIL = "/profil/"


@pytest.fixture
def reads(monkeypatch):
    """Every read of the cache, by method, from here on (a backend's get_many may call its own get for each
    key: one call is counted, as Redis answers it in one round trip)."""
    seen, inside = [], []
    store = caches["default"]
    for name in ("get", "get_many", "has_key"):
        method = getattr(store, name)

        def spy(*args, _method=method, _name=name, **kwargs):
            if not inside:
                seen.append(_name)
            inside.append(_name)
            try:
                return _method(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(store, name, spy)
    return seen


def signed_in(professional) -> Client:
    client = Client()
    client.force_login(professional.user, backend="ramq_portal.auth_backends.CachedModelBackend")
    return client


def test_a_kept_page_of_the_file_costs_one_read_of_the_cache(alice, reads):
    client = signed_in(alice)
    client.get(PROFIL)  # the page kept, the hint set
    assert HINT_COOKIE in client.cookies
    client.get(PROFIL)
    reads.clear()
    response = client.get(PROFIL)
    assert response.status_code == 200 and response.context is None  # served as kept
    assert "Tremblay" in response.content.decode()
    assert reads == ["get_many"]  # the session, the user, the file's versions and the page, together


def test_without_the_hint_the_page_is_the_same_and_read_as_before(alice, reads):
    client = signed_in(alice)
    client.get(PROFIL)
    kept = client.get(PROFIL).content
    del client.cookies[HINT_COOKIE]
    reads.clear()
    response = client.get(PROFIL)
    assert len(reads) > 1
    assert response.content.split(b'name="csrfmiddlewaretoken"')[0] == kept.split(b'name="csrfmiddlewaretoken"')[0]
    assert HINT_COOKIE in response.cookies  # and the hint comes back


def test_the_hint_is_signed_http_only_and_removed_at_sign_out(alice):
    client = signed_in(alice)
    response = client.get(PROFIL)
    cookie = response.cookies[HINT_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie.value.split(":")[0] == str(alice.user.pk)
    assert cookie.value.count(":") == 2  # user:file:signature
    response = client.post(reverse("logout"))
    assert response.cookies[HINT_COOKIE].value == "" and response.cookies[HINT_COOKIE]["max-age"] == 0


def test_another_professionals_hint_never_shows_their_page(alice, bob):
    alices = signed_in(alice)
    alices.get(PROFIL)
    assert "Tremblay" in alices.get(PROFIL).content.decode()  # Alice's page is kept
    bobs = signed_in(bob)
    bobs.get(PROFIL)
    bobs.cookies[HINT_COOKIE] = alices.cookies[HINT_COOKIE].value  # Bob's browser carries Alice's hint
    page = bobs.get(PROFIL).content.decode()
    assert "Gagnon" in page and "Tremblay" not in page
    assert bobs.cookies[HINT_COOKIE].value.startswith(f"{bob.user.pk}:")  # corrected


def test_a_forged_hint_is_ignored(alice, bob, reads):
    client = signed_in(bob)
    client.get(PROFIL)
    client.cookies[HINT_COOKIE] = f"{alice.user.pk}:{alice.pk}:forged"
    reads.clear()
    page = client.get(PROFIL).content.decode()
    assert "Gagnon" in page and "Tremblay" not in page
    assert "get_many" in reads and len(reads) > 1  # no early read: the usual ones


def test_a_user_read_early_is_still_checked_against_the_session(alice):
    client = signed_in(alice)
    client.get(PROFIL)
    assert client.get(PROFIL).status_code == 200
    alice.user.set_password("Un-autre-mot-de-passe-2027")
    alice.user.save()  # elsewhere: every other session ends (the session's hash of the password)
    response = client.get(PROFIL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_staff_member_gets_a_hint_without_a_file_and_their_pages_work(agent):
    client = Client()
    client.force_login(agent, backend="ramq_portal.auth_backends.CachedModelBackend")
    assert client.get("/admin/").status_code == 200
    assert client.cookies[HINT_COOKIE].value.startswith(f"{agent.pk}::")
    assert client.get("/admin/dossier/request/").status_code == 200
    assert client.get(PROFIL).status_code == 404  # DOS-5, as before



def test_an_address_is_resolved_once_for_the_prefetch_then_remembered(alice, reads, monkeypatch):
    """The prefetch remembers which view an address leads to (the handler resolves it again anyway):
    the kept page is still read early, and a new URL configuration is resolved afresh."""
    client = signed_in(alice)
    client.get(PROFIL)
    client.get(PROFIL)
    resolved = []
    monkeypatch.setattr(prefetch, "resolve", lambda path: resolved.append(path) or resolve(path))
    reads.clear()
    assert client.get(PROFIL).context is None and client.get(PROFIL).context is None
    assert resolved == [] and reads == ["get_many", "get_many"]  # remembered, and the page still read early
    assert prefetch._route(PROFIL) is not None and prefetch._route("/session/") is None  # not a page of the file
    resolved.clear()
    with override_settings(ROOT_URLCONF="ramq_portal.urls"):
        assert prefetch._route.cache_info().currsize == 0
        prefetch._route(PROFIL)
        assert resolved == [PROFIL]


def test_a_hints_signature_is_checked_once_per_value_and_a_forged_one_stays_refused(alice, bob, reads):
    client = signed_in(alice)
    client.get(PROFIL)
    hint = client.cookies[HINT_COOKIE].value
    prefetch._unsigned.cache_clear()
    assert prefetch._unsigned(hint) == (alice.user.pk, alice.pk)
    client.get(PROFIL)
    assert prefetch._unsigned.cache_info().hits >= 1  # this browser's next request: no HMAC again
    forged = hint.replace(f"{alice.user.pk}:{alice.pk}", f"{bob.user.pk}:{bob.pk}")
    assert forged != hint and prefetch._unsigned(forged) is None and prefetch._unsigned(forged) is None
