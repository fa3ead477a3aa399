"""Requests that staff review (STF-1): one model, a due date from the processing delay (SPEC §8)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction

from calendrier import paycalendar
from dossier.constants import RequestKind, RequestStatus
from dossier.models import Professional, Request, User
from ramq_portal import clock

# Processing delays (SPEC §8): 4 to 6 weeks for these forms (the due date is the outer bound); form
# 3102 "as soon as possible" (5 business days); requests made online: 10 business days.
WEEKS = {
    RequestKind.FORM_2914: 6, RequestKind.FORM_2404: 6, RequestKind.FORM_3018: 6, RequestKind.FORM_3005: 6,
    RequestKind.FORM_2788: 6,
}
BUSINESS_DAYS = {RequestKind.FORM_3102: 5}
DEFAULT_BUSINESS_DAYS = 10


def due_date_for(kind: str, received: date) -> date:
    if kind in WEEKS:
        return received + timedelta(weeks=WEEKS[kind])
    return paycalendar.add_business_days(received, BUSINESS_DAYS.get(kind, DEFAULT_BUSINESS_DAYS))


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
        request._change_reason = "Demande reçue"
        request.save()
    return request


def open_request_exists(*, professional: Professional, kind: str, payload_match: dict | None = None) -> bool:
    qs = Request.objects.filter(professional=professional, kind=kind, status__in=[RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS])
    if payload_match:
        qs = qs.filter(**{f"payload__{k}": v for k, v in payload_match.items()})
    return qs.exists()
