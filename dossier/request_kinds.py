"""The kinds of request whose change belongs to the professional's file (dossier.kinds): paper form 1378
(participation), with the daily task that brings a 1378 into force. Form 3102 also changes the accounts'
addresses: it is registered by comptes (comptes/request_kinds.py)."""
from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy as _, gettext_noop

from dossier import dated, kinds
from dossier.constants import CorrespondenceKind, ParticipationStatus
from dossier.forms_backoffice import Form1378
from dossier.kinds import Change, Notice
from dossier.models import Professional, Request, User
from dossier.selectors import correspondence_address_on
from ramq_portal import clock, writing

# INS-7: a 1378 takes effect 30 days after the notice.
FORM_1378_DAYS = 30


def latest_address(professional: Professional):
    """The address the file will have: the pending one, or the one in force."""
    state = correspondence_address_on(professional, clock.today())
    return state.pending or state.in_force


def address_text(address) -> str:
    return "\n".join(address.lines()) if address is not None else ""


@kinds.register
class ParticipationForm(kinds.RequestKind):
    """Form 1378 (INS-7): non-participation or disengagement, 30 days after the notice."""

    code = "1378"
    label = _("Formulaire 1378 (non-participation ou désengagement)")
    paper_form = Form1378
    correspondence = CorrespondenceKind.AGREEMENT

    @staticmethod
    def effective(request: Request) -> date:
        return date.fromisoformat(request.payload["notice_date"]) + timedelta(days=FORM_1378_DAYS)

    def apply(self, request: Request, by: User) -> dict:
        professional = Professional.objects.select_for_update().get(pk=request.professional_id)
        professional.pending_participation_status = request.payload["status"]
        professional.pending_participation_from = self.effective(request)
        professional._history_user = by
        professional._change_reason = gettext_noop("Formulaire 1378 accepté")
        professional.save(update_fields=["pending_participation_status", "pending_participation_from"])
        apply_pending_participation(today=clock.today(), professional_ids=[professional.pk])
        return {}

    def changes(self, request: Request) -> list[Change]:
        return [Change(gettext("Statut de participation"), request.professional.get_participation_status_display(),
                       gettext("%(status)s à compter du %(date)s") % {
                           "status": ParticipationStatus(request.payload["status"]).label, "date": writing.long_date(self.effective(request))})]

    def accepted_notice(self, request: Request, outcome: dict) -> Notice:
        return Notice(self.subject(),
                      gettext("Votre avis du %(notice)s est accepté : vous êtes %(status)s à compter du %(date)s.") % {
                          "notice": writing.long_date(date.fromisoformat(request.payload["notice_date"])),
                          "status": str(ParticipationStatus(request.payload["status"]).label).lower(),
                          "date": writing.long_date(self.effective(request))})


def apply_pending_participation(*, today: date, professional_ids: list[int] | None = None) -> int:
    """The daily task: pending participation changes whose date has come take effect (idempotent)."""
    rows = Professional.objects.select_for_update(skip_locked=True).filter(pending_participation_from__lte=today)
    if professional_ids is not None:
        rows = rows.filter(pk__in=professional_ids)
    count = 0
    with transaction.atomic():
        for professional in rows:
            professional.participation_status = professional.pending_participation_status
            professional.pending_participation_status, professional.pending_participation_from = "", None
            professional._history_user = None
            professional._change_reason = dated.IN_FORCE_REASON
            professional.save(update_fields=["participation_status", "pending_participation_status", "pending_participation_from"])
            count += 1
    return count
