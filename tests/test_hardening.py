"""Issue 16 (hardening): what the portal answers to hostile or careless requests, and what it lets a
browser keep."""
from __future__ import annotations

from io import BytesIO

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db

BACKEND = "ramq_portal.auth_backends.CachedModelBackend"


@pytest.mark.parametrize("name", ["dossier:profil", "comptes:accounts", "notifications:inbox", "dossier:history"])
def test_a_signed_in_page_is_never_kept_by_the_browser_or_a_proxy(client, alice, pay_calendar, name):
    client.force_login(alice.user, backend=BACKEND)
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_the_staff_pages_are_never_kept_either(client, agent):
    client.force_login(agent, backend=BACKEND)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_an_over_long_username_is_refused_next_to_the_field_and_never_recorded(client):
    response = client.post(reverse("login"), {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Un nom d&#x27;utilisateur compte au plus 150 caractères." in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    response = client.post(reverse("login"), {"username": "alice", "password": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413 and "trop volumineuse" in response.content.decode()


def test_a_file_sent_to_the_portal_is_refused(client):
    upload = BytesIO(b"%PDF-1.4 " + b"0" * 1000)
    upload.name = "piece.pdf"
    assert client.post(reverse("login"), {"username": "alice", "password": "x", "piece": upload}).status_code == 400
