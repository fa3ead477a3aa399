"""NOT-2: the *Messagerie sécurisée* tab: the inbox, a message, the unread count, writing to the board."""
from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse

from dossier.constants import RequestStatus
from dossier.models import Request
from notifications.models import SecureMessage
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock

pytestmark = pytest.mark.django_db
BACKEND = "ramq_portal.auth_backends.CachedModelBackend"


def text(response) -> str:
    return html.unescape(response.content.decode())


def message(professional, subject, *, days_ago=0, read=False):
    moment = clock.now() - timedelta(days=days_ago)
    return SecureMessage.objects.create(professional=professional, subject=subject, body=f"Corps : {subject}", created_at=moment,
                                        read_at=moment if read else None)


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user, backend=BACKEND)
    return client


def test_NOT_2_the_inbox_lists_the_professionals_messages_newest_first(signed_in, alice, bob):
    message(alice, "État de compte du 3 décembre", days_ago=2)
    message(alice, "Avis de dépôt du 8 décembre", days_ago=0)
    message(alice, "Lettre déjà lue", days_ago=5, read=True)
    message(bob, "Message de Bob")
    page = text(signed_in.get(reverse("notifications:inbox")))
    assert page.index("Avis de dépôt du 8 décembre") < page.index("État de compte du 3 décembre") < page.index("Lettre déjà lue")
    assert "Message de Bob" not in page
    assert "2 messages non lus." in page


def test_NOT_2_the_tab_shows_the_unread_count_on_every_page_of_the_file(signed_in, alice):
    message(alice, "Un")
    message(alice, "Deux")
    for url in (reverse("dossier:profil"), reverse("comptes:accounts"), reverse("notifications:inbox")):
        assert '<span class="badge">2<span class="visually-hidden"> messages non lus</span></span>' in signed_in.get(url).content.decode(), url


def test_NOT_2_opening_a_message_marks_it_read_and_it_can_be_marked_unread_again(signed_in, alice):
    letter = message(alice, "Lettre de la Régie")
    page = text(signed_in.get(reverse("notifications:message", args=[letter.pk])))
    assert "Corps : Lettre de la Régie" in page and 'class="badge"' not in page
    letter.refresh_from_db()
    assert letter.read_at is not None
    signed_in.post(reverse("notifications:mark_unread", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.read_at is None


def test_NOT_2_another_professionals_message_is_unreachable(signed_in, bob):
    theirs = message(bob, "Message de Bob")
    assert signed_in.get(reverse("notifications:message", args=[theirs.pk])).status_code == 404
    assert signed_in.post(reverse("notifications:mark_unread", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_NOT_2_a_message_to_the_board_lands_in_the_staff_queue(signed_in, alice, agent, client):
    refused = signed_in.post(reverse("notifications:write"), {"subject": "", "body": ""})
    assert refused.status_code == 200 and "Ce champ est obligatoire." in text(refused)
    assert not Request.objects.exists()
    response = signed_in.post(reverse("notifications:write"), {"subject": "Changement d'adresse du regroupement", "body": "Nouvelle adresse…"})
    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.professional, request.kind, request.status) == (alice, MessageToTheBoard.code, RequestStatus.RECEIVED)
    assert request.payload["subject"] == "Changement d'adresse du regroupement" and request.due_date > clock.today()
    client.force_login(agent, backend=BACKEND)
    assert "Changement d'adresse du regroupement" in text(client.get(reverse("admin:dossier_request_change", args=[request.pk])))


@pytest.mark.parametrize("count", [1, 60])
def test_NOT_2_the_tab_takes_a_fixed_number_of_queries(signed_in, alice, count, django_assert_max_num_queries):
    for index in range(count):
        message(alice, f"Message {index}", days_ago=index)
    first = SecureMessage.objects.filter(professional=alice).order_by("-created_at").first()
    with django_assert_max_num_queries(5):
        assert signed_in.get(reverse("notifications:inbox")).status_code == 200
    with django_assert_max_num_queries(5):
        assert signed_in.get(reverse("notifications:inbox") + "?page=2").status_code == 200
    with django_assert_max_num_queries(4):
        assert signed_in.get(reverse("notifications:message", args=[first.pk])).status_code == 200
