"""NOT-6, STF-4, BEY-7: secure messaging both ways, decisions announced, decided requests keep their
difference. Through the pages the professional and the agent use."""
from __future__ import annotations

import html

import pytest
from django.urls import reverse

from comptes.models import BillingAccount
from comptes.request_kinds import OpenIndividualAccount
from dossier import backoffice, requests
from dossier.constants import RequestStatus
from dossier.models import Request
from notifications import messaging, notices
from notifications.models import OutboundMessage, SecureMessage
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock
from tests import factories

pytestmark = pytest.mark.django_db
BACKEND = "ramq_portal.auth_backends.CachedModelBackend"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def written(client, alice):
    """Alice wrote to the Régie from her secure messaging."""
    client.force_login(alice.user, backend=BACKEND)
    response = client.post(reverse("notifications:write"), {"subject": "Délai de paiement", "body": "Quand serai-je payée ?"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:sent")
    return Request.objects.get(kind=MessageToTheBoard.code)


def test_NOT_6_a_message_written_is_in_the_sent_folder_with_where_it_stands(client, written):
    sent = text(client.get(reverse("notifications:sent")))
    assert "Délai de paiement" in sent and "Reçu par la Régie" in sent
    inbox = text(client.get(reverse("notifications:inbox")))
    assert "Délai de paiement" not in inbox  # one's own message is not mail received
    message = SecureMessage.objects.get(from_professional=True)
    assert (message.request, message.thread, message.body) == (written, written, "Quand serai-je payée ?")
    assert "Quand serai-je payée ?" in text(client.get(reverse("notifications:message", args=[message.pk])))


def test_NOT_6_staff_see_the_subject_and_the_text_never_raw_data(client, written, agent):
    client.force_login(agent, backend=BACKEND)
    queue = text(client.get(reverse("admin:dossier_request_changelist")))
    assert "Délai de paiement" in queue and '{"subject"' not in queue and "{'subject'" not in queue
    page = text(client.get(reverse("admin:dossier_request_change", args=[written.pk])))
    assert "Délai de paiement" in page and "Quand serai-je payée ?" in page
    assert "subject" not in page  # no payload key shown


def test_NOT_6_an_agent_replies_the_reply_is_in_the_inbox_announced_by_email_and_answers_back(client, alice, written, agent):
    alice.email, alice.email_activated_at = "alice@example.com", clock.now()
    alice.save(update_fields=["email", "email_activated_at"])
    client.force_login(agent, backend=BACKEND)
    empty = client.post(reverse("admin:dossier_request_reply", args=[written.pk]), {"body": " ", "close": "on"}, follow=True)
    assert "Écrivez la réponse" in text(empty) and not SecureMessage.objects.filter(author=agent).exists()
    done = client.post(reverse("admin:dossier_request_reply", args=[written.pk]),
                       {"body": "Le paiement du 17 mars sera déposé le 22 mars.", "close": "on"}, follow=True)
    assert "Réponse transmise" in text(done)
    written.refresh_from_db()
    assert written.status == RequestStatus.ACCEPTED and written.decided_by == agent
    reply = SecureMessage.objects.get(author=agent)
    assert (reply.professional, reply.thread, reply.from_professional, reply.read_at) == (alice, written, False, None)
    assert reply.subject == "Réponse\u00a0: Délai de paiement"
    # NOT-3: announced by email like any other new message (Alice's email is activated).
    assert notices.send_new_message_notices() == 1
    assert OutboundMessage.objects.filter(professional=alice, template="nouveau_message").count() == 1

    client.force_login(alice.user, backend=BACKEND)
    assert "Réponse\u00a0: Délai de paiement" in text(client.get(reverse("notifications:inbox")))
    assert "Traité le" in text(client.get(reverse("notifications:sent")))
    thread = text(client.get(reverse("notifications:message", args=[reply.pk])))
    assert thread.index("Quand serai-je payée ?") < thread.index("Le paiement du 17 mars sera déposé le 22 mars.")
    answer = client.post(reverse("notifications:reply", args=[reply.pk]), {"body": "Merci, et pour avril ?"})
    assert answer.status_code == 302
    follow_up = Request.objects.exclude(pk=written.pk).get()
    assert (follow_up.kind, follow_up.status, follow_up.payload["thread"]) == (MessageToTheBoard.code, RequestStatus.RECEIVED, written.pk)
    # The agent who opens the follow-up sees the whole conversation.
    client.force_login(agent, backend=BACKEND)
    page = text(client.get(reverse("admin:dossier_request_change", args=[follow_up.pk])))
    assert all(part in page for part in ("Quand serai-je payée ?", "Le paiement du 17 mars", "Merci, et pour avril ?"))


def test_NOT_6_no_reply_to_a_professional_without_secure_messaging(client, agent):
    paper_only = factories.ProfessionalFactory(user=None)
    factories.CorrespondenceAddressFactory(professional=paper_only)
    request = requests.submit(professional=paper_only, kind=OpenIndividualAccount.code, payload={"name": "Clinique"}, by=None)
    client.force_login(agent, backend=BACKEND)
    page = text(client.get(reverse("admin:dossier_request_change", args=[request.pk])))
    assert "Répondre au professionnel" not in page
    refused = client.post(reverse("admin:dossier_request_reply", args=[request.pk]), {"body": "Bonjour"}, follow=True)
    assert "Répondez-lui par la poste" in text(refused) and not SecureMessage.objects.exists()


def test_STF_4_an_accepted_account_request_is_announced_with_the_new_number(client, alice, agent):
    client.force_login(alice.user, backend=BACKEND)
    request = requests.submit(professional=alice, kind=OpenIndividualAccount.code, payload={"name": "Clinique de Lévis"}, by=alice.user)
    assert backoffice.accept(request_id=request.pk, by=agent) == "accepted"
    account = BillingAccount.objects.get(name="Clinique de Lévis")
    notice = SecureMessage.objects.get(professional=alice, thread=request)
    assert notice.subject == "Votre demande\u00a0: Ouvrir un compte administratif individuel"
    assert f"le compte «\u00a0Clinique de Lévis\u00a0» est ouvert sous le numéro {account.number}" in notice.body
    assert "reçue le 9 mars 2027" in notice.body  # dates in words, as everywhere else
    assert "Votre demande\u00a0: Ouvrir un compte administratif individuel" in text(client.get(reverse("notifications:inbox")))


def test_STF_4_a_refusal_is_announced_with_its_reason_in_the_requests_conversation(alice, agent):
    request = requests.submit(professional=alice, kind=OpenIndividualAccount.code, payload={"name": "Clinique"}, by=alice.user)
    backoffice.refuse(request_id=request.pk, reason="Nom déjà utilisé.", by=agent)
    notice = SecureMessage.objects.get(professional=alice, thread=request)
    assert "est refusée pour le motif suivant\u00a0: Nom déjà utilisé." in notice.body


def test_STF_4_the_announcement_is_in_english_for_an_english_speaking_professional(alice, agent):
    alice.language = "en"
    alice.save(update_fields=["language"])
    request = requests.submit(professional=alice, kind=OpenIndividualAccount.code, payload={"name": "Lévis"}, by=alice.user)
    backoffice.accept(request_id=request.pk, by=agent)
    notice = SecureMessage.objects.get(professional=alice, thread=request)
    assert notice.body.startswith("Your request received on") and "is open under number" in notice.body


def test_STF_4_a_decision_rolled_back_announces_nothing(alice, agent):
    """A rule that refuses the change at acceptance (the collective group no longer exists) leaves the
    request open and tells the professional nothing."""
    request = requests.submit(professional=alice, kind="joindre_collectif", payload={"group_number": "999999"}, by=alice.user)
    with pytest.raises(backoffice.DecisionRefused):
        backoffice.accept(request_id=request.pk, by=agent)
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and not SecureMessage.objects.exists()


def test_NOT_6_an_empty_reply_is_refused_on_the_message_and_its_switches_come_back_to_it(client, written, agent):
    reply = messaging.reply(request_id=written.pk, body="Le paiement sera déposé le 22 mars.", by=agent, close=False)
    client.force_login(written.professional.user, backend=BACKEND)
    refused = client.post(reverse("notifications:reply", args=[reply.pk]), {"body": " "})
    page = text(refused)
    assert refused.status_code == 400 and "Erreur" in page.split("</title>")[0]
    assert Request.objects.count() == 1
    # The language and display switches of the error page return to the message (the reply's address
    # answers POST only: coming back to it would be a dead end).
    message_url = reverse("notifications:message", args=[reply.pk])
    assert page.count(f'name="next" value="{message_url}"') == 2
    assert f'value="{reverse("notifications:reply", args=[reply.pk])}"' not in page
    assert client.get(message_url).status_code == 200
