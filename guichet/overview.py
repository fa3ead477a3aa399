"""A professional's whole file on one staff page (STF-6): coordinates in force and pending, accounts with
their payment, statement and correspondence settings (bank numbers masked), open requests, the latest
secure messages and the latest changes. A fixed number of queries, whatever the size of the file: each
list is one query (or one prefetch), and the long ones are cut, with a link to the full list."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from heapq import merge

from comptes.models import BillingAccount
from comptes.selectors import accounts_with_addresses
from dossier import dated, kinds
from dossier.constants import EmailStatus
from dossier.backoffice import OPEN
from dossier.models import CorrespondenceAddress, CorrespondencePreference, PlaceOfPractice, Professional, Request, Telephone
from dossier.selectors import correspondence_address_on, email_status, preference_lines, professional_file
from notifications.models import SecureMessage
from ramq_portal import clock

LATEST = 10  # messages and changes shown; the rest are one link away


@dataclass(frozen=True)
class AccountLine:
    account: BillingAccount
    payment: dated.InForce
    address: dated.InForce


@dataclass(frozen=True)
class ChangeLine:
    when: datetime
    what: str
    how: str
    by: str


def _changes(professional: Professional) -> list[ChangeLine]:
    """The latest changes to the file's own rows, newest first, from their change history (one query each)."""
    sources = [
        (Professional, Professional.history.filter(id=professional.pk)),
        (CorrespondenceAddress, CorrespondenceAddress.history.filter(professional_id=professional.pk)),
        (Telephone, Telephone.history.filter(professional_id=professional.pk)),
        (PlaceOfPractice, PlaceOfPractice.history.filter(professional_id=professional.pk)),
        (CorrespondencePreference, CorrespondencePreference.history.filter(professional_id=professional.pk)),
    ]
    streams = []
    for model, records in sources:
        rows = records.select_related("history_user").order_by("-history_date")[:LATEST]
        streams.append([ChangeLine(when=r.history_date, what=str(model._meta.verbose_name), how=r.get_history_type_display(),
                                   by=(r.history_user.get_full_name() or r.history_user.get_username()) if r.history_user else "")
                        for r in rows])
    return list(merge(*streams, key=lambda line: line.when, reverse=True))[:LATEST]


def file_at_a_glance(pk: int) -> dict:
    """Everything the overview page shows, as template context."""
    professional = professional_file(pk)
    today = clock.today()
    accounts = [AccountLine(account=a, payment=dated.split(a.payment_settings.all(), today),
                            address=dated.split(a.correspondence_addresses.all(), today))
                for a in accounts_with_addresses(professional)]
    requests = list(Request.objects.filter(professional=professional, status__in=OPEN).select_related("agent").order_by("due_date", "pk"))
    messages = list(SecureMessage.objects.filter(professional=professional).select_related("author").order_by("-created_at")[:LATEST])
    return {
        "professional": professional,
        "address": correspondence_address_on(professional, today),
        "email_status": EmailStatus(email_status(professional)).label,
        "preferences": preference_lines(professional, today),
        "accounts": accounts,
        "requests": [(request, kinds.of(request.kind).summary(request)) for request in requests],
        "secure_messages": messages,
        "changes": _changes(professional),
    }
