import logging
import smtplib

from celery import shared_task
from django.conf import settings

from notifications import outbox
from notifications.models import OutboundStatus
from notifications.sms import SmsDeliveryError

logger = logging.getLogger(__name__)

TRANSIENT = (smtplib.SMTPException, SmsDeliveryError, ConnectionError, TimeoutError, OSError)


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_message(self, message_id: int, secret: str = "") -> str:
    """Send one outgoing message once: claimed by a conditional UPDATE (which counts the attempt),
    retried with backoff on a transient failure, marked failed (visible to staff) after
    settings.OUTBOX_MAX_ATTEMPTS attempts or at once on an error that retrying cannot fix."""
    message = outbox.claim(message_id)
    if message is None:
        if secret and outbox.in_flight(message_id):
            # Issue 16: the task that carries a text code, delivered again while the worker that took
            # the message may have died: it comes back once the lease is over and sends the code then,
            # instead of leaving the message to a sweep that cannot rebuild the code.
            raise self.retry(countdown=settings.OUTBOX_LEASE_SECONDS + 1)
        return "already handled"
    try:
        rendered = outbox.render(message, secret)
        if rendered is None:
            if message.attempts > 1:
                # An earlier attempt was interrupted and may have reached the provider: never "cancelled".
                outbox.mark(message, OutboundStatus.FAILED, "WorkerLost")
                return "failed"
            outbox.mark(message, OutboundStatus.CANCELLED)
            return "cancelled"
        outbox.send(message, rendered)
    except TRANSIENT as exc:
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            outbox.mark(message, OutboundStatus.FAILED, type(exc).__name__)
            logger.error("outbound message %s failed after %s attempts", message_id, message.attempts)
            return "failed"
        delay = outbox.release_for_retry(message, exc)
        logger.warning("outbound message %s: attempt %s failed (%s), next in %s s", message_id, message.attempts,
                       type(exc).__name__, delay)
        raise self.retry(exc=exc, countdown=delay) from exc
    except Exception as exc:  # a template or data error: retrying would fail the same way
        outbox.mark(message, OutboundStatus.FAILED, type(exc).__name__)
        logger.exception("outbound message %s failed (%s)", message_id, type(exc).__name__)
        return "failed"
    outbox.mark(message, OutboundStatus.SENT)
    logger.info("outbound message %s sent (%s)", message_id, message.template)
    return "sent"


@shared_task
def recover_outbound_messages() -> int:
    """Every few minutes: hand again to a worker the messages whose task was lost (broker or worker died)."""
    return outbox.recover()


@shared_task(acks_late=True)
def payment_run() -> int:
    """Hourly: runs each due payment date (ETC-1, NOT-2), or finishes one that was stopped; idempotent."""
    from notifications import payment_run as run

    return run.run_due()


@shared_task
def send_new_message_notices() -> int:
    """NOT-3: one email per professional with new messages in secure messaging (idempotent)."""
    from notifications.notices import send_new_message_notices as sweep

    return sweep()
