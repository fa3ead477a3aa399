"""Inscription à la RAMQ: enrolment to the online services (INS-1, INS-2), the wizard (INS-3..6), the
page for those who do not register (INS-7), and recovery of a forgotten password."""
from __future__ import annotations

from datetime import date

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptes.confirmation import password_confirmed
from comptes.constants import PaymentMode, StatementOption
from dossier.decorators import file_page, remember_registration_state
from dossier.selectors import own_professional
from dossier.services import confirm_engagement
from inscription import enrolment, selectors, services, wizard
from inscription.exceptions import EnrolmentRefused, StaleDraft, StepNeedsAttention, UsernameTaken
from inscription.forms import AccountForm, ForgottenUsernameForm, ReferenceForm, SecretAnswersForm
from inscription.wizard import BY_NUMBER, STEPS, SUMMARY
from ramq_portal import clock, throttle, writing

# The wizard's pages as shown by a GET are the same until the registrant's file or draft changes (every
# write to either bumps the file's version): they are kept whole in the file's page cache
# (ramq_portal.filecache.serve, through dossier.decorators.file_page) under these names, and served from
# it before anything of the file is read. A page is kept only when it was built by a request that went
# through every check of the page (not registered, the step reachable, already the current step,
# nothing to warn about) under that very version of the file and the draft, so that they hold for the
# requests it is served to as well.
STEP_PAGE = "inscription-etape"
SUMMARY_PAGE = "inscription-recapitulatif"

ENROLMENT_SESSION_KEY = "inscription.enrolment"
RECOVERY_SESSION_KEY = "inscription.recovery"
DONE_SESSION_KEY = "inscription.done"


def _window() -> int:
    return int(settings.ENROLMENT_FAILURE_WINDOW.total_seconds())


def _ip(request) -> str:
    return "ip:" + (get_client_ip_address(request) or "?")


def _allowed(request, scope: str, who: str = "") -> bool:
    """Whether this attempt may go on: the failures from this IP address stay under twice the limit, and
    the attempts on `who` (a licence number, a username) under the limit. Attempts on `who` are counted
    before the check, so that parallel requests cannot all slip through; cleared on success."""
    limit = settings.ENROLMENT_FAILURE_LIMIT
    if throttle.is_blocked(scope, _ip(request), limit=limit * 2):
        return False
    return throttle.attempt(scope, who, limit=limit, window_seconds=_window()) if who else True


def _failed(request, scope: str) -> None:
    throttle.count(scope, _ip(request), window_seconds=_window())


def _username_taken(request, who: str) -> None:
    """Issue 16: one more "already taken" answer, for the address and for the file (`who`)."""
    _failed(request, "username")
    throttle.count("username", who, window_seconds=_window())


def _too_many_response(request, template: str, context: dict):
    minutes = int(settings.ENROLMENT_FAILURE_WINDOW.total_seconds() // 60)
    messages.error(request, _("Trop d'essais infructueux. Pour votre sécurité, réessayez dans %(minutes)s minutes.") % {"minutes": minutes})
    return render(request, template, context, status=429)


# --- public pages --------------------------------------------------------------------------------------------


@require_GET
def start(request):
    """*Inscription à la RAMQ*: what to have at hand, and the ways in."""
    return render(request, "inscription/start.html")


@require_GET
def not_registering(request):
    """INS-7: non-participation or disengagement, by form 1378; no wizard."""
    return render(request, "inscription/not_registering.html")


# --- enrolment (INS-1, INS-2) ---------------------------------------------------------------------------------


def _enrol_context(form) -> dict:
    return {"form": form, "policy_version": enrolment.SECURITY_POLICY_VERSION, "idle_minutes": settings.SESSION_COOKIE_AGE // 60}


@require_http_methods(["GET", "POST"])
def enrol(request):
    """First page: reference number, identity, security policy. One refusal for every mismatch."""
    if request.user.is_authenticated:
        return redirect("dossier:home")
    form = ReferenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        who = "licence:" + data["licence_number"]
        if not _allowed(request, "enrolment", who):
            return _too_many_response(request, "inscription/enrol.html", _enrol_context(form))
        identity = enrolment.Identity(last_name=data["last_name"], first_name=data["first_name"], birth_date=data["birth_date"],
                                      licence_number=data["licence_number"])
        try:
            professional = enrolment.find_file(reference_number=data["reference_number"], identity=identity)
        except EnrolmentRefused:
            _failed(request, "enrolment")
            form.add_error(None, _("Le numéro de référence ou les renseignements d'identité ne correspondent pas à nos dossiers, "
                                   "ou ce numéro a déjà servi. Vérifiez la lettre reçue par la poste et réessayez."))
        else:
            throttle.clear("enrolment", who)
            # Only the file's id and the hash of its reference number: the session never holds the number
            # or the identity typed (DOS-2).
            request.session[ENROLMENT_SESSION_KEY] = {
                "professional": professional.pk, "reference_hash": professional.reference_number_hash,
                "verified_at": clock.now().isoformat(),
            }
            return redirect("inscription:enrol_account")
    return render(request, "inscription/enrol.html", _enrol_context(form))


@require_http_methods(["GET", "POST"])
def enrol_account(request):
    """Second page: username, password, secret questions; then the reference number is used up."""
    state = request.session.get(ENROLMENT_SESSION_KEY)
    if request.user.is_authenticated:
        return redirect("dossier:home")
    if not state:
        messages.info(request, _("Commencez par entrer votre numéro de référence."))
        return redirect("inscription:enrol")
    professional = enrolment.verified_file(professional_id=state.get("professional"), reference_hash=state.get("reference_hash", ""),
                                           verified_at=state.get("verified_at", ""))
    if professional is None:
        request.session.pop(ENROLMENT_SESSION_KEY, None)
        messages.error(request, _("Ce numéro de référence a déjà servi, ou la vérification de votre identité date de plus de 30 minutes. "
                                  "Recommencez, ou connectez-vous avec votre nom d'utilisateur."))
        return redirect("inscription:enrol")
    form = AccountForm(request.POST if request.method == "POST" else None, professional=professional)
    # Issue 16: "already taken" says a username exists; from one file or one address, only a few such
    # answers are given in the window, so that the page cannot be used to list usernames.
    who = f"p:{professional.pk}"
    if request.method == "POST" and (not _allowed(request, "username")
                                     or throttle.is_blocked("username", who, limit=settings.ENROLMENT_FAILURE_LIMIT)):
        return _too_many_response(request, "inscription/enrol_account.html", {"form": AccountForm(professional=professional),
                                                                              "registrant": professional})
    if request.method == "POST" and not form.is_valid() and form.has_error("username", code="taken"):
        _username_taken(request, who)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = enrolment.enrol(professional_id=professional.pk, reference_hash=state["reference_hash"], username=data["username"],
                                   password=data["password1"], answers=form.answers())
        except UsernameTaken:
            _username_taken(request, who)
            form.add_error("username", _("Ce nom d'utilisateur est déjà pris. Choisissez-en un autre."))
        except EnrolmentRefused:  # used meanwhile, from another window
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            messages.error(request, _("Ce numéro de référence a déjà servi. Connectez-vous avec votre nom d'utilisateur."))
            return redirect("login")
        else:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            login(request, user, backend="ramq_portal.auth_backends.CachedModelBackend")
            messages.success(request, _("Votre compte des services en ligne est créé. Votre nom d'utilisateur et votre mot de passe ont "
                                        "valeur de signature : ne les confiez à personne."))
            return redirect("inscription:resume")
    return render(request, "inscription/enrol_account.html", {"form": form, "registrant": professional})


# --- forgotten password ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def forgot(request):
    """The username first; then the secret questions, or a link to the activated email."""
    form = ForgottenUsernameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if request.POST.get("action") == "courriel":
            if not _allowed(request, "recovery-email", "u:" + username):  # each request counts: no mail bombing
                return _too_many_response(request, "registration/forgot.html", {"form": form})
            enrolment.send_password_link(username=username)
            messages.info(request, _("Si ce nom d'utilisateur a un courriel activé à son dossier, un lien pour choisir un nouveau mot "
                                     "de passe vient d'y être envoyé. Il est valide une heure."))
            return redirect("login")
        request.session[RECOVERY_SESSION_KEY] = username
        return redirect("inscription:forgot_questions")
    return render(request, "registration/forgot.html", {"form": form})


@require_http_methods(["GET", "POST"])
def forgot_questions(request):
    username = request.session.get(RECOVERY_SESSION_KEY)
    if not username:
        return redirect("inscription:forgot")
    questions = enrolment.questions_for(username)
    form = SecretAnswersForm(request.POST if request.method == "POST" else None, questions=questions, username=username)
    if request.method == "POST" and form.is_valid():
        if not _allowed(request, "recovery", "u:" + username):
            return _too_many_response(request, "registration/forgot_questions.html", {"form": form})
        if enrolment.reset_password_with_answers(username=username, answers=form.answers(), new_password=form.cleaned_data["password1"]):
            request.session.pop(RECOVERY_SESSION_KEY, None)
            throttle.clear("recovery", "u:" + username)
            messages.success(request, _("Votre nouveau mot de passe est enregistré. Connectez-vous avec celui-ci."))
            return redirect("login")
        _failed(request, "recovery")
        form.add_error(None, _("Au moins une réponse ne correspond pas. Les majuscules et les accents ne comptent pas."))
    return render(request, "registration/forgot_questions.html", {"form": form})


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """The link sent to the activated email (Django's signed, one-time token)."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            enrolment.announce_new_password(self.user)
        messages.success(self.request, _("Votre nouveau mot de passe est enregistré. Connectez-vous avec celui-ci."))
        return response


# --- the wizard (INS-3..6) --------------------------------------------------------------------------------------------


def _context(request):
    """The signed-in professional's draft (their own only: nothing in the URL names it), or a redirect
    when the registration is already complete."""
    professional = selectors.registrant(request.user)
    if professional.is_registered:
        return None
    draft = services.draft_for(professional)
    return wizard.Context(professional=professional, draft=draft, now=clock.now())


def _already_registered(request):
    messages.info(request, _("Votre inscription à la RAMQ est terminée. Vos renseignements se modifient dans Mon dossier."))
    return redirect("dossier:profil")


def _progress(ctx, current: int) -> list[dict]:
    reachable = wizard.first_incomplete(ctx.draft)
    items = [
        {"number": step.number, "title": step.title, "done": bool(ctx.stored(step.number).get("complete")),
         "current": step.number == current, "reachable": step.number <= reachable}
        for step in STEPS
    ]
    items.append({"number": SUMMARY, "title": _("Récapitulatif"), "done": False, "current": current == SUMMARY,
                  "reachable": reachable == SUMMARY})
    return items


@require_GET
@login_required
def resume(request):
    """INS-4: back where the professional stopped (never past the first unfinished step)."""
    ctx = _context(request)
    if ctx is None:
        return _already_registered(request)
    target = min(ctx.draft.current_step, wizard.first_incomplete(ctx.draft))
    return redirect("inscription:summary") if target == SUMMARY else redirect("inscription:step", number=target)


def _step_url(number: int, back_to_summary: bool = False) -> str:
    if number >= SUMMARY:
        return reverse("inscription:summary")
    url = reverse("inscription:step", args=[number])
    return url + "?retour=recapitulatif" if back_to_summary else url


def _back_to_summary(request) -> bool:
    return (request.POST if request.method == "POST" else request.GET).get("retour") == "recapitulatif"


@require_http_methods(["GET", "POST"])
@login_required
@file_page(STEP_PAGE, vary=lambda request, number: (number, _back_to_summary(request)))
def step(request, page, number: int):
    current = BY_NUMBER.get(number)
    back_to_summary = _back_to_summary(request)
    ctx = _context(request)
    if ctx is None:
        return _already_registered(request)
    reachable = wizard.first_incomplete(ctx.draft)
    if current is None or number > reachable:
        messages.info(request, _("Terminez d'abord cette étape."))
        return redirect(_step_url(reachable))
    if request.method == "POST":
        response, forms = _post_step(request, ctx, current, back_to_summary)
        if response is not None:
            return response
    else:
        forms = wizard.shown_again(current, ctx)
        services.move_to(draft=ctx.draft, step=number)
        stored = ctx.stored(number)
        reason = current.attention(ctx, stored) if stored.get("complete") else None
        if reason:
            messages.warning(request, reason)
        if not current.cacheable(ctx):  # (a page with a warning is never kept: serve keeps none with messages)
            page.keep_not()
    return _render_step(request, ctx, current, forms, back_to_summary)


def _render_step(request, ctx, current, forms, back_to_summary, status=200):
    """The step's page (kept by filecache.serve when it is a GET's, see STEP_PAGE)."""
    wizard.hide_secrets(forms, ctx.stored(current.number))
    error_forms = [form for form in forms.values() if not hasattr(form, "management_form")]  # formsets have their own
    context = {
        "error_forms": error_forms, "has_errors": any(form.is_bound and form.errors for form in error_forms),
        "step": current, "progress": _progress(ctx, current.number), "draft": ctx.draft, "kept_until": services.kept_until(ctx.draft),
        "registrant": ctx.professional, "back_to_summary": back_to_summary, "previous": current.number - 1 if current.number > 1 else None,
        **forms, **current.extra_context(ctx, forms),
    }
    return render(request, current.template, context, status=status)


def _post_step(request, ctx, current, back_to_summary):
    """Continuer validates and saves; Précédent, Quitter and the searches keep what is on screen as typed
    (the step then counts as unfinished if it changed). Returns (response, None), or (None, forms) to
    show the forms' errors."""
    action = request.POST.get("action", "continuer")
    number = current.number
    if request.POST.get("draft_version") != str(ctx.draft.version):
        messages.error(request, _("Votre inscription a été modifiée dans une autre fenêtre. Rien n'a été enregistré : voici les "
                                  "renseignements à jour."))
        return redirect(_step_url(number, back_to_summary)), None
    stored = ctx.stored(number)
    posted = wizard.with_kept_secrets(request.POST, stored)
    forms = current.forms(ctx, posted)
    data = wizard.storable(posted, forms)
    if number == 6 and action in ("chercher_agence", "chercher_developpeur", "annuler_recherche"):
        data = _search(data, action)
    if action != "continuer":
        unchanged = stored.get("data") == data and stored.get("complete", False)
        try:
            services.save_step(draft=ctx.draft, expected_version=ctx.draft.version, number=number, data=data, complete=unchanged,
                               shown=stored.get("shown", {}) if unchanged else {},
                               go_to=number - 1 if action == "precedent" and number > 1 else number)
        except StaleDraft:
            messages.error(request, _("Votre inscription a été modifiée dans une autre fenêtre. Rien n'a été enregistré : voici les "
                                      "renseignements à jour."))
            return redirect(_step_url(number, back_to_summary)), None
        if action == "quitter":
            kept = services.kept_until(ctx.draft)
            logout(request)
            messages.success(request, _("Votre inscription est enregistrée. Vous la reprendrez à la même étape en vous connectant, "
                                        "d'ici le %(date)s.") % {"date": writing.long_date(kept)})
            return redirect("login"), None
        if action == "precedent" and number > 1:
            return redirect(_step_url(number - 1, back_to_summary)), None
        # After a search, straight to its results (the form posts to the bare path: no fragment lingers).
        return redirect(_step_url(number, back_to_summary) + ("#resultats" if action.startswith("chercher") else "")), None

    version = current.current_version(ctx)
    if version is not None and posted.get("version") != str(version):
        if (stored.get("data", {}).get("version") or [""])[0] != str(version):  # the file changed under the saved entries
            services.forget_step(draft=ctx.draft, number=number)
        messages.error(request, _("Votre dossier a été modifié par la Régie depuis l'affichage de cette page. Rien n'a été enregistré : "
                                  "voici les renseignements à jour, refaites vos changements."))
        return redirect(_step_url(number, back_to_summary)), None
    valid = current.valid(forms)
    shown = current.shown(ctx, forms) if valid else {}
    if valid and number == 5 and wizard.PaymentStep.is_transfer(forms):
        # BEY-4: new bank details need the password typed again, as in Mon dossier.
        if not password_confirmed(request, request.POST.get("password") or ""):
            forms["form"].add_error("password", _("Entrez votre mot de passe actuel pour confirmer vos coordonnées bancaires."))
            valid = False
        else:
            shown["fresh_confirmation"] = True
    if valid and not current.check(ctx, forms, request.user):
        valid = False
    if not valid:
        return None, forms
    if number == 1:
        confirm_engagement(professional=ctx.professional, by=request.user)
    next_step = SUMMARY if back_to_summary else number + 1
    try:
        services.save_step(draft=ctx.draft, expected_version=ctx.draft.version, number=number, data=data, complete=True, shown=shown,
                           go_to=next_step)
    except StaleDraft:
        messages.error(request, _("Votre inscription a été modifiée dans une autre fenêtre. Rien n'a été enregistré : voici les "
                                  "renseignements à jour."))
        return redirect(_step_url(number, back_to_summary)), None
    if number == 3 and current.agency_warning(forms):
        messages.warning(request, _("Cette adresse semble être celle d'une agence de facturation. Nos lettres pourraient vous parvenir "
                                    "trop tard et vous pourriez perdre des recours : nous vous recommandons une adresse personnelle."))
    return redirect(_step_url(next_step)), None


def _search(data: dict, action: str) -> dict:
    """Step 6: a search keeps the entries; *Annuler* in a search falls back to "not now" (INS-3)."""
    data = dict(data)
    if action == "chercher_agence":
        data["option"] = [StatementOption.AGENCY]
        data.pop("developpeur_q", None)
    elif action == "chercher_developpeur":
        data["option"] = [StatementOption.SELF_BILLING]
        data.pop("agence_q", None)
    else:
        for key in ("agence_q", "developpeur_q", "agency", "developer", "reception_mode", "mandate_accepted"):
            data.pop(key, None)
        data["option"] = [StatementOption.NONE]
    return data


@require_http_methods(["GET", "POST"])
@login_required
@file_page(SUMMARY_PAGE)
def summary(request, page):
    """INS-5: everything for checking, a *Modifier* link per part; *Continuer* completes."""
    ctx = _context(request)
    if ctx is None:
        return _already_registered(request)
    review = wizard.review(ctx)
    if review.needs is not None:
        step_number, reason = review.needs
        messages.warning(request, reason)
        return redirect(_step_url(step_number))
    if request.method == "POST":
        if request.POST.get("draft_version") != str(ctx.draft.version):
            messages.error(request, _("Votre inscription a été modifiée dans une autre fenêtre. Vérifiez le récapitulatif à jour."))
            return redirect("inscription:summary")
        try:
            done = services.complete_registration(professional=ctx.professional, draft_version=ctx.draft.version,
                                                  inputs=_inputs(ctx, review), by=request.user)
        except StaleDraft:
            messages.error(request, _("Votre inscription a été modifiée dans une autre fenêtre. Vérifiez le récapitulatif à jour."))
            return redirect("inscription:summary")
        except StepNeedsAttention as exc:
            messages.warning(request, exc.message)
            return redirect(_step_url(exc.step))
        remember_registration_state(request, request.user)
        request.session[DONE_SESSION_KEY] = {
            "address_effective_from": done.address_effective_from.isoformat() if done.address_effective_from else "",
            "bank_effective_from": done.bank_effective_from.isoformat() if done.bank_effective_from else "",
            "email_link_sent": done.email_link_sent, "cell_code_sent": done.cell_code_sent,
            "agency_number": done.created_agency_number, "requests": len(done.requests),
        }
        return redirect("inscription:done")
    services.move_to(draft=ctx.draft, step=SUMMARY)
    if not all(step.cacheable(ctx) for step in STEPS):
        page.keep_not()
    return render(request, "inscription/summary.html", {
        "parts": review.parts, "progress": _progress(ctx, SUMMARY), "draft": ctx.draft, "kept_until": services.kept_until(ctx.draft),
        "registrant": ctx.professional,
    })


def _inputs(ctx, review) -> services.RegistrationInputs:
    """What the six steps' forms validated, for the completing service."""
    f = review.forms
    corr, phones = f[3]["form"], f[3]["phones"]
    payment, administrative, statement = f[5]["form"].cleaned_data, f[5]["administrative"].cleaned_data, f[6]["form"]
    sin_form = f[2].get("form")
    is_transfer = payment["mode"] == PaymentMode.TRANSFER
    return services.RegistrationInputs(
        sin=sin_form.cleaned_data["sin"] if sin_form is not None else "",
        correspondence_version=corr.cleaned_data["version"], address=corr.address_input(),
        declared_agency_address=corr.cleaned_data["declared_agency_address"], telephones=phones.telephones(),
        cell=corr.cleaned_data["cell"].as_e164 if corr.cleaned_data.get("cell") else "", email=corr.cleaned_data.get("email") or "",
        practice_version=int(ctx.stored(4)["data"]["version"][0]), places=f[4]["places"].places(),
        account_version=payment["version"], payment_mode=payment["mode"], bank=wizard.BY_NUMBER[5].bank(f[5]),
        personal_account_confirmed=payment["personal_account_confirmed"],
        fresh_confirmation=is_transfer and bool(ctx.stored(5).get("shown", {}).get("fresh_confirmation")),
        administrative_choice=administrative["choice"], administrative_name=administrative.get("account_name") or "",
        group_number=administrative.get("group_number") or "",
        statement_option=statement.cleaned_data["option"], agency=statement.cleaned_data.get("agency"),
        developer=statement.cleaned_data.get("developer"), reception_mode=statement.cleaned_data.get("reception_mode") or "",
        mandate_accepted=statement.cleaned_data["mandate_accepted"], statement_address=statement.address_input(),
    )


@require_GET
@login_required
def done(request):
    """INS-5: the registration is complete; on to Mon dossier."""
    professional = own_professional(request.user)
    if not professional.is_registered:
        return redirect("inscription:resume")
    info = request.session.pop(DONE_SESSION_KEY, {})
    return render(request, "inscription/done.html", {
        "registrant": professional,
        "address_effective_from": date.fromisoformat(info["address_effective_from"]) if info.get("address_effective_from") else None,
        "bank_effective_from": date.fromisoformat(info["bank_effective_from"]) if info.get("bank_effective_from") else None,
        "email_link_sent": info.get("email_link_sent"), "cell_code_sent": info.get("cell_code_sent"),
        "agency_number": info.get("agency_number"), "requests": info.get("requests"),
    })


@require_POST
@login_required
def quit_wizard(request):
    """*Quitter et reprendre plus tard* from the summary (the steps post their entries with it)."""
    logout(request)
    messages.success(request, _("Votre inscription est enregistrée. Vous la reprendrez où vous l'avez laissée en vous connectant."))
    return redirect("login")
