"""NOT-3: "a new message is in your secure messaging", by email to the activated address only (EML-5),
never with the message's content.

A sweep (every few minutes, and after a payment run) takes the professionals who have messages not yet
announced, marks those messages handled in one UPDATE and queues one email per professional: a payment
run that drops a statement and a deposit notice in an inbox sends one email, not two. A message is
handled once, so a sweep run twice, or by two workers at once, sends once.
"""
from __future__ import annotations

from django.db import transaction

from dossier.models import Professional
from notifications import outbox
from notifications.models import MessageNoticeRule, OutboundChannel, SecureMessage
from ramq_portal import clock


def wants_notice(professional: Professional) -> bool:
    rule = MessageNoticeRule.objects.filter(professional=professional).first()
    return professional.has_activated_email and (rule is None or rule.enabled)


def set_rule(*, professional: Professional, enabled: bool) -> None:
    MessageNoticeRule.objects.update_or_create(professional=professional, defaults={"enabled": enabled, "updated_at": clock.now()})


def send_new_message_notices(*, batch_size: int = 500) -> int:
    """Returns how many emails were queued."""
    pending = SecureMessage.objects.filter(notice_due=True, notice_handled_at__isnull=True)
    queued = 0
    for professional_id in list(pending.order_by().values_list("professional_id", flat=True).distinct()[:batch_size]):
        now = clock.now()
        with transaction.atomic():
            count = pending.filter(professional_id=professional_id).update(notice_handled_at=now)
            if not count:
                continue  # another run took them
            professional = Professional.objects.get(pk=professional_id)
            if wants_notice(professional):
                outbox.queue(professional=professional, channel=OutboundChannel.EMAIL, to=professional.email, template="nouveau_message",
                             context={"count": count})
                queued += 1
    return queued
