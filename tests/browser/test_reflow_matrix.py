"""Issue 15: every page of the portal reflows at 320 CSS px (WCAG 1.4.10), in French and in English, in
the three display modes (BEY-9); axe-core checks each page opened (tests/browser/conftest.py).

Who sees what: the demo dentist (a signed-in professional: Profil and its forms, billing accounts and
their forms, secure messaging, the history), a registering dentist (Benoît Gagnon, who creates his
account and walks the six steps of the wizard once, in French, then sees each step and the summary
again, and at the end sends it: the confirmation) and an anonymous visitor (sign-in, password reset,
registration, the public pages, a page not found). One browser context per person and language; the
display mode changes between passes with its cookie, as the header's buttons set it. One test per
language, visiting every page in a loop in each mode; one more shows every page at 1280 px. On each
signed-in page the header names who is signed in; in each mode the four levels of messages (success,
warning, error, information) differ by more than their colour.
To look at the pages: REFLOW_SCREENSHOTS=/some/folder saves a full-page screenshot of each.
"""
from __future__ import annotations

import os
import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from comptes.constants import AccountKind
from comptes.models import BillingAccount
from dossier.models import Professional
from notifications.models import SecureMessage
from ramq_portal import clock
from ramq_portal.display import DISPLAY_COOKIE
from tests.browser.conftest import TIMEOUT_MS, AccessibilityChecker, _active_checkers
from tests.browser.helpers import signed_in
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}
LANGUAGES = ["fr", "en"]
MODES = ["normal", "contraste-eleve", "contraste-inverse"]

# The widest elements of a page that scrolls sideways: the failure message names them.
OVERFLOW_JS = """(limit) => {
  const width = document.documentElement.scrollWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit + 0.5) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.classList.length ? '.' + [...el.classList].join('.') : '');
      culprits.push(`${name} (right edge ${Math.round(box.right)} px)`);
    }
  }
  return {width, culprits: culprits.slice(-4)};
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


def visit(visitor: Visitor, path: str, *, width: int, expected_status: int = 200, name: str = "") -> str | None:
    """Open `path` (axe-core runs on it); return why it fails to reflow at `width`, or None. `name`: who
    is signed in, which the header must show."""
    response = visitor.page.goto(path)
    where = f"{path} [{visitor.language}, mode-{visitor.mode}, {width} px]"
    assert response is not None and response.status == expected_status, f"{where}: HTTP {response and response.status}"
    assert visitor.page.url.endswith(path), f"{where}: redirected to {visitor.page.url}"
    expect(visitor.page.locator("html")).to_have_attribute("lang", visitor.language)
    expect(visitor.page.locator("html")).to_have_class(re.compile(rf"(^|\s)mode-{visitor.mode}(\s|$)"))
    if name:
        expect(visitor.page.locator("header .signed-in"), f"{where}: who is signed in").to_contain_text(name)
        expect(visitor.page.locator("header .signed-in")).to_be_visible()
    if width == NARROW["width"]:
        found = visitor.page.evaluate(PHONE_JS)
        if found["header"] > MAX_HEADER_HEIGHT:
            return f"{where}: the header is {found['header']} px high (at most {MAX_HEADER_HEIGHT})"
        if found["progressRows"] > 1:
            return f"{where}: the wizard's progress takes {found['progressRows']} lines"
        if found["steps"] and found["current"] != 1:
            return f"{where}: the wizard's progress marks {found['current']} current steps (aria-current=step)"
    return wider_than(visitor, width, path=path, where=where)


def wider_than(visitor: Visitor, width: int, *, path: str, where: str = "") -> str | None:
    """Why the current page is wider than `width`, or None."""
    where = where or f"{path} [{visitor.language}, mode-{visitor.mode}, {width} px]"
    if os.environ.get("REFLOW_SCREENSHOTS"):  # a folder: look at the pages (full page, one PNG each)
        shot = f"{path.strip('/').replace('/', '_') or 'accueil'}-{visitor.language}-{visitor.mode}-{width}.png"
        visitor.page.screenshot(path=os.path.join(os.environ["REFLOW_SCREENSHOTS"], shot), full_page=True)
    found = visitor.page.evaluate(OVERFLOW_JS, width)
    if found["width"] > width:
        return f"{where}: {found['width']} px wide; sticking out: {', '.join(found['culprits'])}"
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
    create_account(page, "benoit.gagnon")
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


class People:
    """The anonymous visitor, the signed-in demo dentist and the registering dentist, in one language;
    `every_page` visits each page they can reach in a display mode."""

    def __init__(self, visitors, dentist, newcomer: Newcomer, *, language: str, viewport: dict):
        self.width = viewport["width"]
        self.anonymous = visitors(language=language, mode="normal", viewport=viewport)
        self.professional = visitors(language="fr", mode="normal", viewport=viewport)
        signed_in(self.professional.page)
        # Returned mail flagged after she signed in: the page that asks to confirm the coordinates opens,
        # and (the flag being read at sign-in) the other pages stay open too.
        Professional.objects.filter(pk=dentist.pk).update(returned_mail_at=clock.now())
        self.professional.set_cookies(language=language, mode="normal")
        self.dentist = dentist
        self.dentist_pages = dentist_pages(dentist)
        self.registrant = visitors(language=language, mode="normal", viewport=viewport)
        self.account_page_problem = registered_up_to_the_summary(self.registrant, newcomer, self.width)
        self.newcomer = newcomer

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
        for person in (self.anonymous, self.professional, self.registrant):
            person.set_cookies(language=person.language, mode=mode)
        for path, status in ANONYMOUS_PAGES:
            problems.append(visit(self.anonymous, path, width=self.width, expected_status=status))
            if messages and path == "/connexion/":
                problems.extend(message_levels_problems(self.anonymous))
        for path in self.dentist_pages:
            problems.append(visit(self.professional, path, width=self.width, name=self.dentist.full_name))
        for path in REGISTRANT_PAGES:
            problems.append(visit(self.registrant, path, width=self.width, name=self.newcomer.full_name))
        return [problem for problem in problems if problem]


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
