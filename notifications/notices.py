"""NOT-3: "a new message is in your secure messaging", by email to the activated address only (EML-5),
never with the message's content.

A sweep (every few minutes, and after a payment run) takes the professionals who have messages not yet
announced, marks those messages handled in one UPDATE and queues one email per professional: a payment
run that drops a statement and a deposit notice in an inbox sends one email, not two. A message is
handled once, so a sweep run twice, or by two workers at once, sends once.
"""
from __future__ import annotations

from collections import Counter

from django.db import transaction

from dossier.models import Professional
from notifications import outbox
from notifications.models import MessageNoticeRule, OutboundChannel, SecureMessage
from ramq_portal import clock


def set_rule(*, professional: Professional, enabled: bool) -> None:
    MessageNoticeRule.objects.update_or_create(professional=professional, defaults={"enabled": enabled, "updated_at": clock.now()})


def send_new_message_notices(*, batch_size: int = 500) -> int:
    """Returns how many emails were queued. Files are taken in id order, `batch_size` per transaction,
    with a fixed number of queries per batch; messages locked by a concurrent sweep are left to it."""
    pending = SecureMessage.objects.filter(notice_due=True, notice_handled_at__isnull=True)
    queued, after = 0, 0
    while True:
        ids = list(pending.filter(professional_id__gt=after).order_by("professional_id")
                   .values_list("professional_id", flat=True).distinct()[:batch_size])
        if not ids:
            return queued
        after = ids[-1]
        with transaction.atomic():
            taken = list(pending.filter(professional_id__in=ids).select_for_update(skip_locked=True).values_list("pk", "professional_id"))
            if not taken:
                continue
            counts = Counter(professional_id for _, professional_id in taken)
            SecureMessage.objects.filter(pk__in=[pk for pk, _ in taken]).update(notice_handled_at=clock.now())
            professionals = Professional.objects.filter(pk__in=counts).select_related("message_notice_rule").defer("sin")
            emails = [
                outbox.Outgoing(professional=professional, channel=OutboundChannel.EMAIL, to=professional.email,
                                template="nouveau_message", context={"count": counts[professional.pk]})
                for professional in professionals if _wants(professional)
            ]
            queued += len(outbox.queue_many(emails))


def _wants(professional: Professional) -> bool:
    """EML-5 and the professional's rule, from a file loaded with its rule."""
    try:
        enabled = professional.message_notice_rule.enabled
    except MessageNoticeRule.DoesNotExist:
        enabled = True
    return professional.has_activated_email and enabled
