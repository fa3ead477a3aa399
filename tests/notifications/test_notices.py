"""NOT-3, EML-5: a new message in secure messaging is announced by email, to the activated address only,
without its content, once per professional per sweep (a payment run sends one email, not one per
message); a sweep run twice sends once; the professional may switch the rule off."""
from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from dossier.constants import CorrespondenceKind
from notifications import notices, routing
from notifications.models import MessageNoticeRule, OutboundMessage, SecureMessage
from ramq_portal import clock

pytestmark = pytest.mark.django_db


def activate(professional, email="alice@example.com"):
    professional.email, professional.email_activated_at = email, clock.now()
    professional.save()


def drop(professional, subject="Votre entente", body="Contenu confidentiel de la lettre"):
    routing.send(professional=professional, kind=CorrespondenceKind.AGREEMENT, subject=subject, body=body)


def sweep(capture):
    with capture(execute=True):
        return notices.send_new_message_notices()


def test_NOT_3_several_messages_one_email_to_the_activated_address_without_content(alice, django_capture_on_commit_callbacks):
    activate(alice)
    drop(alice, subject="État de compte")
    drop(alice, subject="Avis de dépôt")
    assert sweep(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    email = mail.outbox[0]
    assert "2 nouveaux messages" in email.body
    for secret in ("Contenu confidentiel", "État de compte", "Avis de dépôt"):
        assert secret not in email.body and secret not in email.alternatives[0][0]


def test_NOT_5_a_sweep_run_twice_sends_once(alice, django_capture_on_commit_callbacks):
    activate(alice)
    drop(alice)
    assert sweep(django_capture_on_commit_callbacks) == 1
    assert sweep(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    drop(alice, subject="Un autre")
    assert sweep(django_capture_on_commit_callbacks) == 1  # a later message gets its own notice
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("state", ["no email", "awaiting validation"])
def test_EML_5_never_to_an_address_that_is_not_activated(alice, state, django_capture_on_commit_callbacks):
    if state == "awaiting validation":
        alice.email = "pas.encore@example.com"
        alice.save()
    drop(alice)
    assert sweep(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == [] and not OutboundMessage.objects.exists()
    assert SecureMessage.objects.get(professional=alice).notice_handled_at is not None  # handled: not announced later by surprise


def test_NOT_3_the_rule_can_be_switched_off_and_on(client, alice, django_capture_on_commit_callbacks):
    activate(alice)
    client.force_login(alice.user, backend="ramq_portal.auth_backends.CachedModelBackend")
    assert "M'aviser par courriel (alice@example.com)" in client.get(reverse("notifications:inbox")).content.decode().replace("&#x27;", "'")
    client.post(reverse("notifications:notice_rule"), {})
    assert MessageNoticeRule.objects.get(professional=alice).enabled is False
    drop(alice)
    assert sweep(django_capture_on_commit_callbacks) == 0 and mail.outbox == []
    client.post(reverse("notifications:notice_rule"), {"enabled": "on"})
    drop(alice, subject="Après réactivation")
    assert sweep(django_capture_on_commit_callbacks) == 1


def test_NOT_3_messages_that_bring_their_own_email_are_not_announced_twice(alice, django_capture_on_commit_callbacks):
    activate(alice)
    SecureMessage.objects.create(professional=alice, subject="Coordonnées bancaires modifiées", body="…", created_at=clock.now(),
                                 notice_due=False)
    assert sweep(django_capture_on_commit_callbacks) == 0


def test_NOT_5_no_notice_for_a_message_rolled_back(alice, django_capture_on_commit_callbacks):
    activate(alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        drop(alice)
        raise RuntimeError("rolled back")
    assert sweep(django_capture_on_commit_callbacks) == 0 and mail.outbox == []


def test_NOT_3_the_sweep_goes_through_every_batch_of_files(alice, bob, django_capture_on_commit_callbacks):
    from tests import factories

    carol = factories.ProfessionalFactory()
    for professional, address in ((alice, "alice@example.com"), (bob, "bob@example.com"), (carol, "carol@example.com")):
        activate(professional, address)
        drop(professional)
        drop(professional, subject="Deuxième")
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.send_new_message_notices(batch_size=1) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com", "carol@example.com"]
    assert all("2 nouveaux messages" in m.body for m in mail.outbox)
