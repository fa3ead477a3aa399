"""Issue 15: every page of the portal reflows at 320 CSS px (WCAG 1.4.10), in French and in English, in
the three display modes (BEY-9); axe-core checks each page opened (tests/browser/conftest.py).

Who sees what: the demo dentist (a signed-in professional: Profil and its forms, billing accounts and
their forms, secure messaging, the history), a registering dentist (Benoît Gagnon, who creates his
account and walks the six steps of the wizard once, in French, then sees each step and the summary
again, and at the end sends it: the confirmation), an anonymous visitor (sign-in, password reset,
registration, the public pages, a page not found) and an agent (the admin). One browser context per
person and language; the display mode changes between passes with its cookie, as the header's buttons
set it. One test per language, visiting every page in a loop in each mode; one more shows every page at
1280 px. On each signed-in page of the portal the header names who is signed in; in each mode the four
levels of messages (success, warning, error, information) differ by more than their colour.

Pages that exist only in a state are made by the services (never rows they would refuse) and opened in
every pass too:
- the dentist: the cell confirmation page (CEL-1: she changed her cell, a code waits), a reply of the
  Régie in a conversation (NOT-6) with its reply form, and that form sent empty (its errors);
- the anonymous visitor: the email validation link of another professional (David Côté) as it arrives
  (EML-3), the page once the address is activated, and the same link used again (a new address, hence
  a new link, in each pass); the secret questions of a forgotten password (INS-2, Benoît Gagnon's); the
  form of a valid reset link (EML-5, Chantal Roy's: her address activated first); a server error
  (templates/500.html, through a test-only URL: tests/browser/error_urls.py);
- the agent: the admin's index, the request queue, a request's page (the dentist's open conversation)
  and a professional's page, in the admin's three themes (Django's own: light, dark, and auto with a dark
  system; the portal's display modes are not the admin's), and the portal's 403 page (an agent may not
  see a SIN in full).
The 500 page is written without the portal's shell (no template logic may fail there): the same
bilingual page in every language and mode.
Besides a page wider than the window, a page fails that cuts content off at its right edge (hidden by an
ancestor's overflow, where no region scrolls sideways) or that has no viewport meta element (a phone
would lay it out 980 px wide and shrink it).
To look at the pages: REFLOW_SCREENSHOTS=/some/folder saves a full-page screenshot of each.
"""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from comptes.constants import AccountKind
from comptes.models import BillingAccount
from demo.data import STAFF
from dossier import profile, tokens
from dossier.constants import TokenPurpose, TokenState
from dossier.models import Professional, User, VerificationToken
from notifications import messaging
from notifications.models import SecureMessage
from ramq_portal import clock
from ramq_portal.display import DISPLAY_COOKIE
from tests.browser.conftest import TIMEOUT_MS, AccessibilityChecker, _active_checkers
from tests.browser.error_urls import SERVER_ERROR_PATH
from tests.browser.helpers import signed_in, staff_signed_in
from tests.browser.inscription_pages import (
    Newcomer,
    authorise,
    create_account,
    enter_reference,
    expect_step,
    expect_summary,
    go_on,
    walk_steps_1_to_4,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.urls("tests.browser.error_urls")]  # the project's URLs, and one for a server error

NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}
LANGUAGES = ["fr", "en"]
MODES = ["normal", "contraste-eleve", "contraste-inverse"]

# The widest elements of a page that scrolls sideways: the failure message names them. A page may also not
# scroll and yet cut content off: an element past the window's right edge that no ancestor lets scroll
# sideways (a table in a scrolling region may be wider) is hidden by an ancestor's overflow, or off-screen.
OVERFLOW_JS = """(limit) => {
  const width = document.documentElement.scrollWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const scrolls = (el) => {
    for (let up = el.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  // Shown on the screen: not in a closed <details>, nor in a box of 1 px kept for screen readers (.visually-hidden).
  const shown = (el) => {
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
    for (let up = el; up && up !== document.body; up = up.parentElement) {
      const box = up.getBoundingClientRect();
      if ((box.width <= 1 || box.height <= 1) && getComputedStyle(up).overflow !== 'visible') return false;
    }
    return true;
  };
  const culprits = [];
  const cut = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit + 0.5) {
      culprits.push(`${name(el)} (right edge ${Math.round(box.right)} px)`);
      if (box.height > 0 && !scrolls(el) && shown(el)) cut.push(`${name(el)} (right edge ${Math.round(box.right)} px)`);
    }
  }
  const viewport = document.querySelector('meta[name="viewport"]');
  return {width, culprits: culprits.slice(-4), cut: cut.slice(0, 4), viewport: viewport ? viewport.content : ''};
}"""


# On a phone (640 px high), the header takes at most a quarter of the first screen; the wizard's progress
# one line (each step has the same top), the current step still announced.
MAX_HEADER_HEIGHT = NARROW["height"] // 4
PHONE_JS = """() => {
  const steps = [...document.querySelectorAll('.wizard-progress li')];
  return {
    header: Math.round(document.querySelector('header.site-header').getBoundingClientRect().height),
    progressRows: new Set(steps.map((li) => Math.round(li.getBoundingClientRect().top))).size,
    steps: steps.length,
    current: document.querySelectorAll('.wizard-progress [aria-current="step"]').length,
  };
}"""


def dentist_pages(professional) -> list[str]:
    """Every page the signed-in demo dentist can open with a GET (dossier, comptes, notifications URL confs)."""
    personal = BillingAccount.objects.get(professional=professional, kind=AccountKind.PERSONAL)
    collective = BillingAccount.objects.get(professional=professional, kind=AccountKind.COLLECTIVE)
    message = SecureMessage.objects.filter(professional=professional).order_by("pk").first()
    assert message is not None, "the demo dentist has no secure message (the last payment run's notice)"
    return [
        "/profil/",
        "/profil/correspondance/",
        "/profil/pratique/",
        "/profil/preferences/",
        "/profil/historique/",
        "/profil/confirmer-coordonnees/",  # BEY-8: returned mail (see People)
        "/comptes/",
        f"/comptes/{personal.pk}/",
        f"/comptes/{personal.pk}/paiement/",
        f"/comptes/{personal.pk}/etat-de-compte/",
        f"/comptes/{collective.pk}/",
        f"/comptes/{collective.pk}/etat-de-compte/",
        "/messagerie/",
        f"/messagerie/{message.pk}/",
        "/messagerie/ecrire/",
        "/messagerie/envoyes/",
    ]


REGISTRANT_USERNAME = "benoit.gagnon"
REGISTRANT_PAGES = [*(f"/inscription/etapes/{number}/" for number in range(1, 7)), "/inscription/recapitulatif/"]

# (path, HTTP status): the pages of email links that do not work are pages too (410 Gone, 400).
ANONYMOUS_PAGES = [
    ("/connexion/", 200),
    ("/connexion/mot-de-passe-oublie/", 200),
    ("/connexion/reinitialiser/MQ/lien-invalide/", 200),
    ("/inscription/", 200),
    ("/inscription/services-en-ligne/", 200),
    ("/inscription/non-participation/", 200),
    ("/courriel/valider/lien-invalide/", 410),
    ("/courriel/signaler/lien-invalide/", 400),
    ("/page-introuvable/", 404),
]


class Visitor:
    """One person's browser context, in a language and display mode, every page checked with axe-core."""

    def __init__(self, browser, axe, base_url: str, *, language: str, mode: str, viewport: dict):
        self.context = browser.new_context(locale="fr-CA", base_url=base_url, viewport=viewport)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.base_url = base_url
        self.set_cookies(language=language, mode=mode)
        self.page: Page = self.context.new_page()
        self.checker = AccessibilityChecker(self.page, axe)
        _active_checkers.append(self.checker)

    def set_cookies(self, *, language: str, mode: str) -> None:
        self.language, self.mode = language, mode
        self.context.add_cookies([
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base_url},
            {"name": DISPLAY_COOKIE, "value": mode, "url": self.base_url},
        ])

    def close(self) -> list[str]:
        try:
            self.checker.after_call()
        except AssertionError:
            pass  # recorded in checker.failures
        finally:
            _active_checkers.remove(self.checker)
            self.context.close()
        return self.checker.failures


@pytest.fixture
def visitors(browser, axe, live_server):
    """Opens a Visitor (see above); every context is closed and its last page checked at the end."""
    opened: list[Visitor] = []

    def open_visitor(*, language: str, mode: str, viewport: dict) -> Visitor:
        visitor = Visitor(browser, axe, live_server.url, language=language, mode=mode, viewport=viewport)
        opened.append(visitor)
        return visitor

    yield open_visitor
    failures = [failure for visitor in opened for failure in visitor.close()]
    if failures:
        raise AssertionError("\n\n".join(failures))


def visit(visitor: Visitor, path: str, *, width: int, expected_status: int = 200, name: str = "", shell: str = "portal",
          state: str = "") -> str | None:
    """Open `path` (axe-core runs on it); return why it fails to reflow at `width`, or None. `name`: who
    is signed in, which the header must show; `shell`: "portal" (templates/base.html), "admin" (Django's)
    or "bare" (templates/500.html: no language or display mode of its own); `state`: what the page shows."""
    response = visitor.page.goto(path)
    return page_problem(visitor, path, response, width=width, expected_status=expected_status, name=name, shell=shell,
                        state=state)


def send(visitor: Visitor, button, *, path: str, width: int, expected_status: int = 200, name: str = "",
         state: str = "") -> str | None:
    """Click a form's `button`: the page that answers, at `path`, is checked as `visit` checks one."""
    with visitor.page.expect_navigation() as navigation:
        button.click()
    return page_problem(visitor, path, navigation.value, width=width, expected_status=expected_status, name=name,
                        state=state)


def page_problem(visitor: Visitor, path: str, response, *, width: int, expected_status: int, name: str = "",
                 shell: str = "portal", state: str = "") -> str | None:
    where = f"{path}{f' ({state})' if state else ''} [{visitor.language}, mode-{visitor.mode}, {width} px]"
    assert response is not None and response.status == expected_status, f"{where}: HTTP {response and response.status}"
    assert visitor.page.url.endswith(path), f"{where}: redirected to {visitor.page.url}"
    html = visitor.page.locator("html")
    if shell == "portal":
        expect(html).to_have_attribute("lang", visitor.language)
        expect(html).to_have_class(re.compile(rf"(^|\s)mode-{visitor.mode}(\s|$)"))
    elif shell == "admin":
        expect(html).to_have_attribute("lang", visitor.language)
        expect(html).to_have_attribute("data-theme", ADMIN_THEMES[visitor.mode][0])
    if name:
        expect(visitor.page.locator("header .signed-in"), f"{where}: who is signed in").to_contain_text(name)
        expect(visitor.page.locator("header .signed-in")).to_be_visible()
    if width == NARROW["width"] and shell == "portal":
        found = visitor.page.evaluate(PHONE_JS)
        if found["header"] > MAX_HEADER_HEIGHT:
            return f"{where}: the header is {found['header']} px high (at most {MAX_HEADER_HEIGHT})"
        if found["progressRows"] > 1:
            return f"{where}: the wizard's progress takes {found['progressRows']} lines"
        if found["steps"] and found["current"] != 1:
            return f"{where}: the wizard's progress marks {found['current']} current steps (aria-current=step)"
    return wider_than(visitor, width, path=path, where=where, state=state)


def wider_than(visitor: Visitor, width: int, *, path: str, where: str = "", state: str = "") -> str | None:
    """Why the current page is wider than `width` (or would be on a phone, without a viewport meta
    element), or None."""
    where = where or f"{path} [{visitor.language}, mode-{visitor.mode}, {width} px]"
    if os.environ.get("REFLOW_SCREENSHOTS"):  # a folder: look at the pages (full page, one PNG each)
        name = path.strip("/").replace("/", "_") or "accueil"
        shot = f"{name}{f'-{state}' if state else ''}-{visitor.language}-{visitor.mode}-{width}.png".replace(" ", "-")
        visitor.page.screenshot(path=os.path.join(os.environ["REFLOW_SCREENSHOTS"], shot), full_page=True)
    found = visitor.page.evaluate(OVERFLOW_JS, width)
    if found["width"] > width:
        return f"{where}: {found['width']} px wide; sticking out: {', '.join(found['culprits'])}"
    if found["cut"]:
        return f"{where}: cut off at the right edge: {', '.join(found['cut'])}"
    if "width=device-width" not in found["viewport"]:
        return f"{where}: no <meta name=viewport content=\"width=device-width\">: a phone lays the page out 980 px wide"
    return None


def registered_up_to_the_summary(visitor: Visitor, who: Newcomer, width: int) -> str | None:
    """Benoît Gagnon enrols and walks the six steps with only what is required, in French (the page
    objects read French labels); then his context switches back to the language of the test. Returns
    why the page creating his account (reached only this way) does not reflow, or None."""
    language = visitor.language
    visitor.set_cookies(language="fr", mode=visitor.mode)
    page = visitor.page
    page.goto("/inscription/services-en-ligne/")
    enter_reference(page, who)
    problem = wider_than(visitor, width, path="/inscription/services-en-ligne/compte/")
    create_account(page, REGISTRANT_USERNAME)
    walk_steps_1_to_4(page)
    authorise(page)
    go_on(page)
    expect_step(page, 6)
    go_on(page)
    expect_summary(page)
    visitor.set_cookies(language=language, mode=visitor.mode)
    return problem


# The four levels as templates/base.html writes them (templates/partials/message_level.html); what
# tells them apart on the screen, besides the colour: the word and icon before the text, the border.
MESSAGE_LEVELS = {"success": "Succès", "warning": "Avertissement", "error": "Erreur", "info": "Information"}
MESSAGES_JS = """(levels) => {
  const box = document.createElement('div');
  box.className = 'messages';
  for (const [level, word] of Object.entries(levels)) {
    const p = document.createElement('p');
    p.className = `message message-${level}`;
    p.dataset.niveau = word + '\u00a0: ';
    p.textContent = 'Texte du message.';
    box.append(p);
  }
  document.querySelector('main').prepend(box);
  return [...box.children].map((p) => {
    const style = getComputedStyle(p);
    return {
      before: getComputedStyle(p, '::before').content,
      border: `${style.borderTopStyle} ${style.borderTopWidth} ${style.borderLeftStyle} ${style.borderLeftWidth}`,
    };
  });
}"""


def message_levels_problems(visitor: Visitor) -> list[str]:
    """Show the four levels of messages on the current page; axe-core checks them (contrast in the
    mode); return what does not tell them apart."""
    shown = visitor.page.evaluate(MESSAGES_JS, MESSAGE_LEVELS)
    visitor.checker.check()
    where = f"messages [{visitor.language}, mode-{visitor.mode}]"
    problems = []
    for (level, word), style in zip(MESSAGE_LEVELS.items(), shown, strict=True):
        if word not in style["before"]:
            problems.append(f"{where}: a {level} message does not begin with its word ({style['before']})")
    if len({style["before"] for style in shown}) < len(shown):
        problems.append(f"{where}: two levels have the same icon and word: {shown}")
    if len({style["border"] for style in shown}) < len(shown):
        problems.append(f"{where}: two levels have the same border: {shown}")
    return problems


# --- pages that exist only in a state ----------------------------------------------------------------------

(AGENT, AGENT_PASSWORD, _role, AGENT_FIRST_NAME, AGENT_LAST_NAME), *_ = STAFF
NEW_CELL = "+14185550123"
CONFIRM_CELL = "/profil/cellulaire/confirmer/"
FORGOTTEN_PASSWORD = "/connexion/mot-de-passe-oublie/"
SECRET_QUESTIONS = "/connexion/mot-de-passe-oublie/questions/"
# The admin has none of the portal's display modes but three themes of its own (Django's toggle, kept in
# localStorage): one per pass, "auto" with a system in dark mode. (theme, the system's colour scheme)
ADMIN_THEMES = {"normal": ("light", "light"), "contraste-eleve": ("dark", "light"), "contraste-inverse": ("auto", "dark")}


def update_correspondence(professional: Professional, **parts) -> profile.CorrespondenceResult:
    """Save parts of the *Coordonnées de correspondance* section, as the professional's form does."""
    file = Professional.objects.get(pk=professional.pk)
    return profile.update_correspondence(
        professional=file, expected_version=file.correspondence_version, declared_agency_address=False, by=file.user,
        **{"address": None, "telephones": None, "cell": None, "email": None, **parts},
    )


def email_token(professional: Professional, address: str) -> VerificationToken:
    """EML-2, EML-3: a new email address on the file; the token of the validation link sent to it."""
    assert update_correspondence(professional, email=address).email_link_sent
    return VerificationToken.objects.get(professional=professional, purpose=TokenPurpose.EMAIL, state=TokenState.ACTIVE)


def email_link(professional: Professional, address: str) -> str:
    """The path of the validation link sent to a new address of the file."""
    return reverse("validate_email", args=[tokens.email_link_key(email_token(professional, address))])


def password_link(professional: Professional) -> str:
    """EML-5: the path of the link a forgotten password sends (as notifications.renderers builds it),
    once the professional's address is activated (the only kind of address it goes to)."""
    token = email_token(professional, f"{professional.user.username}@example.ca")
    assert profile.validate_email(key=tokens.email_link_key(token)).ok
    user = professional.user
    return reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)])


def reply_from_the_board(professional: Professional, agent: User) -> SecureMessage:
    """NOT-6: the professional wrote to the Régie and an agent answered without closing the request:
    the answer, in the inbox, has a reply form; the request stays open in the queue."""
    request = messaging.send_to_the_board(professional=professional, subject="Délai de paiement",
                                          body="Quand mon paiement sera-t-il déposé?", by=professional.user)
    return messaging.reply(request_id=request.pk, body="Le dépôt suit de deux jours ouvrables la date de paiement.",
                           by=agent, close=False)


def staff_pages(request_id: int, professional: Professional) -> list[tuple[str, int, str]]:
    """(path, HTTP status, shell) of what the agent opens: the admin's index, the request queue, a request's
    page, a professional's page; and the portal's 403 page (an agent may not see a SIN in full)."""
    return [
        (reverse("admin:index"), 200, "admin"),
        (reverse("admin:dossier_request_changelist"), 200, "admin"),
        (reverse("admin:dossier_request_change", args=[request_id]), 200, "admin"),
        (reverse("admin:dossier_professional_change", args=[professional.pk]), 200, "admin"),
        (reverse("admin:dossier_professional_reveal_sin", args=[professional.pk]), 403, "portal"),
    ]


class People:
    """The anonymous visitor, the signed-in demo dentist, the registering dentist and an agent, in one
    language; `every_page` visits each page they can reach in a display mode."""

    def __init__(self, visitors, dentist, newcomer: Newcomer, *, language: str, viewport: dict):
        self.width = viewport["width"]
        self.anonymous = visitors(language=language, mode="normal", viewport=viewport)
        self.professional = visitors(language="fr", mode="normal", viewport=viewport)
        signed_in(self.professional.page)
        agent = User.objects.get(username=AGENT)
        # CEL-1: a new cell, its code waiting (saved before the returned mail below: saving would clear it).
        assert update_correspondence(dentist, cell=NEW_CELL).cell_code_sent
        self.reply = reply_from_the_board(dentist, agent)
        # Returned mail flagged after she signed in: the page that asks to confirm the coordinates opens,
        # and (the flag being read at sign-in) the other pages stay open too.
        Professional.objects.filter(pk=dentist.pk).update(returned_mail_at=clock.now())
        self.professional.set_cookies(language=language, mode="normal")
        self.dentist = dentist
        self.dentist_pages = dentist_pages(dentist)
        self.registrant = visitors(language=language, mode="normal", viewport=viewport)
        self.account_page_problem = registered_up_to_the_summary(self.registrant, newcomer, self.width)
        self.newcomer = newcomer
        # The anonymous visitor's states: a new address of David Côté's awaits validation in each pass
        # (every_page); the secret questions of Benoît Gagnon's forgotten password; Chantal Roy's reset link.
        self.validating = Professional.objects.get(user__username="optometriste.demo")
        self.secret_questions_asked(REGISTRANT_USERNAME)
        self.reset_form = self.reset_link_followed(password_link(Professional.objects.get(user__username="chirurgien.demo")))
        self.staff = visitors(language="fr", mode="normal", viewport=viewport)
        staff_signed_in(self.staff.page, AGENT, AGENT_PASSWORD)
        self.staff.set_cookies(language=language, mode="normal")
        self.staff_pages = staff_pages(self.reply.thread_id, dentist)

    def secret_questions_asked(self, username: str) -> None:
        """INS-2: the anonymous visitor names the username and chooses the secret questions: the session
        keeps the username and the questions' page opens as often as wanted."""
        page = self.anonymous.page
        page.goto(FORGOTTEN_PASSWORD)
        page.locator("input[name=username]").fill(username)
        page.locator("button[name=action][value=questions]").click()
        expect(page).to_have_url(SECRET_QUESTIONS)

    def reset_link_followed(self, link: str) -> str:
        """The anonymous visitor follows a reset link: Django keeps its token in the session and shows the
        form at .../set-password/ (the path returned), as often as wanted in that session."""
        response = self.anonymous.page.goto(link)
        assert response is not None and response.status == 200, f"{link}: HTTP {response and response.status}"
        path = urlsplit(self.anonymous.page.url).path
        assert path.endswith("/set-password/"), f"{link} led to {path}"
        return path

    def registration_completed(self) -> str | None:
        """The registrant sends his summary: the confirmation page (reached once only)."""
        self.registrant.page.locator("main form button.primary").click()
        expect(self.registrant.page).to_have_url("/inscription/confirmation/")
        expect(self.registrant.page.locator("header .signed-in")).to_contain_text(self.newcomer.full_name)
        return wider_than(self.registrant, self.width, path="/inscription/confirmation/")

    def every_page(self, *, mode: str, messages: bool = False) -> list[str]:
        """Every page in `mode`; return those wider than the window (and, if `messages`, what does not
        tell the levels of messages apart)."""
        problems: list[str | None] = []
        for person in (self.anonymous, self.professional, self.registrant, self.staff):
            person.set_cookies(language=person.language, mode=mode)
        theme, colour_scheme = ADMIN_THEMES[mode]
        self.staff.page.evaluate("theme => localStorage.setItem('theme', theme)", theme)
        self.staff.page.emulate_media(color_scheme=colour_scheme)
        for path, status in ANONYMOUS_PAGES:
            problems.append(visit(self.anonymous, path, width=self.width, expected_status=status))
            if messages and path == "/connexion/":
                problems.extend(message_levels_problems(self.anonymous))
        problems.extend(self.anonymous_states(mode))
        for path in self.dentist_pages:
            problems.append(visit(self.professional, path, width=self.width, name=self.dentist.full_name))
        problems.extend(self.dentist_states())
        for path in REGISTRANT_PAGES:
            problems.append(visit(self.registrant, path, width=self.width, name=self.newcomer.full_name))
        for path, status, shell in self.staff_pages:
            name = f"{AGENT_FIRST_NAME} {AGENT_LAST_NAME}" if shell == "portal" else ""
            problems.append(visit(self.staff, path, width=self.width, expected_status=status, shell=shell, name=name))
        return [problem for problem in problems if problem]

    def anonymous_states(self, mode: str) -> list[str | None]:
        """A validation link as it arrives, the page once the address is activated, the link used again
        (a new address each pass: a link serves once); the secret questions; the reset form; a server error."""
        visitor, width = self.anonymous, self.width
        link = email_link(self.validating, f"david.cote.{mode}@example.ca")
        return [
            visit(visitor, link, width=width),
            send(visitor, visitor.page.locator("main form button[type=submit]"), path=link, width=width, state="activated"),
            visit(visitor, link, width=width, expected_status=410, state="used"),
            visit(visitor, SECRET_QUESTIONS, width=width),
            visit(visitor, self.reset_form, width=width),
            visit(visitor, SERVER_ERROR_PATH, width=width, expected_status=500, shell="bare"),
        ]

    def dentist_states(self) -> list[str | None]:
        """The cell's code waiting; the Régie's answer with its reply form, and that form sent empty."""
        visitor, name = self.professional, self.dentist.full_name
        message = f"/messagerie/{self.reply.pk}/"
        reply = reverse("notifications:reply", args=[self.reply.pk])
        return [
            visit(visitor, CONFIRM_CELL, width=self.width, name=name),
            visit(visitor, message, width=self.width, name=name),
            send(visitor, visitor.page.locator(f"main form[action='{reply}'] button[type=submit]"), path=reply,
                 width=self.width, expected_status=400, name=name, state="sent empty"),
        ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_reflows_at_320_px_in_each_display_mode(visitors, dentist, gagnon, language):
    people = People(visitors, dentist, gagnon, language=language, viewport=NARROW)
    problems = [problem for mode in MODES for problem in people.every_page(mode=mode, messages=True)]
    problems += [problem for problem in (people.account_page_problem, people.registration_completed()) if problem]
    assert not problems, "At 320 px (WCAG 1.4.10):\n" + "\n".join(problems)


def test_every_page_still_fits_at_1280_px(visitors, dentist, gagnon):
    people = People(visitors, dentist, gagnon, language="fr", viewport=WIDE)
    problems = people.every_page(mode="normal")
    problems += [problem for problem in (people.account_page_problem, people.registration_completed()) if problem]
    assert not problems, "At 1280 px:\n" + "\n".join(problems)
