"""Reads of the *Messagerie sécurisée* tab (a fixed number of queries per page)."""
from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import Http404

from dossier.models import Professional, User
from dossier.selectors import own_professional
from notifications.models import SecureMessage

PER_PAGE = 20


def inbox_for_user(user: User, page_number) -> tuple[Professional, Page]:
    """The signed-in professional's file and one page of their messages, newest first (3 queries: the
    file, the count, the page)."""
    professional = own_professional(user)
    messages = SecureMessage.objects.filter(professional=professional, from_professional=False).only("pk", "subject", "created_at", "read_at")
    paginator = Paginator(messages, PER_PAGE)
    return professional, paginator.get_page(page_number)


def sent_for_user(user: User, page_number) -> tuple[Professional, Page]:
    """The messages the professional wrote to the Régie, newest first, each with the status of the request
    it made (3 queries)."""
    professional = own_professional(user)
    messages = (SecureMessage.objects.filter(professional=professional, from_professional=True).select_related("request")
                .only("pk", "subject", "created_at", "request__status", "request__decided_at"))
    return professional, Paginator(messages, PER_PAGE).get_page(page_number)


def message_for_user(user: User, pk: int) -> tuple[Professional, SecureMessage]:
    """One of the professional's messages; 404 for anyone else's (DOS-5)."""
    professional = own_professional(user)
    message = SecureMessage.objects.filter(professional=professional, pk=pk).first()
    if message is None:
        raise Http404
    return professional, message
