"""Requests that staff review (STF-1): one model, a due date from the kind's processing delay (SPEC §8)."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy, gettext_noop

from dossier import kinds
from dossier.constants import RequestStatus
from dossier.exceptions import IdenticalRequestOpen, TooManyRequests
from dossier.models import Professional, Request, User
from ramq_portal import clock

OPEN = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)
# Issue 16: what one file may send online (requests and messages to the Régie, which each create work for
# staff), however it is sent: the portal, the wizard. Paper forms staff enter are not counted.
ONLINE_LIMITS = ((timedelta(hours=1), 10), (timedelta(days=1), 30))
# What the professional reads when a request or a message cannot go (the services' callers show it).
TOO_MANY_REQUESTS = gettext_lazy("Vous avez envoyé beaucoup de demandes et de messages à la Régie aujourd'hui. Rien n'a été "
                                 "envoyé : réessayez plus tard, ou communiquez avec la Régie par téléphone.")


def due_date_for(kind: str, received: date) -> date:
    return kinds.of(kind).due_date(received)


def _fingerprint(kind: str, identity: dict | None) -> str | None:
    if not identity:
        return None
    return hashlib.sha256(json.dumps({"kind": kind, **identity}, sort_keys=True, default=str).encode()).hexdigest()


def submit(*, professional: Professional, kind: str, payload: dict, by: User | None, received_at: datetime | None = None,
           sensitive: str = "", identity: dict | None = None) -> Request:
    """Record a request for staff; the professional sees its status. A paper form gives the moment it
    was received (its due date counts from then) and what must stay encrypted (Request.sensitive).
    `identity` (the part of the payload that makes two requests the same) allows one such request open
    at a time: IdenticalRequestOpen otherwise, even for two sent at the same moment (the database's
    constraint decides)."""
    moment = received_at or clock.now()
    if received_at is None:
        for window, most in ONLINE_LIMITS:
            if Request.objects.filter(professional=professional, received_at__gt=moment - window).count() >= most:
                raise TooManyRequests(kind)
    try:
        with transaction.atomic():
            request = Request(
                professional=professional, kind=kind, payload=payload, status=RequestStatus.RECEIVED,
                received_at=moment, due_date=due_date_for(kind, clock.quebec_date(moment)), sensitive=sensitive,
                fingerprint=_fingerprint(kind, identity),
            )
            request._history_user = by
            request._change_reason = gettext_noop("Demande reçue")
            request.save()
    except IntegrityError as exc:
        if identity and Request.objects.filter(professional=professional, fingerprint=_fingerprint(kind, identity), status__in=OPEN).exists():
            raise IdenticalRequestOpen(kind) from exc
        raise
    return request


def open_request_exists(*, professional: Professional, kind: str, payload_match: dict | None = None) -> bool:
    qs = Request.objects.filter(professional=professional, kind=kind, status__in=OPEN)
    if payload_match:
        qs = qs.filter(**{f"payload__{k}": v for k, v in payload_match.items()})
    return qs.exists()
