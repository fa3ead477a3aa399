"""The staff back office (STF-1, STF-2, BEY-7): the request queue and its decisions.

A request is taken (assigned) by an agent, then accepted or refused. Accepting applies the change
through the very services of Mon dossier (`dossier.profile`, `comptes.accounts`), so a paper form gets
the same effective dates, validation links and notices as a change made online. A refusal needs a
reason, sent to the professional by the routing service. A bank-detail change entered from a paper form
(2914) needs four eyes: the agent prepares the acceptance, a supervisor who is not that agent approves it,
and only then does it apply. Decisions lock the request's row, so two agents never decide it twice.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy as _

from dossier import dated, profile
from dossier.constants import CorrespondenceKind, ParticipationStatus, RequestKind, RequestStatus
from dossier.models import Professional, Request, User
from dossier.selectors import correspondence_address_on
from dossier.services import AddressInput
from ramq_portal import clock

OPEN = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)
FOUR_EYES = frozenset({RequestKind.FORM_2914})
SUPERVISOR_PERMISSION = "dossier.approve_request"
# INS-7: a 1378 takes effect 30 days after the notice.
FORM_1378_DAYS = 30

REFUSAL_KIND = {  # the kind of correspondence a refusal is (PRF-1); any other request: billing
    RequestKind.FORM_2914: CorrespondenceKind.PAYMENTS,
    RequestKind.FORM_3102: CorrespondenceKind.AGREEMENT,
    RequestKind.FORM_1378: CorrespondenceKind.AGREEMENT,
    RequestKind.SECURE_MESSAGE: CorrespondenceKind.AGREEMENT,
}


class DecisionRefused(Exception):
    """A decision that the rules do not allow; the message says why, in French."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Change:
    """One line of a request's before/after difference (BEY-7)."""

    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


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
    """Accept (and apply) a request; returns "accepted", or "awaiting_approval" when a second person
    must approve (four eyes). Raises DecisionRefused when the decision is not allowed."""
    with transaction.atomic():
        request = _locked(request_id)
        if request.status not in OPEN:
            raise DecisionRefused(_("Cette demande est déjà décidée."))
        moment = clock.now()
        if request.kind in FOUR_EYES:
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
        applier = APPLIERS.get(request.kind)
        if applier is not None:
            _apply(applier, request, by)
        request.status, request.decided_at, request.decided_by, request.sensitive = RequestStatus.ACCEPTED, moment, by, ""
        _save(request, by, "Demande acceptée", ["status", "decided_at", "decided_by", "sensitive"])
    return "accepted" if applier is not None else "recorded"


def entered_by(request: Request) -> int | None:
    """Who recorded the request (the agent who keyed a paper form; None when the professional sent it)."""
    return request.history.order_by("history_date", "history_id").values_list("history_user_id", flat=True).first()


def _apply(applier, request: Request, by: User) -> None:
    """Run an applier; a rule of Mon dossier that refuses the change comes back as a message."""
    from comptes.exceptions import AgencyRefused, ComptesError, MandateRequired, NotAloneInCollective, StaleAccountEdit
    from dossier.exceptions import DossierError, StaleEdit

    try:
        applier(request, by)
    except (StaleEdit, StaleAccountEdit) as exc:
        raise DecisionRefused(_("Le dossier a changé depuis la saisie de la demande : vérifiez la différence, puis refusez la "
                                "demande ou saisissez le formulaire de nouveau.")) from exc
    except AgencyRefused as exc:
        raise DecisionRefused(_("Cette agence ne peut pas être choisie : seule une ATD, une ISE ou l'agence privée du professionnel.")) from exc
    except MandateRequired as exc:
        raise DecisionRefused(_("Une ATD exige le formulaire 2788 (mandat) : refusez la demande ou joignez le mandat.")) from exc
    except NotAloneInCollective as exc:
        raise DecisionRefused(_("D'autres membres se sont joints au compte collectif : son adresse exige maintenant une lettre "
                                "signée par tous les membres.")) from exc
    except (ComptesError, DossierError) as exc:
        raise DecisionRefused(_("Les règles de Mon dossier refusent ce changement : refusez la demande avec le motif.")) from exc
    except ObjectDoesNotExist as exc:
        raise DecisionRefused(_("Ce que vise la demande n'existe plus (un compte fermé, par exemple) : refusez-la avec ce motif.")) from exc


def refuse(*, request_id: int, reason: str, by: User) -> None:
    """Refuse a request with a reason, which is sent to the professional (NOT-4 routing)."""
    from notifications import routing

    reason = (reason or "").strip()
    if not reason:
        raise DecisionRefused(_("Indiquez le motif du refus : il est transmis au professionnel."))
    with transaction.atomic():
        request = _locked(request_id)
        if request.status not in OPEN:
            raise DecisionRefused(_("Cette demande est déjà décidée."))
        request.status, request.decided_at, request.decided_by, request.reason, request.sensitive = (
            RequestStatus.REFUSED, clock.now(), by, reason, "")
        _save(request, by, "Demande refusée", ["status", "decided_at", "decided_by", "reason", "sensitive"])
        professional = request.professional
        with translation.override(professional.language):
            subject = gettext("Votre demande : %(kind)s") % {"kind": request.get_kind_display()}
            body = gettext("Votre demande reçue le %(date)s est refusée pour le motif suivant : %(reason)s") % {
                "date": clock.long_date(clock.quebec_date(request.received_at)), "reason": reason}
        routing.send(professional=professional, kind=REFUSAL_KIND.get(request.kind, CorrespondenceKind.BILLING), subject=subject, body=body)


# --- paper forms -------------------------------------------------------------------------------------------


def enter_paper_form(*, professional: Professional, kind: str, payload: dict, sensitive: dict | None, received_on: date,
                     by: User) -> Request:
    """Record a paper form received on `received_on` (STF-2): a request in the queue, due by the form's delay."""
    from dossier import requests

    return requests.submit(professional=professional, kind=kind, payload=payload, by=by,
                           received_at=clock.now().replace(year=received_on.year, month=received_on.month, day=received_on.day),
                           sensitive=json.dumps(sensitive) if sensitive else "")


def _apply_3102(request: Request, by: User) -> None:
    """Form 3102: address (dated, PRO-5), telephones kept, email (validation link, EML-7), through the
    same service as the Profil tab."""
    professional = Professional.objects.get(pk=request.professional_id)
    data = request.payload
    current = _latest_address(professional)
    if data.get("with_address", True):
        address = paper_address(data)
    else:
        address = AddressInput.of(current) if current is not None else None
    if address is None:
        raise DecisionRefused(_("Ce dossier n'a aucune adresse de correspondance : le formulaire doit en donner une."))
    telephones = [profile.TelephoneInput(kind=t.kind, number=str(t.number), extension=t.extension) for t in professional.telephones.all()]
    profile.update_correspondence(
        professional=professional, expected_version=data.get("version", professional.correspondence_version), address=address,
        declared_agency_address=bool(current and current.declared_agency_address), telephones=telephones,
        cell=str(professional.cell_number or ""), email=data.get("email") or professional.email, by=by,
    )


def paper_address(data: dict) -> AddressInput:
    """The address written on a paper form, as entered (abroad too, PRO-7)."""
    return AddressInput(line1=data.get("line1", ""), line2=data.get("line2", ""), city=data.get("city", ""), province=data.get("province", ""),
                        postal_code=data.get("postal_code", ""), region=data.get("region", ""), country=data.get("country") or "CA")


def _open_account(request: Request):
    from comptes.models import BillingAccount

    account = BillingAccount.objects.filter(pk=request.payload["account_id"], professional_id=request.professional_id,
                                            closed_at__isnull=True).first()
    if account is None:
        raise DecisionRefused(_("Ce compte de facturation est fermé depuis la saisie de la demande : refusez-la avec ce motif."))
    return account


def _apply_2914(request: Request, by: User) -> None:
    """Form 2914: bank transfer, through the same service as the Comptes tab (PAI-4 effective date,
    BEY-4 notice). The signed form stands for the fresh confirmation."""
    from comptes import accounts
    from comptes.constants import PaymentMode
    from comptes.models import FinancialInstitution

    data, secret = request.payload, json.loads(request.sensitive or "{}")
    account = _open_account(request)
    accounts.change_payment(
        account=account, expected_version=data.get("account_version", account.version), mode=PaymentMode.TRANSFER,
        bank=accounts.BankDetails(institution=FinancialInstitution.objects.get(number=data["institution"]), transit=data["transit"],
                                  account_number=secret["account_number"]),
        personal_account_confirmed=bool(data.get("personal_account_confirmed", not account.is_personal)), fresh_confirmation=True, by=by,
    )


def _apply_1378(request: Request, by: User) -> None:
    """Form 1378 (INS-7): non-participation or disengagement, 30 days after the notice."""
    professional = Professional.objects.select_for_update().get(pk=request.professional_id)
    professional.pending_participation_status = request.payload["status"]
    professional.pending_participation_from = date.fromisoformat(request.payload["notice_date"]) + timedelta(days=FORM_1378_DAYS)
    professional._history_user = by
    professional._change_reason = "Formulaire 1378 accepté"
    professional.save(update_fields=["pending_participation_status", "pending_participation_from"])
    apply_pending_participation(today=clock.today(), professional_ids=[professional.pk])


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


def _apply_accreditation(request: Request, by: User) -> None:
    """Forms 2404 (+ 2788) and 3018 (ETC-2..6): through the same service as the Comptes tab; the rules
    of ETC-3 (no other professional's private agency, the ATD mandate) refuse the decision with a message."""
    from comptes import accounts
    from comptes.models import BillingAgency, SoftwareDeveloper

    data = request.payload
    account = _open_account(request)
    settings_row = getattr(account, "statement_settings", None)
    address = AddressInput.of(settings_row) if settings_row else None
    if address is None:
        raise DecisionRefused(_("Ce compte n'a pas d'adresse de transmission de l'état de compte."))
    accounts.change_statement(
        account=account, expected_version=data.get("account_version", account.version), option=data["option"],
        agency=BillingAgency.objects.filter(transmission_number=data.get("agency")).first(),
        developer=SoftwareDeveloper.objects.filter(number=data.get("developer")).first(),
        reception_mode=data["reception_mode"], mandate_accepted=bool(data.get("mandate_accepted")), address=address, by=by,
    )


def _apply_3005(request: Request, by: User) -> None:
    """Form 3005 (MAN-1): the mandatary is recorded on the account."""
    from comptes import mandataries
    from comptes.models import BillingAgency

    data = request.payload
    agency = BillingAgency.objects.filter(transmission_number=data["agency"]).first() if data.get("agency") else None
    mandataries.record(account=_open_account(request), first_name=data["first_name"], last_name=data["last_name"],
                       relation=data["relation"], agency=agency, by=by, reason="Formulaire 3005 accepté")


def _apply_open_account(request: Request, by: User) -> None:
    from comptes import services as comptes_services

    comptes_services.open_administrative_account(professional=request.professional, collective=request.kind == RequestKind.OPEN_COLLECTIVE,
                                                 name=request.payload["name"], by=by)


def _apply_join(request: Request, by: User) -> None:
    from comptes import services as comptes_services
    from comptes.models import BillingAccount

    try:
        comptes_services.join_collective(professional=request.professional, group_number=request.payload["group_number"], by=by)
    except BillingAccount.DoesNotExist as exc:
        raise DecisionRefused(_("Aucun compte collectif ouvert ne porte ce numéro de regroupement : refusez la demande avec ce motif.")) from exc


def _apply_collective_address(request: Request, by: User) -> None:
    from comptes import services as comptes_services

    comptes_services.change_collective_address(account_number=request.payload["account"], professional=request.professional,
                                               address=request.payload, by=by)


APPLIERS = {
    RequestKind.FORM_3102: _apply_3102, RequestKind.FORM_2914: _apply_2914, RequestKind.FORM_1378: _apply_1378,
    RequestKind.OPEN_INDIVIDUAL: _apply_open_account, RequestKind.OPEN_COLLECTIVE: _apply_open_account,
    RequestKind.JOIN_COLLECTIVE: _apply_join, RequestKind.COLLECTIVE_ADDRESS: _apply_collective_address,
    RequestKind.FORM_2404: _apply_accreditation, RequestKind.FORM_2788: _apply_accreditation, RequestKind.FORM_3018: _apply_accreditation, RequestKind.FORM_3005: _apply_3005,
}


# --- the difference a request makes (BEY-7) -----------------------------------------------------------------


def _latest_address(professional: Professional):
    """The address the file will have: the pending one, or the one in force."""
    state = correspondence_address_on(professional, clock.today())
    return state.pending or state.in_force


def _address_text(address) -> str:
    return "\n".join(address.lines()) if address is not None else ""


def _statement_text(settings_row) -> str:
    if settings_row is None:
        return ""
    parts = [settings_row.get_option_display()]
    if settings_row.agency_id:
        parts.append(str(settings_row.agency))
    if settings_row.reception_mode:
        parts.append(settings_row.get_reception_mode_display())
    if settings_row.mandate_accepted:
        parts.append(gettext("mandat ATD accepté"))
    return "\n".join(parts)


def diff(request: Request) -> list[Change]:
    """What accepting the request would change in the file, line by line (BEY-7)."""
    from comptes.constants import MandataryRelation, ReceptionMode, StatementOption
    from comptes.models import BillingAccount, BillingAgency, SoftwareDeveloper, StatementSettings
    from dossier.models import CorrespondenceAddress

    professional, data, kind = request.professional, request.payload, request.kind
    if kind == RequestKind.FORM_3102:
        changes = []
        if data.get("with_address", True):
            after = CorrespondenceAddress(**vars(paper_address(data)))
            changes.append(Change(gettext("Adresse de correspondance"), _address_text(_latest_address(professional)), _address_text(after)))
        if data.get("email"):
            changes.append(Change(gettext("Courriel"), professional.email, data["email"]))
        return changes
    account = BillingAccount.objects.filter(pk=data.get("account_id")).select_related("statement_settings").first()
    if kind == RequestKind.FORM_2914 and account is not None:
        from comptes import accounts

        state = accounts.payment_in_force(account, clock.today())
        current = state.pending or state.in_force
        after = f"{gettext('Virement bancaire')} {data['institution']}-{data['transit']} •••{data['last3']}"
        return [Change(gettext("Coordonnées de paiement du compte %(number)s") % {"number": account.number},
                       str(current) if current else gettext("Chèque"), after)]
    if kind in (RequestKind.FORM_2404, RequestKind.FORM_2788, RequestKind.FORM_3018) and account is not None:
        if data["option"] == StatementOption.AGENCY:
            chosen = str(BillingAgency.objects.filter(transmission_number=data.get("agency")).first() or data.get("agency"))
        else:
            developer = SoftwareDeveloper.objects.filter(number=data.get("developer")).first()
            chosen = gettext("agence privée avec %(developer)s") % {"developer": developer or data.get("developer")}
        after = "\n".join(str(part) for part in (StatementOption(data["option"]).label, chosen, ReceptionMode(data["reception_mode"]).label,
                                                  gettext("mandat ATD accepté") if data.get("mandate_accepted") else "") if part)
        return [Change(gettext("Coordonnées d'état de compte du compte %(number)s") % {"number": account.number},
                       _statement_text(getattr(account, "statement_settings", None)), after)]
    if kind == RequestKind.FORM_3005 and account is not None:
        relation = str(MandataryRelation(data["relation"]).label)
        agency = f" — {data['agency']}" if data.get("agency") else ""
        current = ", ".join(f"{m.first_name} {m.last_name}" for m in account.mandataries.filter(ended_at__isnull=True))
        return [Change(gettext("Mandataires du compte %(number)s") % {"number": account.number}, current,
                       ", ".join(filter(None, [current, f"{data['first_name']} {data['last_name']} ({relation}{agency})"])))]
    if kind == RequestKind.FORM_1378:
        effective = date.fromisoformat(data["notice_date"]) + timedelta(days=FORM_1378_DAYS)
        return [Change(gettext("Statut de participation"), professional.get_participation_status_display(),
                       gettext("%(status)s à compter du %(date)s") % {
                           "status": ParticipationStatus(data["status"]).label, "date": clock.long_date(effective)})]
    if kind in (RequestKind.OPEN_INDIVIDUAL, RequestKind.OPEN_COLLECTIVE):
        return [Change(gettext("Nouveau compte"), "", f"{RequestKind(kind).label} : {data.get('name', '')}")]
    if kind == RequestKind.JOIN_COLLECTIVE:
        group = BillingAccount.objects.filter(group_number=data.get("group_number"), closed_at__isnull=True).first()
        return [Change(gettext("Membre du compte collectif"), "", f"{data.get('group_number')} — {group.name if group else gettext('introuvable')}")]
    if kind == RequestKind.COLLECTIVE_ADDRESS:
        group = BillingAccount.objects.filter(number=data.get("account")).select_related("statement_settings").first()
        before = _address_text(getattr(group, "statement_settings", None)) if group else ""
        after = StatementSettings(**vars(paper_address(data)))
        return [Change(gettext("Adresse du compte collectif %(number)s") % {"number": data.get("account")}, before, _address_text(after))]
    return [Change(str(key), "", str(value)) for key, value in data.items()]
