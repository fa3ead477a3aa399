"""Turn the dossier's domain events into outgoing messages (inside the same transaction)."""
from django.core import signing
from django.dispatch import receiver

from dossier.signals import cell_code_issued, email_replaced, email_validation_requested
from notifications import outbox
from notifications.models import OutboundChannel

REPORT_SALT = "notifications.report-email-change"


@receiver(email_validation_requested)
def _queue_validation_email(sender, token, reminder=False, **kwargs):
    outbox.queue(
        professional=token.professional, channel=OutboundChannel.EMAIL, to=token.target,
        template="courriel_rappel" if reminder else "courriel_validation", context={"token_id": token.pk},
        dedupe_key=f"rappel:{token.pk}" if reminder else None,
    )


@receiver(email_replaced)
def _queue_replacement_notice(sender, professional, previous_email, **kwargs):
    """BEY-3: tell the previous activated address, with a way to report that it was not them."""
    report_key = signing.dumps({"p": professional.pk, "e": previous_email}, salt=REPORT_SALT, compress=True)
    outbox.queue(
        professional=professional, channel=OutboundChannel.EMAIL, to=previous_email, template="courriel_remplace",
        context={"report_key": report_key},
    )


@receiver(cell_code_issued)
def _queue_cell_code(sender, token, code, **kwargs):
    outbox.queue(
        professional=token.professional, channel=OutboundChannel.SMS, to=token.target, template="cellulaire_code",
        context={"token_id": token.pk}, secret=code,
    )
