"""Issue 16 (hardening): what the portal answers to hostile or careless requests, and what it lets a
browser keep."""
from __future__ import annotations

from io import BytesIO

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from ramq_portal.client_ip import client_ip

pytestmark = pytest.mark.django_db

BACKEND = "ramq_portal.auth_backends.CachedModelBackend"


@pytest.mark.parametrize("name", ["dossier:profil", "comptes:accounts", "notifications:inbox", "dossier:history"])
def test_a_signed_in_page_is_never_kept_by_the_browser_or_a_proxy(client, alice, pay_calendar, name):
    client.force_login(alice.user, backend=BACKEND)
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_an_over_long_username_is_refused_next_to_the_field_and_never_recorded(client):
    response = client.post(reverse("login"), {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Un nom d&#x27;utilisateur compte au plus 150 caractères." in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    response = client.post(reverse("login"), {"username": "alice", "password": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413 and "trop volumineuse" in response.content.decode()


def test_a_file_sent_to_the_portal_is_dropped_never_kept(client, rf):
    upload = BytesIO(b"%PDF-1.4 " + b"0" * 100_000)
    upload.name = "piece.pdf"
    request = rf.post("/connexion/", {"username": "alice", "piece": upload})
    assert dict(request.FILES) == {} and request.POST["username"] == "alice"
    upload.seek(0)
    assert client.post(reverse("login"), {"username": "alice", "password": "x", "piece": upload}).status_code == 200


# --- Behind a reverse proxy (ramq_portal/client_ip.py) ---------------------------------------------------

PROXY = "10.8.0.2"


def _sign_in(client, username: str, password: str, *, remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_DOS_4_behind_the_proxy_one_person_cannot_lock_everyone_out(client, alice, password, settings):
    """Failed sign-ins under many usernames lock the address they come from, not the proxy's."""
    settings.TRUSTED_PROXIES = ["10.8.0.0/24"]
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        _sign_in(client, f"inconnu{n}", "Mauvais-mot-2026", remote=PROXY, forwarded="198.51.100.7")
    assert _sign_in(client, "autre", "Mauvais-mot-2026", remote=PROXY, forwarded="198.51.100.7").status_code == 429
    assert _sign_in(client, "alice", password, remote=PROXY, forwarded="203.0.113.9").status_code == 302


def test_DOS_4_without_a_trusted_proxy_the_forwarded_address_is_ignored(client, alice, password, settings):
    """A client cannot escape its lockout by writing another address in X-Forwarded-For."""
    settings.TRUSTED_PROXIES = ["10.8.0.0/24"]
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        _sign_in(client, f"inconnu{n}", "Mauvais-mot-2026", remote="198.51.100.7", forwarded=f"192.0.2.{n}")
    assert _sign_in(client, "alice", password, remote="198.51.100.7", forwarded="203.0.113.9").status_code == 429


@pytest.mark.parametrize(("remote", "forwarded", "client_address"), [
    ("10.8.0.2", "203.0.113.9", "203.0.113.9"),
    ("10.8.0.2", "192.0.2.1, 203.0.113.9", "203.0.113.9"),  # the nearest hop the proxy saw, not the client's claim
    ("10.8.0.2", "203.0.113.9, 10.8.0.3", "203.0.113.9"),  # through two trusted proxies
    ("10.8.0.2", "", "10.8.0.2"),
    ("10.8.0.2", "pas-une-adresse", "10.8.0.2"),
    ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not from a trusted proxy: the header is the client's
    ("2001:db8::5", "203.0.113.9", "2001:db8::5"),
])
def test_the_client_address_behind_trusted_proxies(rf, settings, remote, forwarded, client_address):
    settings.TRUSTED_PROXIES = ["10.8.0.0/24"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == client_address
