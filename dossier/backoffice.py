"""The staff back office (STF-1, STF-2, BEY-7): the request queue and its decisions.

A request is taken (assigned) by an agent, then accepted or refused. What accepting applies, and what
the professional is told, belong to the request's kind (`dossier.kinds`), registered by the app that
owns the change: accepting a paper form goes through the very services of Mon dossier, so it gets the
same effective dates, validation links and notices as a change made online. A refusal needs a reason.
Every decision is told to the professional: `request_decided` carries the notice, and the notifications
app routes it (NOT-4) into the request's thread. A kind with four eyes (a bank-detail change typed from
paper, 2914) is prepared by an agent and approved by a supervisor who is not that agent. Decisions lock
the request's row, so two agents never decide it twice; the difference is kept as it was when decided.
"""
from __future__ import annotations

import json
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dossier import kinds, requests
from dossier.constants import RequestStatus
from dossier.exceptions import DossierError, StaleEdit
from dossier.kinds import Change, DecisionRefused
from dossier.models import Professional, Request, User
from dossier.signals import request_decided
from ramq_portal import clock

OPEN = requests.OPEN
SUPERVISOR_PERMISSION = "dossier.approve_request"
STALE = _("Le dossier a changé depuis la saisie de la demande : vérifiez la différence, puis refusez la demande ou saisissez "
          "le formulaire de nouveau.")

__all__ = ["OPEN", "Change", "DecisionRefused", "accept", "assign", "diff", "enter_paper_form", "refuse"]


def _locked(request_id: int) -> Request:
    return Request.objects.select_for_update().select_related("professional").get(pk=request_id)


def _save(request: Request, by: User | None, reason: str, fields: list[str]) -> None:
    request._history_user = by
    request._change_reason = reason
    request.save(update_fields=fields)


def assign(*, request_ids: list[int], agent: User, by: User) -> int:
    """Give open requests to `agent` ("assign to me" is `agent=by`); received ones become in progress."""
    count = 0
    with transaction.atomic():
        for request in Request.objects.select_for_update().filter(pk__in=request_ids, status__in=OPEN).order_by("pk"):
            request.agent = agent
            request.status = RequestStatus.IN_PROGRESS
            _save(request, by, "Demande assignée", ["agent", "status"])
            count += 1
    return count


def accept(*, request_id: int, by: User) -> str:
    """Accept (and apply) a request; returns "accepted", "recorded" (nothing to apply), or
    "awaiting_approval" when a second person must approve (four eyes). Raises DecisionRefused when the
    decision is not allowed."""
    with transaction.atomic():
        request = _locked(request_id)
        if request.status not in OPEN:
            raise DecisionRefused(_("Cette demande est déjà décidée."))
        kind = kinds.of(request.kind)
        moment = clock.now()
        if kind.four_eyes:
            if request.prepared_by_id is None:
                request.prepared_by, request.prepared_at = by, moment
                request.status = RequestStatus.IN_PROGRESS
                request.agent = request.agent or by
                _save(request, by, "Acceptation préparée, en attente d'approbation", ["prepared_by", "prepared_at", "status", "agent"])
                return "awaiting_approval"
            if by.pk in (request.prepared_by_id, entered_by(request)):
                raise DecisionRefused(_("Une autre personne doit approuver ce changement de coordonnées bancaires."))
            if not by.has_perm(SUPERVISOR_PERMISSION):
                raise DecisionRefused(_("Seul un superviseur peut approuver ce changement de coordonnées bancaires."))
        changes = kind.changes(request)
        outcome = _apply(kind, request, by)
        request.outcome = {**outcome, "changes": [change.as_list() for change in changes]}
        request.status, request.decided_at, request.decided_by, request.sensitive = RequestStatus.ACCEPTED, moment, by, ""
        _save(request, by, "Demande acceptée", ["status", "decided_at", "decided_by", "sensitive", "outcome"])
        with translation.override(request.professional.language):
            notice = kind.accepted_notice(request, outcome)
        if notice is not None:
            request_decided.send(sender=Request, request=request, notice=notice, correspondence=kind.correspondence)
    return "accepted" if kind.applies else "recorded"


def entered_by(request: Request) -> int | None:
    """Who recorded the request (the agent who keyed a paper form; None when the professional sent it)."""
    return request.history.order_by("history_date", "history_id").values_list("history_user_id", flat=True).first()


def _apply(kind: kinds.RequestKind, request: Request, by: User) -> dict:
    """Apply an accepted request; a rule of Mon dossier that refuses the change comes back as a message."""
    try:
        return kind.apply(request, by) or {}
    except StaleEdit as exc:
        raise DecisionRefused(STALE) from exc
    except DossierError as exc:
        raise DecisionRefused(_("Les règles de Mon dossier refusent ce changement : refusez la demande avec le motif.")) from exc
    except ObjectDoesNotExist as exc:
        raise DecisionRefused(_("Ce que vise la demande n'existe plus (un compte fermé, par exemple) : refusez-la avec ce motif.")) from exc


def refuse(*, request_id: int, reason: str, by: User) -> None:
    """Refuse a request with a reason, which is sent to the professional (NOT-4 routing)."""
    reason = (reason or "").strip()
    if not reason:
        raise DecisionRefused(_("Indiquez le motif du refus : il est transmis au professionnel."))
    with transaction.atomic():
        request = _locked(request_id)
        if request.status not in OPEN:
            raise DecisionRefused(_("Cette demande est déjà décidée."))
        kind = kinds.of(request.kind)
        request.outcome = {"changes": [change.as_list() for change in kind.changes(request)]}
        request.status, request.decided_at, request.decided_by, request.reason, request.sensitive = (
            RequestStatus.REFUSED, clock.now(), by, reason, "")
        _save(request, by, "Demande refusée", ["status", "decided_at", "decided_by", "reason", "sensitive", "outcome"])
        with translation.override(request.professional.language):
            notice = kind.refused_notice(request)
        request_decided.send(sender=Request, request=request, notice=notice, correspondence=kind.correspondence)


def enter_paper_form(*, professional: Professional, kind: str, payload: dict, sensitive: dict | None, received_on: date,
                     by: User) -> Request:
    """Record a paper form received on `received_on` (STF-2): a request in the queue, due by the form's delay."""
    return requests.submit(professional=professional, kind=kind, payload=payload, by=by,
                           received_at=clock.now().replace(year=received_on.year, month=received_on.month, day=received_on.day),
                           sensitive=json.dumps(sensitive) if sensitive else "")


def diff(request: Request) -> list[Change]:
    """What accepting the request changes in the file, line by line (BEY-7); once decided, the
    difference as it stood at the decision (the file has moved on since)."""
    if request.status not in OPEN and "changes" in (request.outcome or {}):
        return [Change(*row) for row in request.outcome["changes"]]
    return kinds.of(request.kind).changes(request)
