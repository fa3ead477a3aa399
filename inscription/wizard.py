"""The six steps of *Inscription à la RAMQ* (INS-3): which forms each step shows (those of Mon dossier
for steps 3 to 6, so that no validation rule is written twice), what it stores in the draft, how it
reads in the summary (INS-5) and what it hands to the completing service.

A step's entries are stored as the submitted form data (field name -> list of values, never a
password) so that the very same forms re-validate them at any later time: when the step is shown
again, in the summary, and before completing. A choice that no longer holds (an agency closed since)
then shows as an error next to its field, and the step asks again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.db.models import Prefetch, prefetch_related_objects
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendrier import paycalendar
from comptes import accounts
from comptes.accounts import BankDetails, payment_in_force
from comptes.constants import AccountKind, AgencyType, PaymentMode, StatementOption
from comptes.exceptions import AgencyRefused, CompanyAccountRefused, MandateRequired
from comptes.forms import AGENCY_REFUSED, COMPANY_ACCOUNT_REFUSED, MANDATE_REQUIRED, PaymentForm, StatementForm
from comptes.models import BillingAccount, BillingAgency, SoftwareDeveloper
from comptes.selectors import agency_at_address, displayed_payment_settings, search_agencies, search_developers
from dossier.addresses import AddressInput
from dossier.constants import RemunerationMode
from dossier.forms import CorrespondenceForm, PlaceFormSet, TelephoneFormSet, correspondence_initial, place_initial
from dossier.models import CorrespondenceAddress, Professional
from dossier.selectors import correspondence_address_on
from inscription.forms import AdministrativeAccountForm, AuthorisationsForm, EngagementForm, SinForm
from inscription.models import RegistrationDraft
from inscription.services import FILE_CHANGED
from ramq_portal import writing

SUMMARY = 7
NOT_STORED = {"csrfmiddlewaretoken", "action", "password", "draft_version", "retour"}
# Kept in the (encrypted) draft but never shown back in full: left blank, the saved value stays.
SECRET_FIELDS = {"sin": "form", "account_number": "form"}


def as_querydict(data: dict) -> QueryDict:
    bound = QueryDict(mutable=True)
    for key, values in data.items():
        bound.setlist(key, list(values))
    return bound


def field_names(forms: dict) -> set[str]:
    """The names the step's forms read (formsets: their management form and each row)."""
    names = {"version", "agence_q", "developpeur_q"}
    for form in forms.values():
        if hasattr(form, "management_form"):
            names |= {form.management_form.add_prefix(name) for name in form.management_form.fields}
            for row in form.forms:
                names |= {row.add_prefix(name) for name in row.fields}
        else:
            names |= {form.add_prefix(name) for name in form.fields}
    return names


def storable(post: QueryDict, forms: dict) -> dict:
    """The step's entries as the draft keeps them: the fields of its forms, never the password or the
    page's controls, nor anything else a request may carry."""
    known = field_names(forms) - NOT_STORED
    return {key: post.getlist(key) for key in post if key in known}


@dataclass
class Context:
    """What the steps read. The file comes with the draft (one query); the rest only when a step needs it."""

    professional: Professional
    draft: RegistrationDraft
    now: datetime

    @property
    def today(self) -> date:
        return self.now.date()

    def stored(self, number: int) -> dict:
        return self.draft.steps.get(str(number), {})

    def with_coordinates(self) -> Professional:
        """The file with its telephones, places and addresses (for steps 3, 4 and the summary)."""
        if not getattr(self, "_coordinates_loaded", False):
            prefetch_related_objects(
                [self.professional], "telephones", "places_of_practice",
                Prefetch("correspondence_addresses",
                         queryset=CorrespondenceAddress.objects.filter(cancelled_at__isnull=True).order_by("effective_from", "recorded_at")),
            )
            self._coordinates_loaded = True
        return self.professional

    @cached_property
    def account(self) -> BillingAccount:
        """The personal account (*Finances personnelles*, DOS-3) with its payment and statement settings."""
        return (
            BillingAccount.objects.select_related("statement_settings")
            .prefetch_related(displayed_payment_settings())
            .get(professional=self.professional, kind=AccountKind.PERSONAL)
        )


@dataclass
class Line:
    label: str
    value: str


@dataclass
class Step:
    number: int
    title: str
    template: str

    def forms(self, ctx: Context, data: QueryDict | None) -> dict:
        return {}

    def valid(self, forms: dict) -> bool:
        return all(form.is_valid() for form in forms.values())

    def shown(self, ctx: Context, forms: dict) -> dict:
        """Facts the page showed when the step was saved (effective dates), to notice when they pass."""
        return {}

    def attention(self, ctx: Context, stored: dict) -> str | None:
        """Why a saved step must be looked at again although its entries still validate."""
        return None

    def current_version(self, ctx: Context) -> int | None:
        """The version of the file's section this step edits (optimistic locking), if any."""
        return None

    def summary(self, ctx: Context, forms: dict) -> list[Line]:
        return []

    def check(self, ctx: Context, forms: dict, by) -> bool:
        """After the forms validate: do the services of Mon dossier accept the entries? Adds the
        refusal next to its field and returns False if not."""
        return True

    def extra_context(self, ctx: Context, forms: dict) -> dict:
        return {}

    def cacheable(self, ctx: Context) -> bool:
        """Whether the step's page, as first shown, reads only the registrant's file and the reference data:
        then it stays the same until one of them is written to (ramq_portal.filecache), and may be cached."""
        return True


class EngagementStep(Step):
    def forms(self, ctx, data):
        initial = {"engaged": ctx.professional.engagement_confirmed_at is not None}
        return {"form": EngagementForm(data, initial=initial)}

    def summary(self, ctx, forms):
        when = ctx.professional.engagement_confirmed_at
        return [Line(_("Engagement envers la RAMQ"), _("Confirmé le %(date)s") % {"date": writing.long_date(when.date())} if when else _("À confirmer"))]


class PersonalStep(Step):
    """Step 2: the file's personal data; the SIN only for fixed fees."""

    @staticmethod
    def asks_sin(ctx) -> bool:
        return ctx.professional.remuneration_mode == RemunerationMode.FIXED_FEES

    def forms(self, ctx, data):
        return {"form": SinForm(data)} if self.asks_sin(ctx) else {}

    def extra_context(self, ctx, forms):
        return {"asks_sin": self.asks_sin(ctx)}

    def summary(self, ctx, forms):
        p = ctx.professional
        lines = [
            Line(_("Nom"), p.last_name),
            Line(_("Prénom"), p.first_name),
            Line(_("Date de naissance"), writing.long_date(p.birth_date)),
            Line(_("Profession"), p.profession.name),
            Line(_("Numéro de professionnel"), p.professional_number),
            Line(_("Mode de rémunération"), p.get_remuneration_mode_display()),
        ]
        if "form" in forms and forms["form"].is_valid():
            sin = forms["form"].cleaned_data["sin"]
            lines.append(Line(_("Numéro d'assurance sociale"), f"••• ••• {sin[-3:]}"))
        return lines


class CorrespondenceStep(Step):
    """Step 3: *Coordonnées de correspondance* (PRO-1, PRO-5, PRO-6, EML, CEL), the form of the Profil tab."""

    def forms(self, ctx, data):
        initial, phones = correspondence_initial(ctx.with_coordinates())
        return {"form": CorrespondenceForm(data, initial=initial), "phones": TelephoneFormSet(data, initial=phones, prefix="tel")}

    def current_version(self, ctx):
        return ctx.professional.correspondence_version

    def _moves(self, ctx, form) -> bool:
        state = correspondence_address_on(ctx.with_coordinates(), ctx.today)
        current = state.pending or state.in_force
        new = form.address_input()
        return not new.matches(current)

    def shown(self, ctx, forms):
        if self._moves(ctx, forms["form"]):
            return {"effective": paycalendar.effective_date(ctx.now).isoformat()}
        return {}

    def attention(self, ctx, stored):
        shown = stored.get("shown", {}).get("effective")
        if shown and shown != paycalendar.effective_date(ctx.now).isoformat():
            return _("La date du paiement indiquée pour votre nouvelle adresse (%(old)s) est passée : elle entrera en vigueur le %(new)s. "
                     "Vérifiez vos coordonnées, puis cliquez sur Continuer.") % {
                "old": writing.long_date(date.fromisoformat(shown)), "new": writing.long_date(paycalendar.effective_date(ctx.now))}
        return None

    def agency_warning(self, forms) -> bool:
        form = forms["form"]
        return bool(form.cleaned_data.get("declared_agency_address")) or agency_at_address(form.address_input()) is not None

    def summary(self, ctx, forms):
        form, phones = forms["form"], forms["phones"]
        if not (form.is_valid() and phones.is_valid()):
            return []
        data = form.cleaned_data
        address = form.address_input()
        lines = [Line(_("Adresse de correspondance"), ", ".join(part for part in (address.line1, address.line2, address.city,
                                                                                  address.province, address.postal_code) if part))]
        shown = ctx.stored(3).get("shown", {}).get("effective")
        if shown:
            lines.append(Line(_("En vigueur le"), writing.long_date(date.fromisoformat(shown))))
        numbers = [f.cleaned_data["number"].as_national for f in phones.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        lines.append(Line(_("Téléphones"), ", ".join(numbers) or _("Aucun")))
        lines.append(Line(_("Cellulaire"), data["cell"].as_national if data.get("cell") else _("Aucun")))
        lines.append(Line(_("Courriel"), data.get("email") or _("Aucun")))
        return lines

    def extra_context(self, ctx, forms):
        # The names the Profil tab's partial (dossier/partials/correspondence_fields.html) reads.
        return {"effective_date": paycalendar.effective_date(ctx.now), "phone_forms": forms["phones"]}


class PracticeStep(Step):
    """Step 4: at least one place of practice (PRO-2), the formset of the Profil tab."""

    def forms(self, ctx, data):
        return {"places": PlaceFormSet(data, initial=place_initial(ctx.with_coordinates()), prefix="lieu")}

    def extra_context(self, ctx, forms):
        return {"formset": forms["places"], "version": ctx.professional.practice_version}

    def current_version(self, ctx):
        return ctx.professional.practice_version

    def summary(self, ctx, forms):
        places = forms["places"]
        if not places.is_valid():
            return []
        return [
            Line(_("Lieu de pratique principal") if p.is_main else _("Lieu de pratique"), f"{p.name}, {p.address.line1}, {p.address.city}")
            for p in places.places() if not p.delete
        ]


class PaymentStep(Step):
    """Step 5: *Mode de paiement (finances personnelles)* (PAI-1..5), authorisations, an optional
    administrative account (CPT-2)."""

    def forms(self, ctx, data):
        state = payment_in_force(ctx.account, ctx.today)
        current = state.pending or state.in_force
        initial = {"version": ctx.account.version, "mode": current.mode if current else PaymentMode.CHEQUE}
        return {
            "form": PaymentForm(data, initial=initial),
            "authorisations": AuthorisationsForm(data),
            "administrative": AdministrativeAccountForm(data),
        }

    def current_version(self, ctx):
        return ctx.account.version

    def cacheable(self, ctx):
        # Joining a group's collective account validates against that account, a row of other files
        # (its holder's and members'): closing it does not change the registrant's file.
        return (ctx.stored(self.number).get("data", {}).get("choice") or [""])[0] != AdministrativeAccountForm.JOIN

    @staticmethod
    def is_transfer(forms) -> bool:
        return forms["form"].is_valid() and forms["form"].cleaned_data["mode"] == PaymentMode.TRANSFER

    def shown(self, ctx, forms):
        if self.is_transfer(forms):
            return {"bank_effective": paycalendar.bank_change_effective_date(ctx.now).isoformat()}
        return {}

    def attention(self, ctx, stored):
        shown = stored.get("shown", {}).get("bank_effective")
        if shown and shown != paycalendar.bank_change_effective_date(ctx.now).isoformat():
            return _("La date de paiement indiquée (%(old)s) est passée : votre compte bancaire servira à partir du paiement du %(new)s. "
                     "Vérifiez, entrez de nouveau votre mot de passe, puis cliquez sur Continuer.") % {
                "old": writing.long_date(date.fromisoformat(shown)), "new": writing.long_date(paycalendar.bank_change_effective_date(ctx.now))}
        return None

    def check(self, ctx, forms, by):
        data = forms["form"].cleaned_data
        try:
            accounts.check_bank_account(account=ctx.account, mode=data["mode"], personal_account_confirmed=data["personal_account_confirmed"])
        except CompanyAccountRefused:
            forms["form"].add_error("personal_account_confirmed", COMPANY_ACCOUNT_REFUSED)
            return False
        return True

    def bank(self, forms) -> BankDetails:
        data = forms["form"].cleaned_data
        return BankDetails(institution=data.get("institution"), transit=data.get("transit", ""), account_number=data.get("account_number", ""))

    def summary(self, ctx, forms):
        form, administrative = forms["form"], forms["administrative"]
        if not (form.is_valid() and administrative.is_valid()):
            return []
        data = form.cleaned_data
        lines = [Line(_("Mode de paiement"), PaymentMode(data["mode"]).label)]
        if data["mode"] == PaymentMode.TRANSFER:
            lines.append(Line(_("Institution financière"), f"{data['institution'].number} — {data['institution'].name}"))
            lines.append(Line(_("Succursale (transit)"), data["transit"]))
            lines.append(Line(_("Numéro de compte"), "•" * (len(data["account_number"]) - 3) + data["account_number"][-3:]))
            shown = ctx.stored(5).get("shown", {}).get("bank_effective")
            if shown:
                lines.append(Line(_("Premier paiement par virement"), writing.long_date(date.fromisoformat(shown))))
        choice = administrative.cleaned_data["choice"]
        label = dict(administrative.fields["choice"].choices)[choice]
        detail = administrative.cleaned_data.get("group_number") if choice == AdministrativeAccountForm.JOIN else administrative.cleaned_data.get("account_name")
        lines.append(Line(_("Compte administratif"), writing.labelled(label, detail) if choice != AdministrativeAccountForm.NONE else label))
        return lines

    def extra_context(self, ctx, forms):
        effective = paycalendar.bank_change_effective_date(ctx.now)
        next_payday = paycalendar.next_payment_date(ctx.now)
        return {"next_payment": paycalendar.next_payment(effective), "bank_effective": effective,
                "old_account_payday": next_payday if next_payday < effective else None, "account": ctx.account}


class StatementStep(Step):
    """Step 6: *Accréditation à la facturation informatisée et coordonnées d'état de compte* (ETC-2..5)."""

    def _address_initial(self, ctx) -> dict:
        """The statement address starts as the correspondence address of step 3 (else the file's)."""
        step3 = ctx.stored(3)
        if step3.get("complete"):
            data = step3["data"]
            return {name: (data.get(name) or [""])[0] for name in ("country", "line1", "line2", "city", "province", "postal_code", "region")}
        statement = getattr(ctx.account, "statement_settings", None)
        if statement is not None:
            return AddressInput.of(statement).as_dict()
        return {"country": "CA"}

    def queries(self, data) -> tuple[str, str]:
        source = data or {}
        agency = "".join(ch for ch in (source.get("agence_q") or "") if ch.isprintable())[:100].strip()
        developer = "".join(ch for ch in (source.get("developpeur_q") or "") if ch.isprintable())[:100].strip()
        return agency, developer

    def forms(self, ctx, data):
        agency_query, developer_query = self.queries(data)
        agencies = search_agencies(agency_query, ctx.professional)
        developers = search_developers(developer_query)
        if data is not None:  # the chosen row stays on screen, even when not among the results (or refused)
            chosen_agency, chosen_developer = _pk(data.get("agency")), _pk(data.get("developer"))
            if chosen_agency and chosen_agency not in {a.pk for a in agencies}:
                agencies += list(BillingAgency.objects.filter(pk=chosen_agency))
            if chosen_developer and chosen_developer not in {d.pk for d in developers}:
                developers += list(SoftwareDeveloper.objects.filter(pk=chosen_developer))
        initial = {"version": ctx.account.version, "option": StatementOption.NONE, **self._address_initial(ctx)}
        form = StatementForm(data, initial=initial, shown_agencies=agencies, shown_developers=developers)
        form.found_agencies, form.found_developers = agencies, developers
        form.agency_query, form.developer_query = agency_query, developer_query
        return {"form": form}

    def current_version(self, ctx):
        return ctx.account.version

    def check(self, ctx, forms, by):
        form = forms["form"]
        data = form.cleaned_data
        if data["option"] != StatementOption.AGENCY:
            return True
        try:
            accounts.check_agency(agency=data["agency"], professional=ctx.professional, mandate_accepted=data["mandate_accepted"])
        except AgencyRefused as exc:
            form.add_error("agency", AGENCY_REFUSED[exc.args[0]])
            return False
        except MandateRequired:
            form.add_error("mandate_accepted", MANDATE_REQUIRED)
            return False
        return True

    def extra_context(self, ctx, forms):
        # The names the Comptes tab's partial (comptes/partials/statement_fields.html) reads.
        form = forms["form"]
        return {"found_agencies": form.found_agencies, "found_developers": form.found_developers, "agency_query": form.agency_query,
                "developer_query": form.developer_query, "dis": AgencyType.DIS, "professional": ctx.professional}

    def summary(self, ctx, forms):
        form = forms["form"]
        if not form.is_valid():
            return []
        data = form.cleaned_data
        lines = [Line(_("Accréditation à la facturation"), StatementOption(data["option"]).label)]
        if data["option"] == StatementOption.AGENCY and data.get("agency"):
            lines.append(Line(_("Agence"), f"{data['agency'].name} — {data['agency'].transmission_number}"))
        if data["option"] == StatementOption.SELF_BILLING and data.get("developer"):
            lines.append(Line(_("Développeur de logiciels"), f"{data['developer'].name} — {data['developer'].number}"))
        if data.get("reception_mode") and data["option"] != StatementOption.NONE:
            lines.append(Line(_("Mode de réception de l'état de compte"), dict(form.fields["reception_mode"].choices)[data["reception_mode"]]))
        address = form.address_input()
        lines.append(Line(_("Adresse de transmission de l'état de compte"),
                          ", ".join(part for part in (address.line1, address.line2, address.city, address.province, address.postal_code) if part)))
        return lines


def _pk(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


STEPS = [
    EngagementStep(1, gettext_lazy("Engagement envers la RAMQ"), "inscription/step_engagement.html"),
    PersonalStep(2, gettext_lazy("Renseignements personnels"), "inscription/step_personal.html"),
    CorrespondenceStep(3, gettext_lazy("Coordonnées de correspondance"), "inscription/step_correspondence.html"),
    PracticeStep(4, gettext_lazy("Coordonnées de pratique"), "inscription/step_practice.html"),
    PaymentStep(5, gettext_lazy("Mode de paiement (finances personnelles)"), "inscription/step_payment.html"),
    StatementStep(6, gettext_lazy("Accréditation à la facturation informatisée et coordonnées d'état de compte"),
                  "inscription/step_statement.html"),
]
BY_NUMBER = {step.number: step for step in STEPS}


def first_incomplete(draft: RegistrationDraft) -> int:
    """The first step not saved with Continuer (SUMMARY when all six are)."""
    for step in STEPS:
        if not draft.steps.get(str(step.number), {}).get("complete"):
            return step.number
    return SUMMARY


def bound_forms(step: Step, ctx: Context) -> dict:
    """The step's forms bound to its saved entries (or unbound, from the file, if none)."""
    stored = ctx.stored(step.number)
    return step.forms(ctx, as_querydict(stored["data"]) if "data" in stored else None)


def with_kept_secrets(post: QueryDict, stored: dict) -> QueryDict:
    """A SIN or bank account number left blank keeps the one saved for the step."""
    saved = stored.get("data", {})
    blanks = [name for name in SECRET_FIELDS if name in post and not post.get(name, "").strip() and (saved.get(name) or [""])[0]]
    if not blanks:
        return post
    post = post.copy()
    for name in blanks:
        post.setlist(name, saved[name])
    return post


def hide_secrets(forms: dict, stored: dict) -> None:
    """Render the saved SIN or bank account number blank, saying which one is kept (its last 3 digits).
    A number the professional just typed (a new one) is shown as typed, like any field in error."""
    saved = stored.get("data", {})
    for name, form_key in SECRET_FIELDS.items():
        form = forms.get(form_key)
        value = "".join(ch for ch in (saved.get(name) or [""])[0] if ch.isdigit())
        if form is None or name not in form.fields or not value or not form.is_bound:
            continue
        if "".join(ch for ch in str(form.data.get(name, "")) if ch.isdigit()) != value:
            continue
        form.is_valid()  # the errors are those of the saved value, computed before it is blanked
        form.data = form.data.copy()
        form.data[name] = ""
        form.fields[name].help_text = _("Un numéro se terminant par %(last3)s est enregistré : laissez ce champ vide pour le conserver.") % {
            "last3": value[-3:]}


def shown_again(step: Step, ctx: Context) -> dict:
    """The forms of a step shown again: its saved entries, with their errors only if the step had been
    finished (then an error means the entries no longer hold: an agency closed since). Entries kept by
    Précédent, Quitter or a search are shown as typed, without errors until Continuer."""
    forms = bound_forms(step, ctx)
    if not ctx.stored(step.number).get("complete"):
        for form in forms.values():
            form.is_valid()
            for inner in getattr(form, "forms", [form]):
                inner._errors = ErrorDict()
            if hasattr(form, "_non_form_errors"):  # a formset
                form._errors = [inner._errors for inner in form.forms]
                form._non_form_errors = form.error_class()
    return forms


@dataclass
class Review:
    """The summary: every step's lines, and the first step that must be looked at again, with why."""

    parts: list[tuple[Step, list[Line]]] = field(default_factory=list)
    forms: dict[int, dict] = field(default_factory=dict)
    needs: tuple[int, str] | None = None


def review(ctx: Context) -> Review:
    """INS-5: re-validate every saved step with today's reference data and today's dates."""
    result = Review()
    for step in STEPS:
        stored = ctx.stored(step.number)
        forms = bound_forms(step, ctx)
        result.forms[step.number] = forms
        if result.needs is None:
            if not stored.get("complete"):
                result.needs = (step.number, _("Cette étape n'est pas terminée."))
            elif not step.valid(forms):
                result.needs = (step.number, _("Certains renseignements de cette étape ne sont plus valides (par exemple une agence "
                                               "qui n'est plus active) : corrigez-les, puis cliquez sur Continuer."))
            elif step.current_version(ctx) is not None and str(step.current_version(ctx)) != (stored["data"].get("version") or [""])[0]:
                result.needs = (step.number, str(FILE_CHANGED))
            else:
                reason = step.attention(ctx, stored)
                if reason:
                    result.needs = (step.number, reason)
        result.parts.append((step, step.summary(ctx, forms) if step.valid(forms) else []))
    return result
