"""NOT-1, NOT-5: outgoing emails and text messages are retried with backoff, end up visible to staff when
they fail, can be sent again by staff, and are handed to a worker again when their task was lost with
the broker or died with its worker, never sent twice by the portal."""
from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from notifications import outbox
from notifications.models import OutboundChannel, OutboundMessage, OutboundStatus
from notifications.tasks import deliver_message
from ramq_portal import clock
from tests.factories import aware

pytestmark = pytest.mark.django_db

BROKEN = "tests.notifications.test_outbox.BrokenEmailBackend"


class BrokenEmailBackend(BaseEmailBackend):
    """An SMTP server that hangs up on every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


def notice(alice) -> OutboundMessage:
    alice.email, alice.email_activated_at = "alice@example.com", clock.now()
    alice.save()
    return outbox.queue(professional=alice, channel=OutboundChannel.EMAIL, to=alice.email, template="nouveau_message",
                        context={"count": 1})


def test_NOT_1_a_failing_message_is_retried_with_growing_delays_then_failed_and_shown_to_staff(
        alice, agent, client, settings, frozen_clock):
    settings.EMAIL_BACKEND = BROKEN
    frozen_clock(aware(2027, 3, 1, 9, 0))
    message = notice(alice)  # on_commit not run: the test plays the worker
    delays = []
    for _ in range(settings.OUTBOX_MAX_ATTEMPTS - 1):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            deliver_message(message.pk)  # called directly, Celery's retry re-raises the error
        message.refresh_from_db()
        assert message.status == OutboundStatus.QUEUED and message.last_error == "SMTPServerDisconnected"
        delays.append((message.next_attempt_at - clock.now()).total_seconds())
    assert delays == [30, 60, 120, 240, 480, 960]  # OUTBOX_RETRY_BASE_SECONDS doubled, at most an hour
    assert deliver_message(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundStatus.FAILED, settings.OUTBOX_MAX_ATTEMPTS)
    assert mail.outbox == []
    client.force_login(agent)
    page = client.get(reverse("admin:notifications_outboundmessage_changelist") + "?status=echec").content.decode()
    assert "Échec" in page and "SMTPServerDisconnected" in page and "alice@example.com" not in page


def test_NOT_1_staff_send_a_failed_message_again(alice, agent, client, settings, django_capture_on_commit_callbacks):
    message = notice(alice)
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundStatus.FAILED, attempts=7, last_error="SMTPServerDisconnected")
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:notifications_outboundmessage_changelist"),
                               {"action": "send_again", "_selected_action": [message.pk]}, follow=True)
    assert "1 message remis en file d'attente." in response.content.decode().replace("&#x27;", "'")
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_NOT_5_a_message_whose_task_was_lost_with_the_broker_is_sent_by_the_recovery_sweep(
        alice, settings, frozen_clock, django_capture_on_commit_callbacks):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    message = notice(alice)  # the task never reaches a worker: the broker lost it
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.recover() == 0  # a few minutes late is not lost
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=settings.OUTBOX_RECOVER_AFTER_SECONDS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.recover() == 1
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.recover() == 0
    assert deliver_message(message.pk) == "already handled" and len(mail.outbox) == 1


def test_NOT_5_a_message_held_by_a_worker_that_died_is_taken_again_after_the_lease_with_the_same_message_id(
        alice, settings, frozen_clock, django_capture_on_commit_callbacks):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    message = notice(alice)
    assert outbox.claim(message.pk) is not None  # a worker took it, then was killed
    assert deliver_message(message.pk) == "already handled"  # within the lease, nobody else sends it
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.recover() == 0
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.recover() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<mondossier-{message.pk}@mondossier.example>"


def test_NOT_1_a_text_message_carries_a_stable_reference_for_the_provider(alice, django_capture_on_commit_callbacks):
    from notifications.sms import LocmemSmsBackend

    from dossier import tokens
    from dossier.constants import TokenPurpose

    LocmemSmsBackend.outbox.clear()
    token = tokens.issue(professional=alice, purpose=TokenPurpose.CELL, target="+15145550177", moment=clock.now(), code="123456")
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.queue(professional=alice, channel=OutboundChannel.SMS, to=token.target, template="cellulaire_code",
                               context={"token_id": token.pk}, secret="123456")
    assert [(m.reference, "123456" in m.body) for m in LocmemSmsBackend.outbox] == [(f"mondossier-{message.pk}", True)]


def test_NOT_5_a_broker_that_is_down_does_not_turn_a_saved_change_into_an_error(alice, django_capture_on_commit_callbacks, monkeypatch,
                                                                               settings, frozen_clock):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_message, "apply_async", broker_down)
    frozen_clock(aware(2027, 3, 1, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        message = notice(alice)  # no exception reaches the caller
    message.refresh_from_db()
    assert message.status == OutboundStatus.QUEUED and mail.outbox == []
    monkeypatch.undo()
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=settings.OUTBOX_RECOVER_AFTER_SECONDS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.recover() == 1  # the broker is back: the sweep sends it
    assert len(mail.outbox) == 1


def test_NOT_1_an_error_that_retrying_cannot_fix_fails_at_once_and_is_shown(alice, settings, monkeypatch):
    message = notice(alice)

    def broken_template(*args, **kwargs):
        raise KeyError("count")

    monkeypatch.setattr(outbox, "render", broken_template)
    assert deliver_message(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.last_error, message.attempts) == (OutboundStatus.FAILED, "KeyError", 1)


def test_NOT_5_a_message_that_kills_its_worker_each_time_ends_failed_not_in_an_endless_loop(alice, settings, frozen_clock):
    start = aware(2027, 3, 1, 9, 0)
    frozen_clock(start)
    message = notice(alice)
    for attempt in range(settings.OUTBOX_MAX_ATTEMPTS):
        assert outbox.claim(message.pk) is not None  # taken... and the worker is killed (OOM) on it
        frozen_clock(start + timedelta(seconds=(attempt + 1) * (settings.OUTBOX_LEASE_SECONDS + 1)))
    assert outbox.claim(message.pk) is None
    message.refresh_from_db()
    assert (message.status, message.last_error) == (OutboundStatus.FAILED, "WorkerLost")


def test_NOT_5_a_worker_that_outlived_its_lease_does_not_undo_the_send_of_the_worker_that_took_over(alice, settings, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    message = notice(alice)
    slow = outbox.claim(message.pk)
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert deliver_message(message.pk) == "sent"  # another worker takes over and sends
    assert outbox.release_for_retry(slow, TimeoutError()) > 0  # the slow one times out at last...
    assert outbox.mark(slow, OutboundStatus.FAILED, "TimeoutError") is False
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and len(mail.outbox) == 1  # ...and changes nothing


def test_EML_5_a_notice_is_not_delivered_to_an_address_that_changed_since_the_sweep(alice, django_capture_on_commit_callbacks):
    message = notice(alice)
    alice.email, alice.email_activated_at = "nouvelle@example.com", None  # awaiting validation
    alice.save()
    assert deliver_message(message.pk) == "cancelled"
    assert mail.outbox == []


def test_NOT_1_a_failed_text_code_is_not_resent_and_staff_are_told_why(alice, agent, client):
    from dossier import tokens
    from dossier.constants import TokenPurpose

    token = tokens.issue(professional=alice, purpose=TokenPurpose.CELL, target="+15145550177", moment=clock.now(), code="123456")
    message = outbox.queue(professional=alice, channel=OutboundChannel.SMS, to=token.target, template="cellulaire_code",
                           context={"token_id": token.pk}, secret="123456")
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundStatus.FAILED)
    client.force_login(agent)
    page = client.post(reverse("admin:notifications_outboundmessage_changelist"),
                       {"action": "send_again", "_selected_action": [message.pk]}, follow=True).content.decode()
    assert "1 code par message texte ne peut pas être renvoyé\u00a0: le professionnel demande un nouveau code." in page
    message.refresh_from_db()
    assert message.status == OutboundStatus.FAILED


def test_NOT_1_only_staff_allowed_to_resend_can_resend(alice, client):
    from tests import factories

    viewer = factories.StaffFactory(username="lecteur")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_outboundmessage"))
    message = notice(alice)
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundStatus.FAILED)
    client.force_login(viewer)
    client.post(reverse("admin:notifications_outboundmessage_changelist"), {"action": "send_again", "_selected_action": [message.pk]})
    message.refresh_from_db()
    assert message.status == OutboundStatus.FAILED


def test_NOT_5_recovery_hands_back_every_lost_message_not_only_the_first_chunk(alice, settings, frozen_clock,
                                                                               django_capture_on_commit_callbacks):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    alice.email, alice.email_activated_at = "alice@example.com", clock.now()
    alice.save()
    for _ in range(5):
        outbox.queue(professional=alice, channel=OutboundChannel.EMAIL, to=alice.email, template="nouveau_message", context={"count": 1})
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=settings.OUTBOX_RECOVER_AFTER_SECONDS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.recover(chunk=2) == 5
    assert len(mail.outbox) == 5


def test_NOT_3_notices_go_to_the_bulk_queue_and_codes_never_wait_behind_them(alice, monkeypatch, django_capture_on_commit_callbacks):
    from dossier import tokens
    from dossier.constants import TokenPurpose

    queues = []
    monkeypatch.setattr(deliver_message, "apply_async", lambda args, queue=None, **kw: queues.append((args[0], queue)))
    with django_capture_on_commit_callbacks(execute=True):
        notice_row = notice(alice)
        token = tokens.issue(professional=alice, purpose=TokenPurpose.CELL, target="+15145550177", moment=clock.now(), code="123456")
        code_row = outbox.queue(professional=alice, channel=OutboundChannel.SMS, to=token.target, template="cellulaire_code",
                                context={"token_id": token.pk}, secret="123456")
    assert queues == [(notice_row.pk, "bulk"), (code_row.pk, None)]  # None: the default queue, "celery"


def _cell_code(alice, django_capture_on_commit_callbacks, *, execute: bool):
    from dossier import tokens
    from dossier.constants import TokenPurpose

    token = tokens.issue(professional=alice, purpose=TokenPurpose.CELL, target="+15145550177", moment=clock.now(), code="123456")
    with django_capture_on_commit_callbacks(execute=execute):
        return outbox.queue(professional=alice, channel=OutboundChannel.SMS, to=token.target, template="cellulaire_code",
                            context={"token_id": token.pk}, secret="123456")


def test_NOT_5_a_code_whose_worker_died_is_sent_by_its_task_delivered_again_after_the_lease(
        alice, settings, frozen_clock, django_capture_on_commit_callbacks):
    """Issue 16: the task that carries the code comes back after the lease instead of giving up."""
    from celery.exceptions import Retry

    from notifications.sms import LocmemSmsBackend

    LocmemSmsBackend.outbox.clear()
    frozen_clock(aware(2027, 3, 1, 9, 0))
    message = _cell_code(alice, django_capture_on_commit_callbacks, execute=False)
    assert outbox.claim(message.pk) is not None  # a worker took it, then was killed
    with pytest.raises(Retry):  # the broker delivers the task again: it waits for the lease
        deliver_message(message.pk, "123456")
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert deliver_message(message.pk, "123456") == "sent"
    assert [("123456" in m.body) for m in LocmemSmsBackend.outbox] == [True]


def test_NOT_5_a_message_whose_earlier_attempt_was_interrupted_is_never_marked_cancelled(
        alice, settings, frozen_clock, django_capture_on_commit_callbacks):
    """Issue 16: the provider may have accepted the interrupted attempt; the sweep cannot rebuild the
    code, and the message ends failed (visible to staff), not "Annulé (devenu inutile)"."""
    frozen_clock(aware(2027, 3, 1, 9, 0))
    message = _cell_code(alice, django_capture_on_commit_callbacks, execute=False)
    assert outbox.claim(message.pk) is not None  # the provider took the code, then the worker was killed
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert deliver_message(message.pk) == "failed"  # the sweep's task, without the code
    message.refresh_from_db()
    assert (message.status, message.last_error) == (OutboundStatus.FAILED, "WorkerLost")


def test_NOT_5_CEL_2_a_code_that_could_not_be_sent_is_said_at_once_on_the_confirmation_page(
        client, alice, settings, frozen_clock, django_capture_on_commit_callbacks):
    """Issue 16: the professional is told at once to ask for a new code, not left waiting for a text."""
    from dossier.constants import TokenState
    from dossier.models import VerificationToken

    frozen_clock(aware(2027, 3, 1, 9, 0))
    alice.cell_number, alice.cell_confirmed_at = "+15145550177", None
    alice.save()
    message = _cell_code(alice, django_capture_on_commit_callbacks, execute=False)
    assert outbox.claim(message.pk) is not None  # the worker died with the code
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert deliver_message(message.pk) == "failed"
    assert VerificationToken.objects.get(pk=message.context["token_id"]).state == TokenState.NOT_SENT
    client.force_login(alice.user)
    page = client.get(reverse("dossier:confirm_cell")).content.decode()
    assert "Le code n&#x27;a pas pu vous être envoyé par message texte. Demandez un nouveau code." in page
    assert "Envoyer un nouveau code" in page
