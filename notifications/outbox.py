"""Queue, claim and deliver outgoing messages (see notifications.models).

Delivery is at least once towards the provider and, with the claim, once in the normal course:

* `queue` writes the row in the caller's transaction and enqueues the task on commit (NOT-5);
* the task `claim`s the row with a conditional UPDATE: a second task for the same row does nothing;
* a transient failure puts the row back in the queue with its next attempt due after a backoff
  (settings.OUTBOX_RETRY_BASE_SECONDS, doubled each time, at most an hour); after OUTBOX_MAX_ATTEMPTS
  the row is 'failed', visible to staff, who may send it again from the admin;
* `recover` (a periodic sweep) hands rows to a worker again when their task was lost with the broker
  (a queued row long past its attempt) or died with its worker (a row taken longer ago than the lease).
  The one window left is a worker that dies after the provider accepted the message and before the row
  is marked sent: the message then goes again, with the same Message-ID (emails) or reference (texts),
  which providers use to drop the duplicate. Text codes travel only in the task: a code whose task was
  lost is not rebuilt (the professional asks for a new code). The task that carries a code, delivered
  again while the message is held by a worker that may have died, comes back after the lease to send
  it. A message whose earlier attempt was interrupted is never marked cancelled (it may have reached
  the provider): it is marked failed, visible to staff.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import translation

from dossier import tokens
from dossier.models import Professional
from notifications import renderers
from notifications.models import OutboundChannel, OutboundMessage, OutboundStatus
from notifications.sms import SmsMessage, get_backend
from ramq_portal import clock


# Messages nobody waits for, sent by thousands after a payment run: on the "bulk" queue, so that a cell
# code or a validation link never waits behind them.
BULK_TEMPLATES = frozenset({"nouveau_message"})


def dispatch(message_id: int, template: str, secret: str = "") -> None:
    """Enqueue the sending task of one message on its queue."""
    from notifications.tasks import deliver_message

    args = (message_id, secret) if secret else (message_id,)
    deliver_message.apply_async(args, queue="bulk" if template in BULK_TEMPLATES else None)


def after_commit(enqueue) -> None:
    """Enqueue tasks once the change is committed (NOT-5). A broker that is down must not turn a saved
    change into an error page: the failure is logged and the rows stay queued, for `recover`."""
    transaction.on_commit(enqueue, robust=True)


def queue(
    *, professional: Professional | None, channel: str, to: str, template: str, context: dict, secret: str = "",
    dedupe_key: str | None = None,
) -> OutboundMessage | None:
    """Write the message row now and enqueue its sending after commit. Returns None when a message
    with the same dedupe key was already queued (a reminder sent once)."""
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                professional=professional, channel=channel, to=to, template=template, context=context,
                language=getattr(professional, "language", "fr") or "fr", created_at=clock.now(), dedupe_key=dedupe_key,
                next_attempt_at=clock.now(),
            )
    except IntegrityError:
        return None
    after_commit(lambda: dispatch(message.pk, template, secret))
    return message


@dataclass(frozen=True)
class Outgoing:
    professional: Professional
    channel: str
    to: str
    template: str
    context: dict = field(default_factory=dict)


def queue_many(messages: list[Outgoing]) -> list[OutboundMessage]:
    """Write many rows in one INSERT (a sweep's notices) and enqueue their sending after commit."""
    moment = clock.now()
    rows = OutboundMessage.objects.bulk_create([
        OutboundMessage(professional=m.professional, channel=m.channel, to=m.to, template=m.template, context=m.context,
                        language=m.professional.language or "fr", created_at=moment, next_attempt_at=moment)
        for m in messages
    ])
    sends = [(row.pk, row.template) for row in rows]
    after_commit(lambda: [dispatch(pk, template) for pk, template in sends])
    return rows


def _lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _stale_claim(now) -> Q:
    """A message taken by a worker longer ago than the lease (that worker died, or hangs)."""
    lease_over = clock.add(now, -_lease())
    return Q(status=OutboundStatus.SENDING) & (Q(claimed_at__lt=lease_over) | Q(claimed_at__isnull=True, created_at__lt=lease_over))


def claim(message_id: int) -> OutboundMessage | None:
    """Take a queued message for sending, counting the attempt; None if another run already took or
    finished it. A message whose taker died is taken again after the lease; one that used up its
    attempts (a worker killed on it each time) is marked failed instead, visible to staff."""
    now = clock.now()
    claimable = Q(status=OutboundStatus.QUEUED) | _stale_claim(now)
    if not OutboundMessage.objects.filter(claimable, pk=message_id).update(status=OutboundStatus.SENDING, claimed_at=now,
                                                                           attempts=F("attempts") + 1):
        return None
    message = OutboundMessage.objects.select_related("professional").get(pk=message_id)
    if message.attempts > settings.OUTBOX_MAX_ATTEMPTS:
        mark(message, OutboundStatus.FAILED, message.last_error or "WorkerLost")
        return None
    return message


def in_flight(message_id: int) -> bool:
    """Whether a worker holds the message now (it may have died: see `claim` and the lease)."""
    return OutboundMessage.objects.filter(pk=message_id, status=OutboundStatus.SENDING).exists()


def backoff(attempts: int) -> int:
    """Seconds before the next attempt, after `attempts` failed ones."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def _held(message: OutboundMessage):
    """The row, only while this worker still holds it (fencing: a worker that outlived its lease must
    not overwrite what the worker that took over did)."""
    return OutboundMessage.objects.filter(pk=message.pk, status=OutboundStatus.SENDING, claimed_at=message.claimed_at)


def release_for_retry(message: OutboundMessage, error: Exception) -> int:
    """Put a message back in the queue after a failure; returns the delay before its next attempt."""
    delay = backoff(message.attempts)
    _held(message).update(status=OutboundStatus.QUEUED, last_error=type(error).__name__[:300],
                          next_attempt_at=clock.add(clock.now(), timedelta(seconds=delay)))
    return delay


def mark(message: OutboundMessage, status: str, error: str = "") -> bool:
    """Record the outcome of this worker's attempt; False if the message was taken over meanwhile. A
    text code that failed ends its token, so that the professional is told to ask for a new one."""
    fields = {"status": status, "last_error": error[:300]}
    if status == OutboundStatus.SENT:
        fields["sent_at"] = clock.now()
    marked = bool(_held(message).update(**fields))
    if marked and status == OutboundStatus.FAILED and message.template in NOT_RESENDABLE:
        tokens.mark_not_sent(message.context.get("token_id"), clock.now())
    return marked


def recover(*, chunk: int = 1000) -> int:
    """Hand lost messages to a worker again (see the module's note), all of them, by chunks; returns
    how many."""
    now = clock.now()
    overdue = clock.add(now, -timedelta(seconds=settings.OUTBOX_RECOVER_AFTER_SECONDS))
    lost = (Q(status=OutboundStatus.QUEUED) & (Q(next_attempt_at__lt=overdue) | Q(next_attempt_at__isnull=True, created_at__lt=overdue))
            | _stale_claim(now))
    total, after = 0, 0
    while True:
        sends = list(OutboundMessage.objects.filter(lost, pk__gt=after).order_by("pk").values_list("pk", "template")[:chunk])
        if not sends:
            return total
        after, total = sends[-1][0], total + len(sends)
        # Not handed again before another OUTBOX_RECOVER_AFTER_SECONDS, even if the workers are slow.
        OutboundMessage.objects.filter(pk__in=[pk for pk, _ in sends], status=OutboundStatus.QUEUED).update(next_attempt_at=now)
        after_commit(lambda sends=sends: [dispatch(pk, template) for pk, template in sends])


# A text code is never stored: a failed one cannot be sent again (the professional asks for a new code).
NOT_RESENDABLE = frozenset({"cellulaire_code"})


def resend(queryset) -> tuple[int, int]:
    """Staff send failed messages again (from the admin); returns (queued again, not resendable)."""
    failed = queryset.filter(status=OutboundStatus.FAILED)
    skipped = failed.filter(template__in=NOT_RESENDABLE).count()
    sends = []
    for pk, template in failed.exclude(template__in=NOT_RESENDABLE).values_list("pk", "template"):
        # One row at a time, and only while still failed: two staff clicking at once resend it once.
        if OutboundMessage.objects.filter(pk=pk, status=OutboundStatus.FAILED).update(
                status=OutboundStatus.QUEUED, attempts=0, next_attempt_at=clock.now(), last_error=""):
            sends.append((pk, template))
    after_commit(lambda: [dispatch(pk, template) for pk, template in sends])
    return len(sends), skipped


_ASCII_SPACES = re.compile(r"[ \t\r\n]+")


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
            # Only ASCII whitespace is collapsed: str.split() would also eat the French non-breaking spaces.
            subject=_ASCII_SPACES.sub(" ", render_to_string(f"{base}_subject.txt", context)).strip(),
            text=render_to_string(f"{base}_body.txt", context),
            html=render_to_string(f"{base}_body.html", context),
        )


def send(message: OutboundMessage, rendered: Rendered) -> None:
    if message.channel == OutboundChannel.SMS:
        get_backend().send(SmsMessage(to=message.to, body=rendered.text, reference=f"mondossier-{message.pk}"))
        return
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "mondossier.example"
    email = EmailMultiAlternatives(rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [message.to],
                                   headers={"Message-ID": f"<mondossier-{message.pk}@{domain}>"})
    email.attach_alternative(rendered.html, "text/html")
    email.send()
