"""Secure messaging (NOT-2): reading state, and messages from the professional to the board."""
from __future__ import annotations

from dossier import requests
from dossier.constants import RequestKind
from dossier.models import Professional, Request, User
from notifications.models import SecureMessage
from ramq_portal import clock


def mark_read(*, message: SecureMessage) -> bool:
    """Returns whether it was unread (one UPDATE, safe twice)."""
    if message.read_at is not None:
        return False
    message.read_at = clock.now()
    return bool(SecureMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at))


def mark_unread(*, message: SecureMessage) -> None:
    SecureMessage.objects.filter(pk=message.pk).update(read_at=None)


def send_to_the_board(*, professional: Professional, subject: str, body: str, by: User | None) -> Request:
    """A message the professional writes to the Régie: a request in the staff queue (STF-1)."""
    return requests.submit(professional=professional, kind=RequestKind.SECURE_MESSAGE, payload={"subject": subject, "body": body}, by=by)
