import copy

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from localflavor.ca.forms import CASocialInsuranceNumberField

from comptes.forms import JoinCollectiveForm, OpenAccountForm
from comptes.selectors import active_collective_exists
from dossier import numbers
from dossier.models import User
from inscription.enrolment import QUESTIONS_ASKED, normalize
from inscription.models import SecretQuestion
from ramq_portal.text import PlainTextForm

def optional(field: forms.Field) -> forms.Field:
    field = copy.deepcopy(field)
    field.required = False
    return field


USERNAME_RULES = _("De 6 à 30 caractères : lettres sans accents, chiffres, point, trait d'union ou trait de soulignement.")


class ReferenceForm(PlainTextForm):
    """INS-1/INS-2, first page: the reference number of the letter, the identity, the security policy."""

    reference_number = forms.CharField(
        label=_("Numéro de référence"), max_length=30,
        help_text=_("Le code de 12 caractères reçu par la poste, par exemple ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "data-brouillon": "non"}),
    )
    last_name = forms.CharField(label=_("Nom"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    first_name = forms.CharField(label=_("Prénom"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    birth_date = forms.DateField(
        label=_("Date de naissance"), widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"invalid": _("Entrez une date valide, par exemple 1990-04-21.")},
    )
    licence_number = forms.RegexField(
        label=_("Numéro de permis"), regex=r"\A[0-9]{5}\Z", help_text=_("Les 5 chiffres de votre permis d'exercice."),
        error_messages={"invalid": _("Le numéro de permis compte 5 chiffres.")},
    )
    policy_accepted = forms.BooleanField(
        label=_("J'ai lu la politique de sécurité de la Régie et je l'accepte."),
        error_messages={"required": _("Vous devez accepter la politique de sécurité pour poursuivre.")},
    )


class AccountForm(PlainTextForm):
    """INS-2, second page: username, password per the password rules, secret questions."""

    username = forms.RegexField(
        label=_("Nom d'utilisateur"), regex=r"\A[A-Za-z0-9._-]{6,30}\Z", help_text=USERNAME_RULES,
        error_messages={"invalid": USERNAME_RULES}, widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(label=_("Mot de passe"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Confirmer le mot de passe"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, professional, **kwargs):
        super().__init__(*args, **kwargs)
        self.professional = professional
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()
        for index in range(QUESTIONS_ASKED):
            self.fields[f"question_{index}"] = forms.ChoiceField(
                label=_("Question secrète %(n)s") % {"n": index + 1}, choices=[("", "—"), *SecretQuestion.choices]
            )
            self.fields[f"answer_{index}"] = forms.CharField(
                label=_("Réponse %(n)s") % {"n": index + 1}, max_length=100,
                help_text=_("Les majuscules et les accents ne comptent pas."), widget=forms.TextInput(attrs={"autocomplete": "off", "data-brouillon": "non"}),
            )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Ce nom d'utilisateur est déjà pris. Choisissez-en un autre."), code="taken")
        return username

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("Les deux mots de passe doivent être identiques."))
        elif one:
            candidate = User(username=data.get("username", ""), first_name=self.professional.first_name, last_name=self.professional.last_name)
            try:
                password_validation.validate_password(one, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        questions = [data.get(f"question_{i}") for i in range(QUESTIONS_ASKED)]
        if all(questions) and len(set(questions)) != QUESTIONS_ASKED:
            self.add_error(f"question_{QUESTIONS_ASKED - 1}", _("Choisissez trois questions différentes."))
        for index in range(QUESTIONS_ASKED):
            answer = data.get(f"answer_{index}")
            if answer is not None and len(normalize(answer)) < 2:
                self.add_error(f"answer_{index}", _("La réponse doit compter au moins 2 caractères."))
        return data

    def answers(self) -> list[tuple[str, str]]:
        return [(self.cleaned_data[f"question_{i}"], self.cleaned_data[f"answer_{i}"]) for i in range(QUESTIONS_ASKED)]

    def pairs(self) -> list[tuple[int, object, object]]:
        """(number, question field, answer field): each question with its answer, for the page."""
        return [(i + 1, self[f"question_{i}"], self[f"answer_{i}"]) for i in range(QUESTIONS_ASKED)]


class ForgottenUsernameForm(PlainTextForm):
    username = forms.CharField(label=_("Nom d'utilisateur"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"}))


class SecretAnswersForm(PlainTextForm):
    """A forgotten password: the answers to the account's secret questions, and the new password."""

    password1 = forms.CharField(label=_("Nouveau mot de passe"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Confirmer le nouveau mot de passe"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, questions, username, **kwargs):
        super().__init__(*args, **kwargs)
        self.username = username
        self.questions = questions
        answer_fields = {
            f"answer_{q}": forms.CharField(label=SecretQuestion(q).label, max_length=100,
                                           widget=forms.TextInput(attrs={"autocomplete": "off", "data-brouillon": "non"}))
            for q in questions
        }
        self.fields = {**answer_fields, **self.fields}
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("Les deux mots de passe doivent être identiques."))
        elif one:
            try:
                password_validation.validate_password(one, User(username=self.username))
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def answers(self) -> dict[str, str]:
        return {q: self.cleaned_data.get(f"answer_{q}", "") for q in self.questions}


# --- the wizard's own forms (steps 3-6 reuse the forms of Mon dossier) ----------------------------------------


class EngagementForm(PlainTextForm):
    """INS-3 step 1."""

    engaged = forms.BooleanField(
        label=_("Je m'engage à exercer ma profession dans le cadre du régime institué par la Loi sur l'assurance maladie "
                "(RLRQ, chapitre A-29)."),
        error_messages={"required": _("L'engagement est obligatoire pour être rémunéré par la Régie et accéder aux services en ligne.")},
    )


class SinField(CASocialInsuranceNumberField):
    """django-localflavor's check (format and check digit), accepting the number with spaces or no
    separator as people type it: '130 692 544', '130692544', '130-692-544'."""

    def to_python(self, value):
        value = super().to_python(value)
        digits = "".join(ch for ch in value if ch in "0123456789")
        if len(digits) == 9 and all(ch in "0123456789 -" for ch in value.strip()):
            return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        return value


class SinForm(PlainTextForm):
    """INS-3 step 2: the SIN, for fixed-fee remuneration only."""

    sin = SinField(
        label=_("Numéro d'assurance sociale (NAS)"), help_text=_("9 chiffres, par exemple 130 692 544."),
        error_messages={"invalid": _("Ce numéro d'assurance sociale n'est pas valide : vérifiez les 9 chiffres.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "data-brouillon": "non"}),
    )

    def clean_sin(self):
        digits = "".join(ch for ch in self.cleaned_data["sin"] if ch.isdigit())
        if not numbers.is_plausible_sin(digits):  # the service's rule: 000 000 000 passes the check digit
            raise forms.ValidationError(self.fields["sin"].error_messages["invalid"], code="invalid")
        return digits


class AuthorisationsForm(PlainTextForm):
    """INS-3 step 5: the authorisation boxes that must be ticked to continue."""

    payment_authorised = forms.BooleanField(
        label=_("J'autorise la Régie à verser ma rémunération selon le mode de paiement choisi : par virement dans le compte "
                "bancaire indiqué, sinon par chèque posté à mon adresse de paiement."),
        error_messages={"required": _("Cochez cette autorisation pour poursuivre votre inscription.")},
    )
    recovery_authorised = forms.BooleanField(
        label=_("J'autorise la Régie à récupérer, sur mes paiements à venir, toute somme qui m'aurait été versée en trop."),
        error_messages={"required": _("Cochez cette autorisation pour poursuivre votre inscription.")},
    )


class AdministrativeAccountForm(PlainTextForm):
    """INS-3 step 5, optional: ask for an administrative account (CPT-2); staff decide."""

    NONE, INDIVIDUAL, COLLECTIVE, JOIN = "aucun", "individuel", "collectif", "joindre"
    choice = forms.ChoiceField(
        label=_("Compte administratif (facultatif)"), widget=forms.RadioSelect, initial=NONE,
        choices=[
            (NONE, _("Pas de compte administratif pour le moment")),
            (INDIVIDUAL, _("Demander l'ouverture d'un compte administratif individuel")),
            (COLLECTIVE, _("Demander l'ouverture d'un compte administratif collectif")),
            (JOIN, _("Demander à joindre le compte collectif d'un regroupement")),
        ],
    )
    # The fields of Mon dossier's requests (comptes.forms), optional here until a request is chosen.
    account_name = optional(OpenAccountForm.base_fields["name"])
    group_number = optional(JoinCollectiveForm.base_fields["group_number"])

    def clean(self):
        data = super().clean()
        choice = data.get("choice")
        if choice in (self.INDIVIDUAL, self.COLLECTIVE) and not (data.get("account_name") or "").strip():
            self.add_error("account_name", _("Indiquez le nom du compte ou du regroupement."))
        if choice == self.JOIN and "group_number" not in self.errors:
            number = data.get("group_number")
            if not number:
                self.add_error("group_number", _("Indiquez le numéro du regroupement."))
            elif not active_collective_exists(number):
                self.add_error("group_number", _("Aucun compte collectif actif ne porte ce numéro de regroupement."))
        return data
