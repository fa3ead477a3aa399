from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from localflavor.ca.forms import CAPostalCodeField, CAProvinceField, CAProvinceSelect

from dossier.constants import Language, RemunerationMode
from dossier.models import Profession


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


class OpenFileForm(forms.Form):
    """DOS-2: what the professional order reports, entered by staff to open a file."""

    profession = forms.ModelChoiceField(label=_("Profession"), queryset=Profession.objects.all())
    licence_number = forms.RegexField(
        label=_("Numéro de permis"), regex=r"^[0-9]{5}$", error_messages={"invalid": _("Le numéro de permis compte 5 chiffres.")}
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
