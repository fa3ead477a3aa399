"""The kinds of request whose change belongs to billing accounts (dossier.kinds): the paper forms 3102
(which also changes the file's coordinates), 2914, 2404, 2788, 3018 and 3005, a collective account's
letter, and the requests made in the Comptes tab (CPT-2, CPT-3). Each applies
through the same services as the Comptes tab; a rule of those services that refuses the change comes
back to the agent as a message (DecisionRefused)."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy as _, gettext_noop
from phonenumber_field.phonenumber import PhoneNumber

from calendrier import paycalendar
from comptes import accounts, mandataries, services
from comptes.constants import AccountRequest, MandataryRelation, PaymentMode, ReceptionMode, StatementOption
from comptes.exceptions import AgencyRefused, ComptesError, MandateRequired, NotAloneInCollective, StaleAccountEdit
from comptes.models import BillingAccount, BillingAgency, FinancialInstitution, SoftwareDeveloper
from comptes.selectors import live_account_addresses
from comptes.paper_forms import CollectiveLetter, Form2404, Form2788, Form2914, Form3005, Form3018, Form3102
from dossier import backoffice, dated, kinds, profile
from dossier.addresses import AddressInput
from dossier.constants import CorrespondenceKind, TelephoneKind
from dossier.exceptions import NoMainPlace, TooManyMessages
from dossier.kinds import Change, DecisionRefused, Notice
from dossier.models import PlaceOfPractice, Professional, Request, User
from dossier.request_kinds import address_text, latest_address
from ramq_portal import clock, writing


@contextmanager
def _rules():
    """The refusals of the Comptes services, said to the agent."""
    try:
        yield
    except StaleAccountEdit as exc:
        raise DecisionRefused(backoffice.STALE) from exc
    except AgencyRefused as exc:
        raise DecisionRefused(_("Cette agence ne peut pas être choisie : seule une ATD, une ISE ou l'agence privée du professionnel.")) from exc
    except MandateRequired as exc:
        raise DecisionRefused(_("Une ATD exige le formulaire 2788 (mandat) : refusez la demande ou joignez le mandat.")) from exc
    except NotAloneInCollective as exc:
        raise DecisionRefused(_("D'autres membres se sont joints au compte collectif : son adresse exige maintenant une lettre "
                                "signée par tous les membres.")) from exc
    except ComptesError as exc:
        raise DecisionRefused(_("Les règles de Mon dossier refusent ce changement : refusez la demande avec le motif.")) from exc


def _account_of(request: Request) -> BillingAccount | None:
    return BillingAccount.objects.filter(pk=request.payload.get("account_id")).select_related("statement_settings").first()


def _open_account(request: Request) -> BillingAccount:
    account = BillingAccount.objects.filter(pk=request.payload["account_id"], professional_id=request.professional_id,
                                            closed_at__isnull=True).first()
    if account is None:
        raise DecisionRefused(_("Ce compte de facturation est fermé depuis la saisie de la demande : refusez-la avec ce motif."))
    return account


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


def _telephone_text(kind: str, number: str, extension: str = "") -> str:
    text = writing.labelled(TelephoneKind(kind).label, PhoneNumber.from_string(number, region='CA').as_national)
    return text + (" " + gettext("poste %(extension)s") % {"extension": extension} if extension else "")


def _place_text(place) -> str:
    if place is None:
        return ""
    return "\n".join([place.name, *place.lines(), str(PhoneNumber.from_string(str(place.main_telephone), region="CA").as_national)])


@kinds.register
class CoordinatesForm(kinds.RequestKind):
    """Form 3102 (STF-7): the correspondence address (dated, PRO-5) of the file and of the individual
    administrative accounts it names, a telephone, the email (EML-7: the validation link), and the main
    place of practice; any part alone. Through the same services as the Profil tab, against the
    coordinates' versions of the day it was entered. Registered here, above dossier, since it changes
    the accounts' addresses too."""

    code = "3102"
    label = _("Formulaire 3102 (adresse, téléphone, courriel, lieu de pratique)")
    paper_form = Form3102
    business_days = 5  # SPEC §8: "as soon as possible"
    correspondence = CorrespondenceKind.AGREEMENT

    @staticmethod
    def _parts(request: Request) -> tuple[AddressInput | None, list[str], bool]:
        """The address written, the administrative accounts it goes to, and whether the file's goes too."""
        data = request.payload
        address = AddressInput.from_data(data) if data.get("with_address", True) else None
        numbers = list(data.get("accounts") or [])
        own = request.professional.professional_number
        for_file = address is not None and (not numbers or own in numbers)
        return address, [n for n in numbers if n != own], for_file

    @staticmethod
    def _telephones(professional: Professional, telephone: dict) -> list[profile.TelephoneInput]:
        """The file's telephones with the written one in place of the first of its type (or added)."""
        new = profile.TelephoneInput(kind=telephone["kind"], number=telephone["number"], extension=telephone.get("extension", ""))
        current = [profile.TelephoneInput(kind=t.kind, number=str(t.number), extension=t.extension) for t in professional.telephones.all()]
        at = next((i for i, t in enumerate(current) if t.kind == new.kind), None)
        return current[:at] + [new] + current[at + 1:] if at is not None else [*current, new]

    def apply(self, request: Request, by: User) -> dict:
        data = request.payload
        address, account_numbers, for_file = self._parts(request)
        professional = Professional.objects.get(pk=request.professional_id)
        outcome: dict = {}
        with transaction.atomic():
            telephone, email = data.get("telephone"), data.get("email") or None
            if for_file or telephone or email:
                current = latest_address(professional)
                try:
                    result = profile.update_correspondence(
                        professional=professional, expected_version=data.get("version", professional.correspondence_version),
                        address=address if for_file else None, declared_agency_address=bool(current and current.declared_agency_address),
                        telephones=self._telephones(professional, telephone) if telephone else None, cell=None, email=email, by=by,
                    )
                except TooManyMessages as exc:
                    raise DecisionRefused(_("Trop de liens de validation ont été envoyés récemment à cette adresse ou pour ce "
                                            "dossier : réessayez plus tard.")) from exc
                if result.address_effective_from:
                    outcome["address_effective_from"] = result.address_effective_from.isoformat()
            place = data.get("place")
            if place:
                try:
                    profile.change_main_place(
                        professional=professional, expected_version=data.get("practice_version", professional.practice_version),
                        name=place.get("name", ""), address=AddressInput.from_data(place["address"]) if place.get("address") else None,
                        telephone=place.get("telephone", ""), by=by)
                except NoMainPlace as exc:
                    raise DecisionRefused(_("Ce dossier n'a plus de lieu principal de pratique : le formulaire doit en donner le nom, "
                                            "l'adresse et le téléphone. Refusez-le avec ce motif.")) from exc
            effective = paycalendar.effective_date(clock.now())
            found = {a.number: a for a in BillingAccount.objects.select_for_update().filter(
                number__in=account_numbers, professional_id=request.professional_id, closed_at__isnull=True).order_by("pk")}
            for number in account_numbers:
                account = found.get(number)
                if account is None:
                    raise DecisionRefused(_("Le compte %(number)s est fermé depuis la saisie du formulaire : refusez-le avec ce motif.")
                                          % {"number": number})
                with _rules():
                    row = services.change_account_address(account=account, address=address, effective_from=effective, by=by,
                                                          reason=gettext_noop("Formulaire 3102 accepté"))
                if row is not None:
                    outcome.setdefault("accounts", {})[number] = row.effective_from.isoformat()
        return outcome

    def changes(self, request: Request) -> list[Change]:
        professional, data = request.professional, request.payload
        address, account_numbers, for_file = self._parts(request)
        changes = []
        if for_file:
            changes.append(Change(gettext("Adresse de correspondance"), address_text(latest_address(professional)), address_text(address)))
        if account_numbers:
            today = clock.today()
            for account in BillingAccount.objects.filter(number__in=account_numbers, professional=professional).prefetch_related(
                    live_account_addresses()):
                state = dated.split(account.correspondence_addresses.all(), today)
                changes.append(Change(gettext("Adresse de correspondance du compte %(number)s") % {"number": account.number},
                                      address_text(state.pending or state.in_force), address_text(address)))
        telephone = data.get("telephone")
        if telephone:
            before = next((t for t in professional.telephones.all() if t.kind == telephone["kind"]), None)
            changes.append(Change(gettext("Téléphone"), _telephone_text(before.kind, str(before.number), before.extension) if before else "",
                                  _telephone_text(telephone["kind"], telephone["number"], telephone.get("extension", ""))))
        if data.get("email"):
            changes.append(Change(gettext("Courriel"), professional.email, data["email"]))
        place = data.get("place")
        if place:
            main = professional.places_of_practice.filter(is_main=True).first()
            base = main or PlaceOfPractice(name="", main_telephone="")  # no main place: the form gives every part
            after = PlaceOfPractice(name=place.get("name") or base.name, main_telephone=place.get("telephone") or base.main_telephone)
            (AddressInput.from_data(place["address"]) if place.get("address") else AddressInput.of(base)).write_to(after)
            changes.append(Change(gettext("Lieu principal de pratique"), _place_text(main), _place_text(after)))
        return changes

    def accepted_notice(self, request: Request, outcome: dict) -> Notice:
        data = request.payload
        lines = [gettext("Votre formulaire 3102 reçu le %(date)s est accepté.") % {"date": kinds.received_on(request)}]
        if outcome.get("address_effective_from"):
            lines.append(gettext("Votre nouvelle adresse de correspondance entre en vigueur le %(date)s.") % {
                "date": writing.long_date(date.fromisoformat(outcome["address_effective_from"]))})
        for number, day in sorted((outcome.get("accounts") or {}).items()):
            lines.append(gettext("La nouvelle adresse de correspondance du compte %(number)s entre en vigueur le %(date)s.") % {
                "number": number, "date": writing.long_date(date.fromisoformat(day))})
        if data.get("telephone"):
            lines.append(gettext("Votre numéro de téléphone est changé."))
        if data.get("place"):
            lines.append(gettext("Les coordonnées de votre lieu principal de pratique sont changées."))
        if data.get("email"):
            lines.append(gettext("Un lien de validation est envoyé à votre nouvelle adresse de courriel : elle sert dès que vous l'avez validée."))
        return Notice(self.subject(), "\n".join(lines))


class AccountPaperKind(kinds.RequestKind):
    """A paper form about one billing account: 4 to 6 weeks (SPEC §8)."""

    weeks = 6

    def summary(self, request: Request) -> str:
        return gettext("Compte %(number)s") % {"number": request.payload.get("account_number", "")}


@kinds.register
class BankTransferForm(AccountPaperKind):
    """Form 2914: bank transfer, through the same service as the Comptes tab (PAI-4 effective date,
    BEY-4 notice). The signed form stands for the fresh confirmation; a supervisor approves (four eyes)."""

    code = "2914"
    label = _("Formulaire 2914 (virement bancaire)")
    paper_form = Form2914
    four_eyes = True
    correspondence = CorrespondenceKind.PAYMENTS

    def apply(self, request: Request, by: User) -> dict:
        data, secret = request.payload, json.loads(request.sensitive or "{}")
        account = _open_account(request)
        with _rules():
            row = accounts.change_payment(
                account=account, expected_version=data.get("account_version", account.version), mode=PaymentMode.TRANSFER,
                bank=accounts.BankDetails(institution=FinancialInstitution.objects.get(number=data["institution"]), transit=data["transit"],
                                          account_number=secret["account_number"]),
                personal_account_confirmed=bool(data.get("personal_account_confirmed", not account.is_personal)), fresh_confirmation=True,
                by=by,
            )
        return {"effective_from": row.effective_from.isoformat() if row is not None else ""}

    def changes(self, request: Request) -> list[Change]:
        account, data = _account_of(request), request.payload
        if account is None:
            return []
        state = accounts.payment_in_force(account, clock.today())
        current = state.pending or state.in_force
        after = f"{gettext('Virement bancaire')} {data['institution']}-{data['transit']} •••{data['last3']}"
        return [Change(gettext("Coordonnées de paiement du compte %(number)s") % {"number": account.number},
                       str(current) if current else gettext("Chèque"), after)]

    def accepted_notice(self, request: Request, outcome: dict) -> Notice:
        data = request.payload
        body = gettext("Votre formulaire 2914 reçu le %(date)s est accepté : les paiements du compte %(number)s seront versés par "
                       "virement bancaire dans le compte •••%(last3)s.") % {
            "date": kinds.received_on(request), "number": data.get("account_number", ""), "last3": data.get("last3", "")}
        if outcome.get("effective_from"):
            body += "\n" + gettext("Ce changement s'applique à compter du paiement du %(date)s.") % {
                "date": writing.long_date(date.fromisoformat(outcome["effective_from"]))}
        return Notice(self.subject(), body)


class StatementPaperKind(AccountPaperKind):
    """Forms 2404 (+ 2788) and 3018 (ETC-2..6): the statement's transmission, through the same service as
    the Comptes tab; ETC-3 (no other professional's private agency, the ATD mandate) may refuse it."""

    def apply(self, request: Request, by: User) -> dict:
        data = request.payload
        account = _open_account(request)
        settings_row = getattr(account, "statement_settings", None)
        if settings_row is None:
            raise DecisionRefused(_("Ce compte n'a pas d'adresse de transmission de l'état de compte."))
        with _rules():
            accounts.change_statement(
                account=account, expected_version=data.get("account_version", account.version), option=data["option"],
                agency=BillingAgency.objects.filter(transmission_number=data.get("agency")).first(),
                developer=SoftwareDeveloper.objects.filter(number=data.get("developer")).first(),
                reception_mode=data["reception_mode"], mandate_accepted=bool(data.get("mandate_accepted")),
                address=AddressInput.of(settings_row), by=by,
            )
        return {}

    def _after(self, data: dict) -> str:
        if data["option"] == StatementOption.AGENCY:
            chosen = str(BillingAgency.objects.filter(transmission_number=data.get("agency")).first() or data.get("agency"))
        else:
            developer = SoftwareDeveloper.objects.filter(number=data.get("developer")).first()
            chosen = gettext("agence privée avec %(developer)s") % {"developer": developer or data.get("developer")}
        return "\n".join(str(part) for part in (StatementOption(data["option"]).label, chosen, ReceptionMode(data["reception_mode"]).label,
                                                 gettext("mandat ATD accepté") if data.get("mandate_accepted") else "") if part)

    def changes(self, request: Request) -> list[Change]:
        account = _account_of(request)
        if account is None:
            return []
        return [Change(gettext("Coordonnées d'état de compte du compte %(number)s") % {"number": account.number},
                       _statement_text(getattr(account, "statement_settings", None)), self._after(request.payload))]

    def accepted_notice(self, request: Request, outcome: dict) -> Notice:
        return Notice(self.subject(), gettext(
            "Votre formulaire reçu le %(date)s est accepté : l'état de compte du compte %(number)s est maintenant transmis ainsi :\n%(how)s") % {
            "date": kinds.received_on(request), "number": request.payload.get("account_number", ""), "how": self._after(request.payload)})


@kinds.register
class AgencyForm(StatementPaperKind):
    code = "2404"
    label = _("Formulaire 2404 (accréditation)")
    paper_form = Form2404


@kinds.register
class SelfBillingForm(StatementPaperKind):
    code = "3018"
    label = _("Formulaire 3018 (accréditation)")
    paper_form = Form3018


@kinds.register
class AtdMandateForm(StatementPaperKind):
    code = "2788"
    label = _("Formulaire 2788 (mandat ATD)")
    paper_form = Form2788


@kinds.register
class MandataryForm(AccountPaperKind):
    """Form 3005 (MAN-1): the mandatary is recorded on the account."""

    code = "3005"
    label = _("Formulaire 3005 (mandataire)")
    paper_form = Form3005

    @staticmethod
    def _who(data: dict) -> str:
        relation = str(MandataryRelation(data["relation"]).label)
        agency = f" — {data['agency']}" if data.get("agency") else ""
        return f"{data['first_name']} {data['last_name']} ({relation}{agency})"

    def apply(self, request: Request, by: User) -> dict:
        data = request.payload
        agency = BillingAgency.objects.filter(transmission_number=data["agency"]).first() if data.get("agency") else None
        with _rules():
            mandataries.record(account=_open_account(request), first_name=data["first_name"], last_name=data["last_name"],
                               relation=data["relation"], agency=agency, by=by, reason=gettext_noop("Formulaire 3005 accepté"))
        return {}

    def changes(self, request: Request) -> list[Change]:
        account, data = _account_of(request), request.payload
        if account is None:
            return []
        current = ", ".join(f"{m.first_name} {m.last_name}" for m in account.mandataries.filter(ended_at__isnull=True))
        return [Change(gettext("Mandataires du compte %(number)s") % {"number": account.number}, current,
                       ", ".join(filter(None, [current, self._who(data)])))]

    def accepted_notice(self, request: Request, outcome: dict) -> Notice:
        data = request.payload
        return Notice(self.subject(), gettext("Votre formulaire 3005 reçu le %(date)s est accepté : %(who)s est inscrit comme mandataire "
                                              "du compte %(number)s.") % {
            "date": kinds.received_on(request), "who": f"{data['first_name']} {data['last_name']}", "number": data.get("account_number", "")})


class OpenAccount(kinds.RequestKind):
    """CPT-2: an administrative account, opened by staff at the professional's request."""

    collective = False

    def summary(self, request: Request) -> str:
        return request.payload.get("name", "")

    def apply(self, request: Request, by: User) -> dict:
        account = services.open_administrative_account(professional=request.professional, collective=self.collective,
                                                       name=request.payload["name"], by=by)
        return {"account_number": account.number, "group_number": account.group_number}

    def changes(self, request: Request) -> list[Change]:
        return [Change(gettext("Nouveau compte"), "", writing.labelled(self.label, request.payload.get('name', '')))]

    def accepted_notice(self, request: Request, outcome: dict) -> Notice:
        body = gettext("Votre demande reçue le %(date)s est acceptée : le compte « %(name)s » est ouvert sous le numéro %(number)s.") % {
            "date": kinds.received_on(request), "name": request.payload.get("name", ""), "number": outcome.get("account_number", "")}
        if outcome.get("group_number"):
            body += "\n" + gettext("Numéro de regroupement à donner aux membres qui s'y joindront : %(group)s.") % {"group": outcome["group_number"]}
        return Notice(self.subject(), body)


@kinds.register
class OpenIndividualAccount(OpenAccount):
    code = AccountRequest.OPEN_INDIVIDUAL
    label = _("Ouvrir un compte administratif individuel")


@kinds.register
class OpenCollectiveAccount(OpenAccount):
    code = AccountRequest.OPEN_COLLECTIVE
    label = _("Ouvrir un compte administratif collectif")
    collective = True


@kinds.register
class JoinCollective(kinds.RequestKind):
    code = AccountRequest.JOIN_COLLECTIVE
    label = _("Joindre le compte collectif d'un regroupement")

    def summary(self, request: Request) -> str:
        return gettext("Regroupement %(group)s") % {"group": request.payload.get("group_number", "")}

    def apply(self, request: Request, by: User) -> dict:
        try:
            membership = services.join_collective(professional=request.professional, group_number=request.payload["group_number"], by=by)
        except BillingAccount.DoesNotExist as exc:
            raise DecisionRefused(_("Aucun compte collectif ouvert ne porte ce numéro de regroupement : refusez la demande avec ce motif.")) from exc
        return {"account_number": membership.account.number, "account_name": membership.account.name}

    def changes(self, request: Request) -> list[Change]:
        group = BillingAccount.objects.filter(group_number=request.payload.get("group_number"), closed_at__isnull=True).first()
        return [Change(gettext("Membre du compte collectif"), "",
                       f"{request.payload.get('group_number')} — {group.name if group else gettext('introuvable')}")]

    def accepted_notice(self, request: Request, outcome: dict) -> Notice:
        return Notice(self.subject(), gettext("Votre demande reçue le %(date)s est acceptée : vous êtes membre du compte collectif "
                                              "%(number)s « %(name)s ».") % {
            "date": kinds.received_on(request), "number": outcome.get("account_number", ""), "name": outcome.get("account_name", "")})


@kinds.register
class CollectiveAddress(kinds.RequestKind):
    """CPT-3 / STF-7: the correspondence address of a collective account, from the date the group states:
    by a letter signed by every member (typed by an agent), or online by its only member."""

    code = AccountRequest.COLLECTIVE_ADDRESS
    label = _("Adresse d'un compte collectif (lettre)")
    paper_form = CollectiveLetter

    @staticmethod
    def _date(request: Request) -> date:
        """The date of the change the letter states (a request from before it was asked: its day)."""
        written = request.payload.get("date_of_change")
        return date.fromisoformat(written) if written else clock.quebec_date(request.received_at)

    def summary(self, request: Request) -> str:
        return gettext("Compte %(number)s") % {"number": request.payload.get("account", "")}

    def apply(self, request: Request, by: User) -> dict:
        with _rules():
            row = services.change_collective_address(
                account_number=request.payload["account"], professional=request.professional, address=AddressInput.from_data(request.payload),
                date_of_change=self._date(request), by_letter=bool(request.payload.get("letter")), by=by)
        return {"effective_from": row.effective_from.isoformat()} if row is not None else {}

    def changes(self, request: Request) -> list[Change]:
        data = request.payload
        group = BillingAccount.objects.filter(number=data.get("account")).first()
        state = dated.split(group.correspondence_addresses.filter(cancelled_at__isnull=True), clock.today()) if group else None
        before = address_text(state.pending or state.in_force) if state else ""
        after = address_text(AddressInput.from_data(data)) + "\n" + gettext("à compter du %(date)s") % {
            "date": writing.long_date(max(self._date(request), clock.today()))}
        return [Change(gettext("Adresse de correspondance du compte collectif %(number)s") % {"number": data.get("account")}, before, after)]

    def accepted_notice(self, request: Request, outcome: dict) -> Notice:
        day = date.fromisoformat(outcome["effective_from"]) if outcome.get("effective_from") else self._date(request)
        return Notice(self.subject(), gettext("Votre demande reçue le %(date)s est acceptée : la nouvelle adresse de correspondance du "
                                              "compte collectif %(number)s est en vigueur à compter du %(effective)s.") % {
            "date": kinds.received_on(request), "number": request.payload.get("account", ""), "effective": writing.long_date(day)})
