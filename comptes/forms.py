from django import forms
from django.utils.translation import gettext_lazy as _

from comptes.constants import AgencyType, PaymentMode, ReceptionMode, StatementOption
from comptes.models import BillingAgency, FinancialInstitution, SoftwareDeveloper
from comptes.selectors import active_collective_exists
from dossier.forms import AddressForm, VersionedForm
from ramq_portal import clock
from ramq_portal.text import PlainTextForm


# What the services' refusals say next to the field (Mon dossier and the registration wizard).
AGENCY_REFUSED = {
    "dis": _("Cette agence privée (DIS) appartient à un autre professionnel : vous ne pouvez pas vous y accréditer. "
             "Choisissez une agence commerciale (ATD) ou l'agence privée de votre regroupement (ISE)."),
    "inactive": _("Cette agence n'est plus active. Choisissez-en une autre."),
}
COMPANY_ACCOUNT_REFUSED = _("Pour vos finances personnelles, le compte bancaire doit être un compte personnel à votre nom. "
                            "Les coordonnées d'une société sont refusées.")
MANDATE_REQUIRED = _("Pour une agence commerciale (ATD), cochez l'acceptation du mandat.")


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} — {obj.name}"


class ApplyToField(forms.MultipleChoiceField):
    """BEY-5: the other accounts the same change is applied to."""

    widget = forms.CheckboxSelectMultiple


class PaymentForm(VersionedForm):
    """*Coordonnées de paiement* (PAI-1, PAI-2)."""

    mode = forms.ChoiceField(label=_("Mode de paiement"), choices=PaymentMode.choices, widget=forms.RadioSelect)
    institution = InstitutionChoiceField(label=_("Institution financière"), queryset=FinancialInstitution.objects.all(), required=False)
    transit = forms.RegexField(label=_("Numéro de succursale (transit)"), regex=r"\A[0-9]{5}\Z", required=False,
                               error_messages={"invalid": _("Le numéro de succursale compte 5 chiffres.")})
    account_number = forms.RegexField(label=_("Numéro de compte"), regex=r"\A[0-9]{7,12}\Z", required=False,
                                      error_messages={"invalid": _("Le numéro de compte compte de 7 à 12 chiffres.")},
                                      # data-brouillon="non": never kept in the browser's drafts (HLP-2, static/js/session.js).
                                      widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "data-brouillon": "non"}))
    personal_account_confirmed = forms.BooleanField(
        label=_("Je confirme que ce compte bancaire est un compte personnel, à mon nom (pas celui d'une société)."), required=False
    )
    password = forms.CharField(
        label=_("Mot de passe"), required=False, strip=False,
        help_text=_("Pour protéger vos paiements, entrez de nouveau votre mot de passe pour changer vos coordonnées bancaires."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    apply_to = ApplyToField(label=_("Appliquer aussi ce mode de paiement à"), required=False)

    def __init__(self, *args, other_accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["apply_to"].choices = [(str(a.pk), f"{a.number} — {a.name}") for a in other_accounts]
        if not other_accounts:
            del self.fields["apply_to"]

    def clean(self):
        data = super().clean()
        if data.get("mode") == PaymentMode.TRANSFER:
            for name, message in (
                ("institution", _("Choisissez l'institution financière.")),
                ("transit", _("Entrez le numéro de succursale (5 chiffres).")),
                ("account_number", _("Entrez le numéro de compte (7 à 12 chiffres).")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data


class StatementForm(VersionedForm, AddressForm):
    """*Coordonnées d'état de compte* (ETC-2..5): the statement address is always required (ETC-5)."""

    option = forms.ChoiceField(label=_("Accréditation à la facturation"), choices=StatementOption.choices, widget=forms.RadioSelect)
    agency = forms.ModelChoiceField(label=_("Agence"), queryset=BillingAgency.objects.filter(is_active=True), required=False,
                                    widget=forms.RadioSelect, empty_label=None)
    developer = forms.ModelChoiceField(label=_("Développeur de logiciels"), queryset=SoftwareDeveloper.objects.filter(is_active=True),
                                       required=False, widget=forms.RadioSelect, empty_label=None)
    reception_mode = forms.ChoiceField(label=_("Mode de réception de l'état de compte"), choices=ReceptionMode.choices,
                                       widget=forms.RadioSelect, required=False)
    mandate_accepted = forms.BooleanField(
        label=_("J'accepte le mandat confié à cette agence commerciale de traitement de données (ATD)."), required=False
    )
    apply_to = ApplyToField(label=_("Appliquer aussi ces coordonnées à"), required=False)

    def __init__(self, *args, shown_agencies=(), shown_developers=(), other_accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered from the rows the page already loaded (search results); validated against the queryset.
        self.fields["agency"].widget.choices = [(a.pk, f"{a.name} — {a.transmission_number} ({a.agency_type})") for a in shown_agencies]
        self.fields["developer"].widget.choices = [(d.pk, f"{d.name} — {d.number}") for d in shown_developers]
        # The agencies whose choice needs the mandate (ETC-3): the page shows the mandate box for them only.
        self.atd_agencies = " ".join(str(a.pk) for a in shown_agencies if a.agency_type == AgencyType.ATD)
        self.fields["apply_to"].choices = [(str(a.pk), f"{a.number} — {a.name}") for a in other_accounts]
        if not other_accounts:
            del self.fields["apply_to"]

    def clean(self):
        data = super().clean()
        option = data.get("option")
        if option == StatementOption.AGENCY and not data.get("agency") and "agency" not in self.errors:
            self.add_error("agency", _("Cherchez puis choisissez votre agence de facturation."))
        if option == StatementOption.SELF_BILLING and not data.get("developer") and "developer" not in self.errors:
            self.add_error("developer", _("Cherchez puis choisissez votre développeur de logiciels."))
        if option in (StatementOption.AGENCY, StatementOption.SELF_BILLING) and not data.get("reception_mode"):
            self.add_error("reception_mode", _("Choisissez le mode de réception de l'état de compte."))
        return data


class OpenAccountForm(PlainTextForm):
    """CPT-2: a request to open an administrative account, individual or collective."""

    collective = forms.TypedChoiceField(
        label=_("Type de compte"), coerce=lambda v: v == "collectif", widget=forms.RadioSelect,
        choices=[("individuel", _("Compte administratif individuel")), ("collectif", _("Compte administratif collectif"))],
        error_messages={"required": _("Choisissez le type de compte.")},
    )
    name = forms.CharField(label=_("Nom du compte ou du regroupement"), max_length=200,
                           error_messages={"required": _("Indiquez le nom du compte ou du regroupement.")})


class JoinCollectiveForm(PlainTextForm):
    """CPT-2: a request to join an existing group's collective account, by its group number."""

    group_number = forms.RegexField(label=_("Numéro du regroupement"), regex=r"\A[0-9]{5,12}\Z",
                                    error_messages={"required": _("Indiquez le numéro du regroupement."),
                                                    "invalid": _("Le numéro de regroupement ne contient que des chiffres (5 à 12).")})

    def clean_group_number(self):
        number = self.cleaned_data["group_number"]
        if not active_collective_exists(number):
            raise forms.ValidationError(_("Aucun compte collectif actif ne porte ce numéro de regroupement."), code="unknown_group")
        return number


class CollectiveAddressForm(AddressForm):
    """CPT-3: the new address of a collective account and the date of the change, as the group's letter
    would state them (STF-7)."""

    date_of_change = forms.DateField(label=_("Date du changement"), widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["date_of_change"]

    def clean_date_of_change(self):
        day = self.cleaned_data["date_of_change"]
        if day < clock.today():
            raise forms.ValidationError(_("La date du changement ne peut pas être passée : indiquez aujourd'hui ou une date à venir."))
        return day
