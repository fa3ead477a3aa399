from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calendrier import paycalendar
from dossier import history, profile, signals, tokens
from dossier.constants import CHOOSABLE_KINDS, TokenPurpose, TokenState
from dossier.exceptions import CannotRemoveOnlyMainPlace, NoPendingCode, NotEnrolled, ResendTooSoon, StaleEdit, TooManyMessages
from dossier.forms import (
    CellCodeForm,
    CorrespondenceForm,
    PlaceFormSet,
    PreferencesForm,
    SignInForm,
    TelephoneFormSet,
    correspondence_initial,
    place_initial,
)
from dossier.decorators import file_page, registration_pending
from dossier.middleware import SESSION_KEY as RETURNED_MAIL
from dossier.selectors import (
    correspondence_address_on,
    email_status,
    live_email_link_expiry,
    own_professional,
    preference_lines,
    professional_for_user,
)
from ramq_portal import clock, filecache, writing
from ramq_portal.middleware import SESSION_EXPIRED_TAG

# Issue 16 (dossier.tokens' limits): what the professional reads when a code or a link cannot go out.
TOO_MANY = {
    TokenPurpose.CELL: gettext_lazy("Trop de codes de confirmation ont été envoyés récemment, à ce numéro ou pour votre dossier. "
                                    "Rien n'a été enregistré : réessayez plus tard, ou communiquez avec la Régie."),
    TokenPurpose.EMAIL: gettext_lazy("Trop de liens de validation ont été envoyés récemment, à cette adresse ou pour votre dossier. "
                                     "Rien n'a été enregistré : réessayez plus tard, ou communiquez avec la Régie."),
}

STALE = gettext_lazy("Cette section a été modifiée ailleurs (dans un autre onglet ou par la Régie) depuis que vous l'avez ouverte. "
          "Rien n'a été enregistré : voici les données à jour, refaites vos changements.")


# The sign-in page's address after the browser's timer ended a session (static/js/session.js, HLP-2).
SESSION_EXPIRED_PARAMETER = ("session", "expiree")


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        """HLP-2: the page says the session expired, whether the server found it (its message, shown by
        the shell) or the browser's timer did (the address says so); never twice. `next` stays the one
        LoginView validated."""
        context = super().get_context_data(**kwargs)
        name, value = SESSION_EXPIRED_PARAMETER
        said = any(SESSION_EXPIRED_TAG in (message.extra_tags or "") for message in messages.get_messages(self.request))
        context["session_expired_notice"] = self.request.GET.get(name) == value and not said
        return context


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout page: the same for every username, known or not."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


@require_GET
@login_required
def home(request):
    """After sign-in: Mon dossier, or the registration wizard where it stopped (INS-4)."""
    if registration_pending(request):
        return redirect("inscription:resume")
    return redirect("dossier:profil")


def _posted(request):
    """The POST data of a POST (even an empty one, which must show errors), None on GET."""
    return request.POST if request.method == "POST" else None


@require_GET
@login_required
@file_page("profil")
def profil(request, page):
    """The Profil tab: each section read-only with *Modifier*; values in force and pending ones. Served
    from the file's page cache (ramq_portal.filecache) while the file does not change."""

    def build():
        professional = professional_for_user(request.user)
        telephones = list(professional.telephones.all())
        preferences = preference_lines(professional, page.day)
        if getattr(professional, "email_link_live", False):
            page.valid_until = live_email_link_expiry(professional)  # the email status changes then
        return {
            "professional": professional,
            "address": correspondence_address_on(professional, page.day),
            "telephones": telephones,
            # PRO-3: at least 2 numbers recommended, the cell counting as one.
            "phone_count": len(telephones) + (1 if professional.cell_number else 0),
            "places": professional.places_of_practice.all(),
            "email_status": email_status(professional),
            "preferences": preferences,
            "has_pending_preferences": any(line.pending for line in preferences),
        }

    names = ("professional", "address", "telephones", "phone_count", "places", "email_status", "preferences", "has_pending_preferences")
    return render(request, "dossier/profil.html", {"file_page": page, "active_tab": "profil", **filecache.lazily(build, *names)})


# --- Coordonnées de correspondance ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@file_page("edit_correspondence")
def edit_correspondence(request, page):
    if page is not None:  # GET: the page as first shown
        return _form_page(request, page, "dossier/edit_correspondence.html", _correspondence_context)
    context = _correspondence_context(request)
    professional, form, phone_forms = context["professional"], context["form"], context["phone_forms"]
    if form.is_valid() and phone_forms.is_valid():
        data = form.cleaned_data
        try:
            result = profile.update_correspondence(
                professional=professional, expected_version=data["version"], address=form.address_input(),
                declared_agency_address=data["declared_agency_address"], telephones=phone_forms.telephones(),
                cell=data["cell"].as_e164 if data.get("cell") else "", email=data.get("email") or "", by=request.user,
            )
        except StaleEdit:
            messages.error(request, STALE)
            return redirect("dossier:edit_correspondence")
        except TooManyMessages as refused:
            form.add_error("cell" if refused.purpose == TokenPurpose.CELL else "email", TOO_MANY[refused.purpose])
            return render(request, "dossier/edit_correspondence.html", {**context, "active_tab": "profil"})
        messages.success(request, _("Vos coordonnées de correspondance ont été enregistrées."))
        if result.address_effective_from:
            messages.info(request, _("Votre nouvelle adresse entrera en vigueur le %(date)s. D'ici là, nos lettres sont envoyées à l'adresse actuelle.") % {"date": writing.long_date(result.address_effective_from)})
        if data["declared_agency_address"] or signals.billing_agency_at(form.address_input()) is not None:
            messages.warning(request, _("Cette adresse semble être celle d'une agence de facturation. Nos lettres pourraient vous parvenir trop tard et vous pourriez perdre des recours : nous vous recommandons une adresse personnelle."))
        if result.email_link_sent:
            messages.info(request, _("Un lien de validation a été envoyé à %(email)s. Il est valide 5 jours. D'ici là, aucun avis ne vous est envoyé par courriel.") % {"email": data["email"]})
        if result.cell_code_sent:
            messages.info(request, _("Un code de confirmation a été envoyé par message texte à votre cellulaire."))
            return redirect("dossier:confirm_cell")
        return redirect("dossier:profil")
    return render(request, "dossier/edit_correspondence.html", {**context, "active_tab": "profil"})


def _correspondence_context(request) -> dict:
    professional = professional_for_user(request.user, ("telephones", "addresses"))
    initial, phones = correspondence_initial(professional)
    return {
        "professional": professional, "form": CorrespondenceForm(_posted(request), initial=initial),
        "phone_forms": TelephoneFormSet(_posted(request), initial=phones, prefix="tel"),
        "effective_date": paycalendar.effective_date(clock.now()),
    }


def _form_page(request, page, template: str, build) -> HttpResponse:
    """An edit page as first shown (GET): its forms hold the file's values, so that it is the same
    until the file changes, and comes from the file's page cache (ramq_portal.filecache) meanwhile."""
    names = ("professional", "form", "phone_forms", "formset", "version", "lines", "effective_date")
    context = filecache.lazily(lambda: {name: None for name in names} | build(request), *names)
    return render(request, template, {"file_page": page, "active_tab": "profil", **context})


@require_POST
@login_required
def cancel_pending_address(request):
    professional = own_professional(request.user)
    if profile.cancel_pending_address(professional=professional, by=request.user):
        messages.success(request, _("Le changement d'adresse en attente a été annulé."))
    return redirect("dossier:profil")


# --- Courriel -------------------------------------------------------------------------------------


@require_POST
@login_required
def resend_email_link(request):
    professional = own_professional(request.user)
    try:
        profile.resend_email_link(professional=professional, by=request.user)
    except ResendTooSoon:
        messages.error(request, _("Un lien vient d'être envoyé. Attendez une minute avant d'en demander un autre."))
    except TooManyMessages:
        messages.error(request, TOO_MANY[TokenPurpose.EMAIL])
    except NoPendingCode:
        messages.error(request, _("Aucune adresse de courriel n'attend de validation."))
    else:
        messages.success(request, _("Un nouveau lien de validation a été envoyé à %(email)s. Il est valide 5 jours.") % {"email": professional.email})
    return redirect("dossier:profil")


DEAD_LINK_MESSAGES = {
    TokenState.USED: gettext_lazy("Ce lien a déjà été utilisé : un lien de validation ne sert qu'une fois."),
    TokenState.SUPERSEDED: gettext_lazy("Ce lien a été remplacé par un lien plus récent. Utilisez le dernier courriel reçu."),
    TokenState.EXPIRED: gettext_lazy("Ce lien a expiré : il n'était valide que 5 jours. L'adresse reste à votre dossier, mais aucun avis ne lui est envoyé tant qu'elle n'est pas validée."),
    TokenState.TARGET_CHANGED: gettext_lazy("Ce lien ne vaut plus : l'adresse de courriel de votre dossier a été changée depuis son envoi."),
    "invalide": gettext_lazy("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."),
}


@require_http_methods(["GET", "POST"])
def validate_email(request, key):
    """EML-3/EML-4: GET shows a confirm button (mail scanners follow links); POST activates."""
    if request.method == "POST":
        outcome = profile.validate_email(key=key)
        if outcome.ok:
            return render(request, "dossier/email_validated.html", {"email": outcome.professional.email})
        return render(request, "dossier/email_link_dead.html", {"reason": DEAD_LINK_MESSAGES[outcome.reason], "code": outcome.reason}, status=410)
    token = tokens.find_email_token(key)
    reason = "invalide" if token is None else tokens.death(token, clock.now())
    if reason is not None:
        email_done = token is not None and reason == TokenState.USED and token.professional.has_activated_email
        return render(request, "dossier/email_link_dead.html", {"reason": DEAD_LINK_MESSAGES[reason], "code": reason, "email_done": email_done}, status=410)
    return render(request, "dossier/email_validate.html", {"email": token.target})


# --- Cellulaire -----------------------------------------------------------------------------------


CODE_MESSAGES = {
    TokenState.EXPIRED: gettext_lazy("Ce code a expiré (il est valide 10 minutes). Demandez un nouveau code."),
    TokenState.LOCKED: gettext_lazy("Trop d'essais infructueux : ce code ne fonctionne plus. Demandez un nouveau code."),
    TokenState.USED: gettext_lazy("Ce code a déjà été utilisé."),
    TokenState.SUPERSEDED: gettext_lazy("Un code plus récent a été envoyé : entrez le dernier code reçu."),
    TokenState.TARGET_CHANGED: gettext_lazy("Le numéro de cellulaire a été changé : un nouveau code est nécessaire."),
    TokenState.NOT_SENT: gettext_lazy("Le code n'a pas pu vous être envoyé par message texte. Demandez un nouveau code."),
}


@require_http_methods(["GET", "POST"])
@login_required
def confirm_cell(request):
    professional = own_professional(request.user)
    if professional.has_confirmed_cell:
        messages.info(request, _("Votre numéro de cellulaire est déjà confirmé."))
        return redirect("dossier:profil")
    form = CellCodeForm(_posted(request))
    if request.method == "GET" and tokens.latest_cell_code_state(professional) == TokenState.NOT_SENT:
        messages.error(request, CODE_MESSAGES[TokenState.NOT_SENT])  # said at once, with the way to a new code below
    if request.method == "POST" and form.is_valid():
        try:
            outcome = profile.confirm_cell(professional=professional, code=form.cleaned_data["code"].strip())
        except NoPendingCode:
            form.add_error(None, _("Aucun code n'attend de confirmation. Demandez un nouveau code."))
        else:
            if outcome.ok:
                messages.success(request, _("Votre numéro de cellulaire est confirmé."))
                return redirect("dossier:profil")
            if outcome.reason == "wrong":
                form.add_error("code", _("Ce code n'est pas le bon. Il vous reste %(count)d essai(s).") % {"count": outcome.remaining_attempts})
            else:
                form.add_error("code", CODE_MESSAGES[outcome.reason])
    return render(request, "dossier/confirm_cell.html", {"professional": professional, "form": form, "active_tab": "profil"})


@require_POST
@login_required
def resend_cell_code(request):
    professional = own_professional(request.user)
    try:
        profile.resend_cell_code(professional=professional)
    except ResendTooSoon:
        messages.error(request, _("Un code vient d'être envoyé. Attendez une minute avant d'en demander un autre."))
    except TooManyMessages:
        messages.error(request, TOO_MANY[TokenPurpose.CELL])
    except NoPendingCode:
        messages.error(request, _("Aucun numéro de cellulaire n'attend de confirmation."))
        return redirect("dossier:profil")
    else:
        messages.success(request, _("Un nouveau code a été envoyé. Le code précédent ne fonctionne plus."))
    return redirect("dossier:confirm_cell")


# --- Coordonnées de pratique --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@file_page("edit_practice")
def edit_practice(request, page):
    if page is not None:  # GET: the page as first shown
        return _form_page(request, page, "dossier/edit_practice.html", _practice_context)
    context = _practice_context(request)
    professional, formset, version = context["professional"], context["formset"], context["version"]
    if formset.is_valid():
        try:
            profile.update_practice(
                professional=professional, expected_version=int(version or 0), places=formset.places(), by=request.user
            )
        except (StaleEdit, ValueError):
            messages.error(request, STALE)
            return redirect("dossier:edit_practice")
        except CannotRemoveOnlyMainPlace:
            formset._non_form_errors = formset.error_class([_("Indiquez un seul lieu de pratique principal.")])
        else:
            messages.success(request, _("Vos coordonnées de pratique ont été enregistrées."))
            return redirect("dossier:profil")
    return render(request, "dossier/edit_practice.html", {**context, "active_tab": "profil"})


def _practice_context(request) -> dict:
    professional = professional_for_user(request.user, ("places",))
    return {
        "professional": professional, "formset": PlaceFormSet(_posted(request), initial=place_initial(professional), prefix="lieu"),
        "version": request.POST.get("version") if request.method == "POST" else professional.practice_version,
    }


# --- Préférences de correspondance --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@file_page("edit_preferences")
def edit_preferences(request, page):
    if page is not None:  # GET: the page as first shown
        return _form_page(request, page, "dossier/edit_preferences.html", _preferences_context)
    context = _preferences_context(request)
    professional, form = context["professional"], context["form"]
    if form.is_valid():
        try:
            effective = profile.change_preferences(
                professional=professional, expected_version=form.cleaned_data["version"],
                choices={kind: form.cleaned_data[kind] for kind in CHOOSABLE_KINDS}, by=request.user,
            )
        except StaleEdit:
            messages.error(request, STALE)
            return redirect("dossier:edit_preferences")
        except NotEnrolled:
            messages.error(request, _("Seul un professionnel inscrit aux services en ligne peut choisir ses préférences."))
            return redirect("dossier:profil")
        if effective:
            messages.success(request, _("Vos préférences ont été enregistrées. Elles entreront en vigueur le %(date)s.") % {"date": writing.long_date(effective)})
        else:
            messages.info(request, _("Aucun changement à vos préférences."))
        return redirect("dossier:profil")
    return render(request, "dossier/edit_preferences.html", {**context, "active_tab": "profil"})


def _preferences_context(request) -> dict:
    professional = professional_for_user(request.user, ("preferences",))
    lines = preference_lines(professional, clock.today())
    initial = {"version": professional.preferences_version}
    initial.update({line.kind: (line.pending.channel if line.pending else line.in_force) for line in lines if not line.locked})
    return {
        "professional": professional, "form": PreferencesForm(_posted(request), initial=initial), "lines": lines,
        "effective_date": paycalendar.effective_date(clock.now()),
    }


@require_POST
@login_required
def cancel_pending_preferences(request):
    professional = own_professional(request.user)
    if profile.cancel_pending_preferences(professional=professional, by=request.user):
        messages.success(request, _("Les changements de préférences en attente ont été annulés."))
    return redirect("dossier:profil")


# --- Historique ------------------------------------------------------------------------------------------


def _history_position(request) -> tuple[int, str, str]:
    """The history page asked for: its number and its keyset bounds (dossier.history)."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return number, request.GET.get("avant", "")[:80], request.GET.get("apres", "")[:80]


@require_GET
@login_required
@file_page("historique", vary=lambda request: _history_position(request))
def file_history(request, file_page):
    """BEY-6: what changed in my file, when, and by whom, newest first, a page at a time; from the file's
    page cache (ramq_portal.filecache) while the file does not change."""
    number, older_than, newer_than = _history_position(request)

    def build():
        professional = own_professional(request.user)
        page = history.page_for(professional, number=number, older_than=older_than or None, newer_than=newer_than or None)
        return {"professional": professional, "page": page, "entries": page.entries}

    return render(request, "dossier/history.html", {
        "file_page": file_page, "active_tab": "profil", "position": f"{number}:{older_than}:{newer_than}",
        **filecache.lazily(build, "professional", "page", "entries"),
    })


# --- Courrier retourné (BEY-8) -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def confirm_coordinates(request):
    """After returned mail: confirm the coordinates on file, or correct them."""
    professional = professional_for_user(request.user)
    if request.method == "POST":
        profile.confirm_coordinates(professional=professional, by=request.user)
        request.session[RETURNED_MAIL] = False
        messages.success(request, _("Merci : vos coordonnées sont confirmées."))
        return redirect("dossier:home")
    if professional.returned_mail_at is None:
        return redirect("dossier:profil")
    return render(request, "dossier/confirm_coordinates.html", {
        "professional": professional, "address": correspondence_address_on(professional, clock.today()),
        "telephones": professional.telephones.all(), "registrant": professional,
    })
