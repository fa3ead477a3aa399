"""Queue, claim and deliver outgoing messages (see notifications.models)."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from dossier.models import Professional
from notifications import renderers
from notifications.models import OutboundChannel, OutboundMessage, OutboundStatus
from notifications.sms import SmsMessage, get_backend
from ramq_portal import clock


def queue(
    *, professional: Professional | None, channel: str, to: str, template: str, context: dict, secret: str = "",
    dedupe_key: str | None = None,
) -> OutboundMessage | None:
    """Write the message row now and enqueue its sending after commit. Returns None when a message
    with the same dedupe key was already queued (a reminder sent once)."""
    from notifications.tasks import deliver_message

    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                professional=professional, channel=channel, to=to, template=template, context=context,
                language=getattr(professional, "language", "fr") or "fr", created_at=clock.now(), dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None
    args = (message.pk, secret) if secret else (message.pk,)
    transaction.on_commit(lambda: deliver_message.delay(*args))
    return message


def claim(message_id: int) -> OutboundMessage | None:
    """Take a queued message for sending; None if another run already took or finished it."""
    claimed = OutboundMessage.objects.filter(pk=message_id, status=OutboundStatus.QUEUED).update(status=OutboundStatus.SENDING)
    if not claimed:
        return None
    return OutboundMessage.objects.select_related("professional").get(pk=message_id)


def release_for_retry(message: OutboundMessage, error: Exception) -> None:
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundStatus.QUEUED, attempts=message.attempts + 1, last_error=type(error).__name__[:300]
    )


def mark(message: OutboundMessage, status: str, error: str = "") -> None:
    fields = {"status": status, "last_error": error[:300]}
    if status == OutboundStatus.SENT:
        fields["sent_at"] = clock.now()
        fields["attempts"] = message.attempts + 1
    OutboundMessage.objects.filter(pk=message.pk).update(**fields)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(message: OutboundMessage, secret: str = "") -> Rendered | None:
    """The message's content in its language, or None when it became pointless (a dead link)."""
    context = renderers.build(message, secret)
    if context is None:
        return None
    base = f"notifications/{message.channel}/{message.template}"
    with translation.override(message.language):
        if message.channel == OutboundChannel.SMS:
            return Rendered(subject="", text=render_to_string(f"{base}.txt", context).strip(), html="")
        return Rendered(
            subject=" ".join(render_to_string(f"{base}_subject.txt", context).split()),
            text=render_to_string(f"{base}_body.txt", context),
            html=render_to_string(f"{base}_body.html", context),
        )


def send(message: OutboundMessage, rendered: Rendered) -> None:
    if message.channel == OutboundChannel.SMS:
        get_backend().send(SmsMessage(to=message.to, body=rendered.text))
        return
    email = EmailMultiAlternatives(rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [message.to])
    email.attach_alternative(rendered.html, "text/html")
    email.send()
