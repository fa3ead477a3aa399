"""Requests that staff review (STF-1): one model, a due date from the kind's processing delay (SPEC §8)."""
from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext_noop

from dossier import kinds
from dossier.constants import RequestStatus
from dossier.models import Professional, Request, User
from ramq_portal import clock

OPEN = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


def due_date_for(kind: str, received: date) -> date:
    return kinds.of(kind).due_date(received)


def submit(*, professional: Professional, kind: str, payload: dict, by: User | None, received_at: datetime | None = None,
           sensitive: str = "") -> Request:
    """Record a request for staff; the professional sees its status. A paper form gives the moment it
    was received (its due date counts from then) and what must stay encrypted (Request.sensitive)."""
    moment = received_at or clock.now()
    with transaction.atomic():
        request = Request(
            professional=professional, kind=kind, payload=payload, status=RequestStatus.RECEIVED,
            received_at=moment, due_date=due_date_for(kind, clock.quebec_date(moment)), sensitive=sensitive,
        )
        request._history_user = by
        request._change_reason = gettext_noop("Demande reçue")
        request.save()
    return request


def open_request_exists(*, professional: Professional, kind: str, payload_match: dict | None = None) -> bool:
    qs = Request.objects.filter(professional=professional, kind=kind, status__in=OPEN)
    if payload_match:
        qs = qs.filter(**{f"payload__{k}": v for k, v in payload_match.items()})
    return qs.exists()
