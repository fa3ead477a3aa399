from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import LazyTypedChoiceField
from localflavor.ca.ca_provinces import PROVINCE_CHOICES
from localflavor.ca.forms import CAPostalCodeField, CAProvinceField, CAProvinceSelect
from phonenumber_field.formfields import PhoneNumberField

from dossier.constants import CHOOSABLE_KINDS, Channel, Language, RemunerationMode, TelephoneKind
from dossier.models import Profession
from dossier.profile import PlaceInput, TelephoneInput
from dossier.selectors import correspondence_address_on
from dossier.addresses import AddressInput, country_choices
from ramq_portal import clock
from ramq_portal.widgets import FastSelect, FixedChoices
from ramq_portal.text import PlainTextForm


def _telephone(field, autocomplete: str = "tel"):
    """A telephone field as browsers and assistive technologies know it (WCAG 1.3.5): its purpose, and a
    telephone keypad on a phone."""
    field.widget.attrs.update({"autocomplete": autocomplete, "inputmode": "tel"})
    return field


class SignInForm(AuthenticationForm):
    """Sign-in: one message for any failure, so that it never reveals whether a username exists."""

    error_messages = {
        "invalid_login": _("Le nom d'utilisateur ou le mot de passe est incorrect."),
        "inactive": _("Le nom d'utilisateur ou le mot de passe est incorrect."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Nom d'utilisateur")
        self.fields["password"].label = _("Mot de passe")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        if self.is_bound:  # a failed sign-in focuses its error summary instead (static/js/forms.js)
            del self.fields["username"].widget.attrs["autofocus"]
        # Django sets the username's maxlength on the widget only: an over-long one would reach
        # authentication and the lockout's records (a varchar(255)). Refused here, next to the field.
        self.fields["username"].validators.append(MaxLengthValidator(
            self.username_field.max_length or 150,
            message=_("Un nom d'utilisateur compte au plus %(limit_value)d caractères."),
        ))


class OpenFileForm(PlainTextForm):
    """DOS-2: what the professional order reports, entered by staff to open a file."""

    profession = forms.ModelChoiceField(label=_("Profession"), queryset=Profession.objects.all())
    licence_number = forms.RegexField(
        label=_("Numéro de permis"), regex=r"\A[0-9]{5}\Z", error_messages={"invalid": _("Le numéro de permis compte 5 chiffres.")}
    )
    last_name = forms.CharField(label=_("Nom"), max_length=120)
    first_name = forms.CharField(label=_("Prénom"), max_length=120)
    birth_date = forms.DateField(label=_("Date de naissance"), widget=forms.DateInput(attrs={"type": "date"}))
    remuneration_mode = forms.ChoiceField(label=_("Mode de rémunération"), choices=RemunerationMode.choices)
    language = forms.ChoiceField(label=_("Langue de correspondance"), choices=Language.choices)
    line1 = forms.CharField(label=_("Adresse"), max_length=200)
    line2 = forms.CharField(label=_("Complément d'adresse"), max_length=200, required=False)
    city = forms.CharField(label=_("Ville"), max_length=100)
    province = CAProvinceField(label=_("Province"), widget=CAProvinceSelect, initial="QC")
    postal_code = CAPostalCodeField(label=_("Code postal"))


def correspondence_initial(professional) -> tuple[dict, list[dict]]:
    """What the *Coordonnées de correspondance* form starts from: the pending address if any (else the one
    in force), the cell, the email; and the telephone rows. Needs the prefetches of
    dossier.selectors.professional_for_user."""
    state = correspondence_address_on(professional, clock.today())
    address = state.pending or state.in_force
    initial = {
        "version": professional.correspondence_version,
        "cell": professional.cell_number or "",
        "email": professional.email,
        "email_confirm": professional.email,
    }
    if address is not None:
        initial.update(AddressInput.of(address).as_dict())
        initial["declared_agency_address"] = address.declared_agency_address
    phones = [{"kind": p.kind, "number": p.number, "extension": p.extension} for p in professional.telephones.all()]
    return initial, phones


def place_initial(professional) -> list[dict]:
    """The rows of the *Coordonnées de pratique* formset (uses the prefetched places)."""
    return [
        {"pk": p.pk, "name": p.name, "is_main": p.is_main, "country": str(p.country), "line1": p.line1, "line2": p.line2,
         "city": p.city, "province": p.province, "postal_code": p.postal_code, "region": p.region, "main_telephone": p.main_telephone}
        for p in professional.places_of_practice.all()
    ]


# --- Profil tab ------------------------------------------------------------------------------------

# First letter of a Canadian postal code → the provinces it serves (PRO-7).
POSTAL_PREFIX_PROVINCES = {
    "A": {"NL"}, "B": {"NS"}, "C": {"PE"}, "E": {"NB"}, "G": {"QC"}, "H": {"QC"}, "J": {"QC"},
    "K": {"ON"}, "L": {"ON"}, "M": {"ON"}, "N": {"ON"}, "P": {"ON"}, "R": {"MB"}, "S": {"SK"},
    "T": {"AB"}, "V": {"BC"}, "X": {"NT", "NU"}, "Y": {"YT"},
}


class CountryField(FixedChoices, LazyTypedChoiceField):
    pass


class ProvinceField(FixedChoices, forms.ChoiceField):
    pass


class AddressForm(PlainTextForm):
    """A postal address: Canadian by default (province and postal code validated), or abroad (PRO-7)."""

    # autocomplete tokens (WCAG 1.3.5): browsers fill the address the person already gave them.
    country = CountryField(label=_("Pays"), choices=country_choices, initial="CA",
                           widget=FastSelect(attrs={"autocomplete": "country"}, cache_key="countries"))
    line1 = forms.CharField(label=_("Adresse"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    line2 = forms.CharField(label=_("Complément d'adresse"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    city = forms.CharField(label=_("Ville"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    province = ProvinceField(label=_("Province"), choices=[("", "—"), *PROVINCE_CHOICES], required=False,
                             widget=FastSelect(attrs={"autocomplete": "address-level1"}, cache_key="provinces"))
    postal_code = forms.CharField(label=_("Code postal"), max_length=10, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    region = forms.CharField(label=_("État, région ou code postal (hors Canada)"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("country", "CA") == "CA":
            if not data.get("province"):
                self.add_error("province", _("Choisissez la province."))
            raw = data.get("postal_code", "")
            if not raw:
                self.add_error("postal_code", _("Entrez le code postal."))
            else:
                try:
                    if not raw.isascii():  # localflavor's \d accepts any Unicode digit
                        raise ValidationError("non-ASCII")
                    data["postal_code"] = CAPostalCodeField(required=True).clean(raw)
                except ValidationError:
                    self.add_error("postal_code", _("Entrez un code postal canadien valide, par exemple G1R 2B5."))
                else:
                    provinces = POSTAL_PREFIX_PROVINCES.get(data["postal_code"][0], set())
                    if data.get("province") and data["province"] not in provinces:
                        self.add_error("postal_code", _("Ce code postal ne correspond pas à la province choisie."))
            data["region"] = ""
        else:
            data["province"] = ""
            data["postal_code"] = ""
        return data

    def address_input(self):
        return AddressInput.from_data(self.cleaned_data)


class VersionedForm(PlainTextForm):
    """Carries the section's version (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CorrespondenceForm(VersionedForm, AddressForm):
    """*Coordonnées de correspondance* (PRO-1): address, cell, email (EML-1)."""

    declared_agency_address = forms.BooleanField(
        label=_("Cette adresse est celle de mon agence de facturation"), required=False
    )
    cell = _telephone(PhoneNumberField(label=_("Cellulaire"), region="CA", required=False,
                                       help_text=_("Un code de confirmation vous sera envoyé par message texte.")), "mobile tel")
    email = forms.EmailField(label=_("Courriel"), required=False, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    email_confirm = forms.EmailField(label=_("Répéter courriel"), required=False, max_length=254,
                                     widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def clean(self):
        data = super().clean()
        email, confirm = data.get("email") or "", data.get("email_confirm") or ""
        if "email" not in self.errors and "email_confirm" not in self.errors and email.lower() != confirm.lower():
            self.add_error("email_confirm", _("Les deux adresses de courriel doivent être identiques."))
        return data


class TelephoneForm(PlainTextForm):
    # An empty choice, so that the blank "new number" row is left untouched (and ignored) when unused.
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *TelephoneKind.choices])
    number = _telephone(PhoneNumberField(label=_("Numéro de téléphone"), region="CA"))
    extension = forms.RegexField(label=pgettext_lazy("téléphone", "Poste"), regex=r"\A[0-9]{1,6}\Z", required=False,
                                 error_messages={"invalid": _("Le poste ne contient que des chiffres (6 au plus).")})


class TamperProofFormSet(forms.BaseFormSet):
    """The management form must describe the rows the page was built from: a changed count would
    silently drop existing rows (their unchanged forms would look like empty extra ones)."""

    def clean(self):
        super().clean()
        expected = len(self.initial or [])
        if self.is_bound and (self.initial_form_count() != expected or self.total_form_count() < expected):
            raise ValidationError(
                _("Le formulaire a été modifié pendant l'envoi. Rien n'a été enregistré : rechargez la page."), code="tampered"
            )


class BaseTelephoneFormSet(TamperProofFormSet):
    def telephones(self):
        return [
            TelephoneInput(kind=f.cleaned_data["kind"], number=f.cleaned_data["number"].as_e164, extension=f.cleaned_data.get("extension", ""))
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


TelephoneFormSet = forms.formset_factory(
    TelephoneForm, formset=BaseTelephoneFormSet, extra=1, max_num=5, validate_max=True, can_delete=True, absolute_max=6
)


class CellCodeForm(forms.Form):  # digits only, checked by its own field
    code = forms.RegexField(
        label=_("Code reçu par message texte"), regex=r"\A\s*[0-9]{6}\s*\Z",
        error_messages={"invalid": _("Le code compte 6 chiffres."), "required": _("Entrez le code à 6 chiffres.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PlaceForm(AddressForm):
    """A place of practice (PRO-2): public; no cell field."""

    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Nom du lieu"), max_length=200)
    main_telephone = _telephone(PhoneNumberField(label=_("Téléphone principal"), region="CA"), "work tel")
    is_main = forms.BooleanField(label=_("Lieu de pratique principal"), required=False)

    field_order = ["pk", "name", "is_main", "country", "line1", "line2", "city", "province", "postal_code", "region", "main_telephone"]


class BasePlaceFormSet(TamperProofFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # Each row the page was built from comes back with its own pk (a missing one would duplicate it).
        for index, form in enumerate(self.forms[: self.initial_form_count()]):
            if form.cleaned_data.get("pk") != (self.initial or [])[index].get("pk"):
                raise ValidationError(
                    _("Le formulaire a été modifié pendant l'envoi. Rien n'a été enregistré : rechargez la page."), code="tampered"
                )
        pks = [f.cleaned_data.get("pk") for f in self.forms if f.cleaned_data and f.cleaned_data.get("pk")]
        if len(pks) != len(set(pks)) or set(pks) - {row.get("pk") for row in self.initial or []}:
            raise ValidationError(
                _("Le formulaire a été modifié pendant l'envoi. Rien n'a été enregistré : rechargez la page."), code="tampered"
            )
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept and not self.initial:
            raise ValidationError(_("Inscrivez au moins un lieu de pratique, habituellement votre lieu de pratique principal."))
        if not kept:
            raise ValidationError(_("Le lieu de pratique principal ne peut pas être retiré tant qu'il est le seul."))
        if sum(bool(f.cleaned_data.get("is_main")) for f in kept) != 1:
            raise ValidationError(_("Indiquez un seul lieu de pratique principal."))

    def places(self):
        return [
            PlaceInput(
                pk=f.cleaned_data.get("pk"), name=f.cleaned_data["name"].strip(), address=f.address_input(),
                main_telephone=f.cleaned_data["main_telephone"].as_e164, is_main=bool(f.cleaned_data.get("is_main")),
                delete=bool(f.cleaned_data.get("DELETE")),
            )
            for f in self.forms
            if f.cleaned_data
        ]


PlaceFormSet = forms.formset_factory(
    PlaceForm, formset=BasePlaceFormSet, extra=1, max_num=100, validate_max=True, can_delete=True, absolute_max=101
)


class PreferencesForm(VersionedForm):
    """PRF-1: *Poste* or *Messagerie sécurisée* per choosable kind of correspondence."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in CHOOSABLE_KINDS:
            self.fields[kind] = forms.ChoiceField(label=kind.label, choices=Channel.choices, widget=forms.RadioSelect)
