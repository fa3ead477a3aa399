import logging
import smtplib

from celery import shared_task

from notifications import outbox
from notifications.models import OutboundStatus
from notifications.sms import SmsDeliveryError

logger = logging.getLogger(__name__)

TRANSIENT = (smtplib.SMTPException, SmsDeliveryError, ConnectionError, TimeoutError, OSError)
MAX_RETRIES = 6


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_message(self, message_id: int, secret: str = "") -> str:
    """Send one outgoing message once: claimed by a conditional UPDATE, retried with backoff on a
    transient failure, marked failed (visible to staff) when retries are exhausted."""
    message = outbox.claim(message_id)
    if message is None:
        return "already handled"
    rendered = outbox.render(message, secret)
    if rendered is None:
        outbox.mark(message, OutboundStatus.CANCELLED)
        return "cancelled"
    try:
        outbox.send(message, rendered)
    except TRANSIENT as exc:
        if self.request.retries >= MAX_RETRIES:
            outbox.mark(message, OutboundStatus.FAILED, type(exc).__name__)
            logger.error("outbound message %s failed after %s attempts", message_id, message.attempts + 1)
            return "failed"
        outbox.release_for_retry(message, exc)
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600))
    outbox.mark(message, OutboundStatus.SENT)
    logger.info("outbound message %s sent (%s)", message_id, message.template)
    return "sent"


@shared_task
def payment_run() -> int:
    """Daily: on a payment date, one statement per open account (ETC-1); idempotent."""
    from notifications import payment_run as run

    return run.run_for_today()


@shared_task
def send_new_message_notices() -> int:
    """NOT-3: one email per professional with new messages in secure messaging (idempotent)."""
    from notifications.notices import send_new_message_notices as sweep

    return sweep()
