"""Paper forms typed by an agent (STF-2): 3102 (coordinates, and the addresses of the accounts it names),
2914, 2404, 2788, 3018, 3005 (one billing account each), and a collective account's letter (CPT-3)."""
from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import LazyTypedChoiceField
from localflavor.ca.ca_provinces import PROVINCE_CHOICES
from phonenumber_field.formfields import PhoneNumberField

from comptes import mandataries
from comptes.constants import AccountKind, AgencyType, MandataryRelation, ReceptionMode, StatementOption
from comptes.models import BillingAccount, BillingAgency, FinancialInstitution, SoftwareDeveloper
from dossier import profile
from dossier.addresses import FIELDS, AddressInput, country_choices
from dossier.constants import TelephoneKind
from dossier.exceptions import NoMainPlace
from dossier.forms import AddressForm
from dossier.forms_backoffice import PaperForm
from ramq_portal.text import PlainTextForm


class AccountPaperForm(PaperForm):
    """A paper form about one of the professional's billing accounts."""

    account_number_billing = forms.CharField(label=_("Numéro du compte de facturation"), max_length=12)

    def clean(self):
        data = super().clean()
        professional = getattr(self, "professional", None)
        number = data.get("account_number_billing")
        if professional is not None and number:
            self.account = BillingAccount.objects.filter(professional=professional, number=number, closed_at__isnull=True).first()
            if self.account is None:
                self.add_error("account_number_billing", _("Ce professionnel n'a pas de compte ouvert portant ce numéro."))
        return data

    def account_payload(self) -> dict:
        """The account, and its version when the form was entered (see Form3102.payload)."""
        return {"account_id": self.account.pk, "account_number": self.account.number, "account_version": self.account.version}


class Form2914(AccountPaperForm):
    """Form 2914: payment by bank transfer (PAI-6). The account number is kept encrypted until decided."""

    institution = forms.RegexField(label=_("Institution financière"), regex=r"\A[0-9]{3}\Z",
                                   error_messages={"invalid": _("Entrez les 3 chiffres de l'institution.")})
    transit = forms.RegexField(label=_("Numéro de succursale (transit)"), regex=r"\A[0-9]{5}\Z",
                               error_messages={"invalid": _("Entrez les 5 chiffres du transit.")})
    bank_account = forms.RegexField(label=_("Numéro de compte bancaire"), regex=r"\A[0-9]{7,12}\Z",
                                    error_messages={"invalid": _("Entrez de 7 à 12 chiffres.")})
    personal_account_confirmed = forms.BooleanField(
        label=_("Pour Finances personnelles : le formulaire atteste un compte personnel au nom du professionnel"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("institution") and not FinancialInstitution.objects.filter(number=data["institution"]).exists():
            self.add_error("institution", _("Institution financière inconnue."))
        account = getattr(self, "account", None)
        if account is not None and account.is_personal and not data.get("personal_account_confirmed"):  # PAI-2
            self.add_error("personal_account_confirmed",
                           _("Finances personnelles : le compte bancaire doit être un compte personnel au nom du professionnel."))
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        return {**self.account_payload(), "institution": data["institution"], "transit": data["transit"],
                "last3": data["bank_account"][-3:], "personal_account_confirmed": data["personal_account_confirmed"]}

    def sensitive(self) -> dict:
        return {"account_number": self.cleaned_data["bank_account"]}


class Form2404(AccountPaperForm):
    """Form 2404 (ETC-2 a): billing by an existing agency; with form 2788 when it is an ATD (ETC-3)."""

    transmission_number = forms.RegexField(label=_("Numéro de transmission de l'agence"), regex=r"\A[0-9]{5}\Z",
                                           error_messages={"invalid": _("Entrez les 5 chiffres du numéro de transmission.")})
    reception_mode = forms.ChoiceField(label=_("Mode de réception de l'état de compte"), choices=ReceptionMode.choices)
    mandate_accepted = forms.BooleanField(label=_("Formulaire 2788 joint (mandat à une ATD)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("transmission_number"):
            self.agency = BillingAgency.objects.filter(transmission_number=data["transmission_number"], is_active=True).first()
            if self.agency is None:
                self.add_error("transmission_number", _("Aucune agence active ne porte ce numéro de transmission."))
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        return {**self.account_payload(), "option": StatementOption.AGENCY,
                "agency": self.agency.transmission_number, "reception_mode": data["reception_mode"],
                "mandate_accepted": data["mandate_accepted"]}


class Form2788(AccountPaperForm):
    """Form 2788 (ETC-3): the mandate given to a commercial data-processing agency (ATD), on its own for
    an account whose statements that ATD already handles, or sent later than the 2404."""

    transmission_number = forms.RegexField(label=_("Numéro de transmission de l'ATD"), regex=r"\A[0-9]{5}\Z",
                                           error_messages={"invalid": _("Entrez les 5 chiffres du numéro de transmission.")})

    def clean(self):
        data = super().clean()
        if data.get("transmission_number"):
            self.agency = BillingAgency.objects.filter(transmission_number=data["transmission_number"], is_active=True,
                                                       agency_type=AgencyType.ATD).first()
            if self.agency is None:
                self.add_error("transmission_number", _("Aucune ATD active ne porte ce numéro de transmission."))
        return data

    def payload(self) -> dict:
        settings_row = getattr(self.account, "statement_settings", None)
        return {**self.account_payload(), "option": StatementOption.AGENCY, "agency": self.agency.transmission_number,
                "reception_mode": (settings_row.reception_mode if settings_row and settings_row.reception_mode else ReceptionMode.TELECOM),
                "mandate_accepted": True}


class Form3018(AccountPaperForm):
    """Form 3018 (ETC-2 b): self-billing with a recognised software developer (a private agency is created)."""

    developer_number = forms.RegexField(label=_("Numéro du développeur de logiciels"), regex=r"\A[0-9]{5}\Z",
                                        error_messages={"invalid": _("Entrez les 5 chiffres du numéro de développeur.")})
    reception_mode = forms.ChoiceField(label=_("Mode de réception de l'état de compte"), choices=ReceptionMode.choices)

    def clean(self):
        data = super().clean()
        if data.get("developer_number") and not SoftwareDeveloper.objects.filter(number=data["developer_number"], is_active=True).exists():
            self.add_error("developer_number", _("Aucun développeur reconnu ne porte ce numéro."))
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        return {**self.account_payload(), "option": StatementOption.SELF_BILLING,
                "developer": data["developer_number"], "reception_mode": data["reception_mode"]}


class Form3005(AccountPaperForm):
    """Form 3005 (MAN-1): a person mandated to sign invoices; never an agency itself: an agency's
    employee is named, with the agency that employs them."""

    first_name = forms.CharField(label=_("Prénom du mandataire"), max_length=120)
    last_name = forms.CharField(label=_("Nom du mandataire"), max_length=120)
    relation = forms.ChoiceField(label=_("Lien avec le professionnel"), choices=MandataryRelation.choices)
    transmission_number = forms.CharField(label=_("Numéro de transmission de l'agence employeuse"), max_length=5, required=False,
                                          help_text=_("Seulement pour l'employé d'une agence de facturation."))

    def clean(self):
        data = super().clean()
        number = (data.get("transmission_number") or "").strip()
        self.agency = BillingAgency.objects.filter(transmission_number=number).first() if number else None
        if number and self.agency is None:
            self.add_error("transmission_number", _("Aucune agence de facturation ne porte ce numéro de transmission."))
            return data
        # MAN-1, as the acceptance of the form and the admin apply it.
        errors = mandataries.refusals(first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
                                      relation=data.get("relation", ""), agency=self.agency)
        for field, message in errors.items():
            self.add_error("transmission_number" if field == "agency" else field, message)
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        return {**self.account_payload(), "first_name": data["first_name"].strip(),
                "last_name": data["last_name"].strip(), "relation": data["relation"],
                "agency": self.agency.transmission_number if self.agency else ""}


class SectionedForm(PlainTextForm):
    """A paper form laid out as the paper is: titled sections of fields (the admin's paper_form.html)."""

    SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def sections(self):
        shown = {name for _title, names in self.SECTIONS for name in names}
        rest = [self[name] for name in self.fields if name not in shown]
        return ([(None, rest)] if rest else []) + [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


def _written(form: forms.Form, names) -> bool:
    """Whether any part of an address was written; the country alone is not (it comes preselected)."""
    return any((form.data.get(form.add_prefix(name)) or "").strip() for name in names if not name.endswith("country"))


class Form3102(SectionedForm, PaperForm, AddressForm):
    """Form 3102 (STF-7): the correspondence address and the accounts it applies to, a telephone, the
    email (EML-7: it gets the validation link), and the main place of practice's name, address and
    telephone. Any part alone is a valid form; it changes at least one."""

    telephone_kind = forms.ChoiceField(label=_("Type de téléphone"), choices=TelephoneKind.choices, initial=TelephoneKind.OFFICE, required=False)
    telephone = PhoneNumberField(label=_("Téléphone"), region="CA", required=False)
    extension = forms.RegexField(label=_("Poste"), regex=r"\A[0-9]{1,6}\Z", required=False,
                                 error_messages={"invalid": _("Le poste ne contient que des chiffres (6 au plus).")})
    email = forms.EmailField(label=_("Courriel"), required=False)
    accounts = forms.CharField(
        label=_("Comptes visés par l'adresse de correspondance"), max_length=200, required=False,
        help_text=_("Numéros des comptes cochés sur le formulaire, séparés par des virgules. Laissez vide pour le compte personnel "
                    "(le dossier) seulement."))
    place_name = forms.CharField(label=_("Nom du lieu principal de pratique"), max_length=200, required=False)
    place_country = LazyTypedChoiceField(label=_("Pays du lieu"), choices=country_choices, initial="CA", required=False)
    place_line1 = forms.CharField(label=_("Adresse du lieu"), max_length=200, required=False)
    place_line2 = forms.CharField(label=_("Complément d'adresse du lieu"), max_length=200, required=False)
    place_city = forms.CharField(label=_("Ville du lieu"), max_length=100, required=False)
    place_province = forms.ChoiceField(label=_("Province du lieu"), choices=[("", "—"), *PROVINCE_CHOICES], required=False)
    place_postal_code = forms.CharField(label=_("Code postal du lieu"), max_length=10, required=False)
    place_region = forms.CharField(label=_("État, région ou code postal du lieu (hors Canada)"), max_length=100, required=False)
    place_telephone = PhoneNumberField(label=_("Téléphone du lieu"), region="CA", required=False)

    ADDRESS = ("line1", "line2", "city", "postal_code", "region")
    PLACE_ADDRESS = tuple(f"place_{name}" for name in FIELDS)
    SECTIONS = (
        (_("Adresse de correspondance"), ("country", "line1", "line2", "city", "province", "postal_code", "region", "accounts")),
        (_("Téléphone et courriel"), ("telephone_kind", "telephone", "extension", "email")),
        (_("Adresse du lieu principal de pratique"), ("place_name", *PLACE_ADDRESS, "place_telephone")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("line1", "city"):
            self.fields[name].required = False  # required only when an address is written (clean)

    def clean(self):
        self.with_address = _written(self, self.ADDRESS)
        self.with_place_address = _written(self, self.PLACE_ADDRESS)
        if self.with_address:
            data = super().clean()
            for name in ("line1", "city"):
                if not (data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        else:
            data = forms.Form.clean(self)  # no address written: none of the address rules apply
        if self.with_place_address:
            self._clean_place_address(data)
        self._clean_accounts(data)
        if data.get("extension") and not data.get("telephone"):
            self.add_error("telephone", _("Un poste accompagne un numéro de téléphone : écrivez le numéro."))
        parts = (self.with_address, data.get("telephone"), data.get("email"), data.get("place_name"), self.with_place_address,
                 data.get("place_telephone"))
        if not any(parts) and not self.errors:
            self.add_error(None, _("Le formulaire 3102 ne change rien tel qu'il est saisi : remplissez au moins une section "
                                   "(adresse, téléphone, courriel ou lieu principal de pratique)."))
        professional = getattr(self, "professional", None)
        if professional is not None and (data.get("place_name") or self.with_place_address or data.get("place_telephone")):
            try:
                profile.require_main_place_parts(
                    has_main=professional.places_of_practice.filter(is_main=True).exists(), name=data.get("place_name") or "",
                    address=getattr(self, "place_address", None), telephone=data.get("place_telephone") or "")
            except NoMainPlace:
                self.add_error("place_name", _("Ce dossier n'a pas de lieu principal de pratique : le formulaire doit en donner le nom, "
                                               "l'adresse et le téléphone."))
        return data

    def _clean_place_address(self, data: dict) -> None:
        """The place's address obeys the same rules as every address (PRO-7), through AddressForm."""
        sub = AddressForm({name: self.data.get(self.add_prefix(f"place_{name}"), "") for name in FIELDS})
        if sub.is_valid():
            self.place_address = sub.address_input()
            return
        for name, errors in sub.errors.items():
            for error in errors:
                self.add_error(f"place_{name}" if name != "__all__" else None, error)

    def _clean_accounts(self, data: dict) -> None:
        """The accounts named must be the professional's own: the personal one (the file's address) or an
        individual administrative one. A collective account changes address by its members' letter."""
        numbers = [n.strip().upper() for n in (data.get("accounts") or "").replace(";", ",").split(",") if n.strip()]
        data["accounts"] = numbers
        professional = getattr(self, "professional", None)
        if not numbers or professional is None:
            return
        if not self.with_address:
            self.add_error("accounts", _("Les comptes visés reçoivent l'adresse de correspondance : écrivez cette adresse."))
            return
        found = {a.number: a for a in BillingAccount.objects.filter(professional=professional, number__in=numbers, closed_at__isnull=True)}
        for number in numbers:
            account = found.get(number)
            if account is None:
                self.add_error("accounts", _("Ce professionnel n'a pas de compte ouvert portant le numéro %(number)s.") % {"number": number})
            elif account.kind == AccountKind.COLLECTIVE:
                self.add_error("accounts", _("Le compte %(number)s est collectif : son adresse change par une lettre signée par ses membres "
                                             "(saisissez la lettre).") % {"number": number})

    def payload(self) -> dict:
        """Each part as written, or none; and the versions of the coordinates it was entered against:
        accepted later, it never silently overwrites a newer change made online."""
        data = self.cleaned_data
        address = AddressInput.from_data(data).as_dict() if self.with_address else {name: "" for name in FIELDS}
        telephone = ({"kind": data["telephone_kind"] or TelephoneKind.OFFICE, "number": data["telephone"].as_e164,
                      "extension": data.get("extension") or ""} if data.get("telephone") else None)
        place = None
        if data.get("place_name") or self.with_place_address or data.get("place_telephone"):
            place = {"name": (data.get("place_name") or "").strip(),
                     "address": self.place_address.as_dict() if self.with_place_address else None,
                     "telephone": data["place_telephone"].as_e164 if data.get("place_telephone") else ""}
        return {**address, "country": address["country"] or "CA", "with_address": self.with_address, "accounts": data["accounts"],
                "email": data.get("email") or "", "telephone": telephone, "place": place,
                "version": self.professional.correspondence_version, "practice_version": self.professional.practice_version}


class CollectiveLetter(SectionedForm, PaperForm, AddressForm):
    """A collective account's letter (CPT-3, STF-7): the new address of the group, the date of the change,
    the account's name and number, signed by every member (or by persons the group mandated)."""

    account_number_billing = forms.CharField(label=_("Numéro du compte collectif"), max_length=12)
    date_of_change = forms.DateField(label=_("Date du changement"), widget=forms.DateInput(attrs={"type": "date"}))
    signed_by_all = forms.BooleanField(label=_("Lettre signée par tous les membres du regroupement ou par une personne mandatée"))

    SECTIONS = ((_("Nouvelle adresse du regroupement"), ("country", "line1", "line2", "city", "province", "postal_code", "region")),)

    def clean(self):
        data = super().clean()
        professional = getattr(self, "professional", None)
        number = (data.get("account_number_billing") or "").strip().upper()
        if professional is not None and number:
            self.account = BillingAccount.objects.filter(number=number, kind=AccountKind.COLLECTIVE, closed_at__isnull=True).filter(
                models.Q(professional=professional) | models.Q(memberships__professional=professional)).first()
            if self.account is None:
                self.add_error("account_number_billing", _("Ce professionnel n'est membre d'aucun compte collectif ouvert portant ce numéro."))
        day = data.get("date_of_change")
        if day is not None and data.get("received_on") and day < data["received_on"] - timedelta(days=366):
            self.add_error("date_of_change", _("Cette date a plus d'un an avant la réception de la lettre : vérifiez-la."))
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        return {"account": self.account.number, "account_name": self.account.name, **self.address_input().as_dict(),
                "date_of_change": data["date_of_change"].isoformat(), "letter": True}
