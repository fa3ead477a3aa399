"""Secure messaging (NOT-2), both ways: reading state, conversations with the Régie, and staff replies.

A message the professional writes to the Régie is two rows written together: a request in the staff
queue (STF-1, kind `MessageToTheBoard`), and the message itself in the professional's sent folder. The
request begins a conversation (`SecureMessage.thread`); the decision of any request is announced in its
conversation too (notifications.receivers). An agent answers from the request's page: the reply is a
message in the professional's inbox, announced by email like any other (NOT-3), and answering closes
the request. The professional answers back from the message: a new request in the same conversation.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from dossier import backoffice, requests
from dossier.models import Professional, Request, User
from notifications.models import SecureMessage
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock


def mark_read(*, message: SecureMessage) -> bool:
    """Returns whether it was unread (one UPDATE, safe twice)."""
    if message.read_at is not None:
        return False
    message.read_at = clock.now()
    return bool(SecureMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at))


def mark_unread(*, message: SecureMessage) -> None:
    SecureMessage.objects.filter(pk=message.pk, from_professional=False).update(read_at=None)


def thread_of(request: Request) -> int:
    """The request that began the conversation `request` belongs to."""
    return request.payload.get("thread") or request.pk


def send_to_the_board(*, professional: Professional, subject: str, body: str, by: User | None,
                      in_thread: int | None = None) -> Request:
    """A message the professional writes to the Régie: a request in the staff queue (STF-1) and the
    message in their sent folder; `in_thread` answers an earlier conversation of theirs."""
    payload = {"subject": subject}
    if in_thread is not None and Request.objects.filter(pk=in_thread, professional=professional).exists():
        payload["thread"] = in_thread
    with transaction.atomic():
        request = requests.submit(professional=professional, kind=MessageToTheBoard.code, payload=payload, by=by)
        SecureMessage.objects.create(professional=professional, subject=subject, body=body, created_at=request.received_at,
                                     read_at=request.received_at, notice_due=False, from_professional=True,
                                     thread_id=thread_of(request), request=request)
    return request


def reply(*, request_id: int, body: str, by: User, close: bool) -> SecureMessage:
    """An agent writes to the professional in the conversation of a request; `close` also closes the
    request (a question answered). The message is announced by email (NOT-3)."""
    body = (body or "").strip()
    if not body:
        raise backoffice.DecisionRefused(gettext("Écrivez la réponse : elle est transmise au professionnel."))
    with transaction.atomic():
        request = Request.objects.select_for_update().select_related("professional").get(pk=request_id)
        professional = request.professional
        if not professional.is_enrolled:
            raise backoffice.DecisionRefused(gettext("Ce professionnel n'est pas inscrit aux services en ligne : il n'a pas de "
                                                     "messagerie sécurisée. Répondez-lui par la poste."))
        root = Request.objects.get(pk=thread_of(request))
        with translation.override(professional.language):
            subject = gettext("Réponse : %(subject)s") % {"subject": root.payload.get("subject") or root.get_kind_display()}
        message = SecureMessage.objects.create(professional=professional, subject=subject[:200], body=body, created_at=clock.now(),
                                               thread=root, author=by)
        if close and request.status in backoffice.OPEN:
            backoffice.accept(request_id=request.pk, by=by)
    return message


def conversation(message: SecureMessage) -> list[SecureMessage]:
    """The messages of `message`'s conversation, oldest first (itself alone when it has none)."""
    if message.thread_id is None:
        return [message]
    return list(SecureMessage.objects.filter(professional_id=message.professional_id, thread_id=message.thread_id)
                .select_related("request").order_by("created_at", "pk"))
