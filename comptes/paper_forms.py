"""Paper forms about a billing account, typed by an agent (STF-2): 2914, 2404, 2788, 3018, 3005."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptes import mandataries
from comptes.constants import AgencyType, MandataryRelation, ReceptionMode, StatementOption
from comptes.models import BillingAccount, BillingAgency, FinancialInstitution, SoftwareDeveloper
from dossier.forms_backoffice import PaperForm


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
        label=_("Pour Finances personnelles : le formulaire atteste un compte personnel au nom du professionnel"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("institution") and not FinancialInstitution.objects.filter(number=data["institution"]).exists():
            self.add_error("institution", _("Institution financière inconnue."))
        account = getattr(self, "account", None)
        if account is not None and account.is_personal and not data.get("personal_account_confirmed"):  # PAI-2
            self.add_error("personal_account_confirmed",
                           _("Finances personnelles : le compte bancaire doit être un compte personnel au nom du professionnel."))
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
