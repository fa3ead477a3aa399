"""Forms of the staff back office: paper forms entered by an agent (STF-2), assignment, refusal."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptes import mandataries
from comptes.constants import MandataryRelation, ReceptionMode, StatementOption
from comptes.models import BillingAgency
from dossier.constants import ParticipationStatus, RequestKind
from dossier.forms import AddressForm
from dossier.models import Professional, User
from ramq_portal import clock


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.filter(is_staff=True, is_active=True).order_by("username"))


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Motif du refus (transmis au professionnel)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class PaperForm(forms.Form):
    """What every paper form has: the professional it is about and the day it was received."""

    professional_number = forms.CharField(label=_("Numéro de professionnel"), max_length=7)
    received_on = forms.DateField(label=_("Reçu le"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_professional_number(self):
        number = self.cleaned_data["professional_number"].strip()
        professional = Professional.objects.filter(professional_number=number).first()
        if professional is None:
            raise forms.ValidationError(_("Aucun dossier ne porte ce numéro de professionnel."))
        self.professional = professional
        return number

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > clock.today():
            raise forms.ValidationError(_("La date de réception ne peut pas être dans le futur."))
        return day

    def payload(self) -> dict:
        raise NotImplementedError

    def entry(self) -> dict:
        return {"professional": self.professional, "payload": self.payload(), "sensitive": self.sensitive(),
                "received_on": self.cleaned_data["received_on"]}

    def sensitive(self) -> dict | None:
        return None


class Form3102(PaperForm, AddressForm):
    """Form 3102: change of address, telephone or email (EML-7: the email gets the validation link).
    The address and the email are each optional; the form changes at least one of them."""

    ADDRESS_FIELDS = ("line1", "line2", "city", "postal_code", "region")

    email = forms.EmailField(label=_("Courriel"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("line1", "city"):
            self.fields[name].required = False  # required only when an address is written (clean)

    def clean(self):
        self.with_address = any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.ADDRESS_FIELDS)
        if not self.with_address:
            data = forms.Form.clean(self)  # no address written: none of its rules apply
            if not data.get("email") and "email" not in self.errors:
                self.add_error(None, _("Le formulaire 3102 change l'adresse, le courriel ou les deux : remplissez au moins l'un des deux."))
            return data
        data = super().clean()
        for name in ("line1", "city"):
            if not (data.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        return data

    def payload(self) -> dict:
        """The address as written (abroad too), or none, and the version of the coordinates it was
        entered against: accepted later, it never silently overwrites a newer change made online."""
        data = self.cleaned_data
        return {**{name: data.get(name) or "" for name in ("line1", "line2", "city", "province", "postal_code", "region", "email")},
                "country": str(data.get("country") or "CA"), "with_address": self.with_address,
                "version": self.professional.correspondence_version}


class Form1378(PaperForm):
    """Form 1378 (INS-7): non-participation or disengagement, in effect 30 days after the notice."""

    status = forms.ChoiceField(label=_("Statut demandé"), choices=[(ParticipationStatus.NON_PARTICIPANT, ParticipationStatus.NON_PARTICIPANT.label),
                                                                  (ParticipationStatus.DISENGAGED, ParticipationStatus.DISENGAGED.label)])
    notice_date = forms.DateField(label=_("Date de l'avis"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        notice, received = data.get("notice_date"), data.get("received_on")
        if notice and received and notice > received:
            self.add_error("notice_date", _("L'avis ne peut pas être daté après le jour de sa réception."))
        return data

    def payload(self) -> dict:
        return {"status": self.cleaned_data["status"], "notice_date": self.cleaned_data["notice_date"].isoformat()}


class AccountPaperForm(PaperForm):
    """A paper form about one of the professional's billing accounts."""

    account_number_billing = forms.CharField(label=_("Numéro du compte de facturation"), max_length=12)

    def clean(self):
        data = super().clean()
        from comptes.models import BillingAccount

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
        from comptes.models import FinancialInstitution

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
        from comptes.models import BillingAgency

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
        from comptes.constants import AgencyType
        from comptes.models import BillingAgency

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
        from comptes.models import SoftwareDeveloper

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


PAPER_FORMS: dict[str, type[PaperForm]] = {
    RequestKind.FORM_3005: Form3005,
    RequestKind.FORM_3102: Form3102, RequestKind.FORM_2914: Form2914, RequestKind.FORM_1378: Form1378,
    RequestKind.FORM_2404: Form2404, RequestKind.FORM_2788: Form2788, RequestKind.FORM_3018: Form3018,
}
