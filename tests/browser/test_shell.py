"""The page shell in a real browser: sign-in, the Profil tab, languages, display modes, sign-out.

Every page these tests open is also checked with axe-core against WCAG 2.1 AA (tests/browser/conftest.py).
"""
import re

import pytest
from django.utils import formats, translation
from playwright.sync_api import expect

from calendrier import paycalendar
from dossier.selectors import correspondence_address_on
from ramq_portal import clock
from ramq_portal.display import DISPLAY_COOKIE
from tests.browser.helpers import DEMO_USERNAME, sign_in, signed_in, spaced

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GENERIC_LOGIN_ERROR = "Le nom d'utilisateur ou le mot de passe est incorrect."
CONTRAST_MODES = [("contraste-eleve", "Contraste élevé"), ("contraste-inverse", "Contraste inversé")]
ALL_MODES = [("normal", "Affichage normal"), *CONTRAST_MODES]


def html_mode(code):
    return re.compile(rf"(^|\s)mode-{code}(\s|$)")


# --- (a) Sign-in and the Profil tab -------------------------------------------------------------


def test_DOS_5_demo_dentist_signs_in_and_sees_her_own_profil(page, demo_dentist):
    signed_in(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Profil")
    expect(page.get_by_role("link", name="Profil")).to_have_attribute("aria-current", "page")

    identity = page.get_by_role("region", name="Renseignements sur le professionnel")
    expect(identity).to_contain_text("Alice Tremblay")
    expect(identity).to_contain_text(demo_dentist.professional_number)
    expect(identity).to_contain_text(demo_dentist.licence_number)
    expect(identity).to_contain_text(demo_dentist.profession.name_fr)

    address = correspondence_address_on(demo_dentist, clock.today()).in_force
    correspondence = page.get_by_role("region", name="Coordonnées de correspondance")
    for line in address.lines():
        expect(correspondence.locator("address")).to_contain_text(spaced(line))

    main_place = demo_dentist.places_of_practice.get(is_main=True)
    place = page.get_by_role("region", name="Coordonnées de pratique").locator(".place", has_text=main_place.name)
    expect(place).to_contain_text("Lieu de pratique principal")
    for line in main_place.lines():
        expect(place.locator("address")).to_contain_text(spaced(line))


# --- (b) English -------------------------------------------------------------------------------


def _english_date(day, fmt):
    with translation.override("en"):
        return formats.date_format(day, fmt)


def test_BEY_9_switching_to_english_keeps_the_page_and_the_choice(page, demo_dentist):
    signed_in(page)
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url("/profil/")
    # Strings that do not depend on our English catalogue: the way back to French, the profession's
    # English name (data), and a date written with Django's own English month names.
    expect(page.get_by_role("button", name="Français")).to_have_attribute("lang", "fr")
    expect(page.locator("main")).to_contain_text(demo_dentist.profession.name_en)

    # The correspondence form says when an address change would take effect (BEY-2).
    page.goto("/profil/correspondance/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    effective = paycalendar.effective_date(clock.now())
    expect(page.locator("main")).to_contain_text(_english_date(effective, "F j, Y"))

    page.locator("nav.tabs a[href='/comptes/']").click()
    expect(page).to_have_url("/comptes/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    next_payment = paycalendar.next_payment(clock.now())
    expect(page.locator("main")).to_contain_text(_english_date(next_payment.payment_date, "l, F j, Y"))

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comptes de facturation")


def test_BEY_9_english_labels_come_from_the_catalogue(page, demo_dentist):
    """Our own labels in English: needs "Profil" translated in locale/en/LC_MESSAGES/django.po."""
    signed_in(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Profile")
    expect(page.get_by_role("navigation").get_by_role("link", name="Profile")).to_have_attribute("aria-current", "page")


# --- (c) Display modes (BEY-9) -----------------------------------------------------------------


@pytest.mark.parametrize(("code", "label"), CONTRAST_MODES, ids=[code for code, _label in CONTRAST_MODES])
def test_BEY_9_display_mode_is_applied_and_remembered(page, demo_dentist, code, label):
    signed_in(page)
    html = page.locator("html")
    expect(html).to_have_class(html_mode("normal"))

    page.get_by_role("button", name=label).click()
    expect(html).to_have_class(html_mode(code))
    expect(page).to_have_url("/profil/")
    expect(page.get_by_role("button", name=label)).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Affichage normal")).to_have_attribute("aria-pressed", "false")

    page.reload()
    expect(html).to_have_class(html_mode(code))

    page.locator("nav.tabs a[href='/comptes/']").click()
    expect(page).to_have_url("/comptes/")
    expect(html).to_have_class(html_mode(code))
    page.locator("nav.tabs a[href='/messagerie/']").click()
    expect(page).to_have_url("/messagerie/")
    expect(html).to_have_class(html_mode(code))

    # The choice belongs to the browser, not to the session: it survives signing out.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/"))
    expect(html).to_have_class(html_mode(code))

    page.get_by_role("button", name="Affichage normal").click()
    expect(html).to_have_class(html_mode("normal"))


@pytest.mark.parametrize("code", [code for code, _label in ALL_MODES])
def test_BEY_9_sign_in_errors_are_readable_in_every_mode(page, live_server, code):
    """The error colours of the sign-in form (summary, field errors) pass axe's contrast rules."""
    page.context.add_cookies([{"name": DISPLAY_COOKIE, "value": code, "url": live_server.url}])
    page.goto("/connexion/")
    expect(page.locator("html")).to_have_class(html_mode(code))
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".field-error").first).to_be_visible()

    sign_in(page, "personne.inconnue", "Mauvais-mot-2026")
    expect(page.locator(".error-summary")).to_contain_text(GENERIC_LOGIN_ERROR)


# --- (d) Wrong password ------------------------------------------------------------------------


def test_DOS_4_wrong_password_says_the_same_for_known_and_unknown_usernames(page, demo_dentist):
    def failed_sign_in(username):
        sign_in(page, username, "Pas-le-bon-2026")
        expect(page).to_have_url("/connexion/")
        expect(page.locator(".error-summary")).to_be_visible()
        return page.title(), page.locator("main").inner_text()

    known = failed_sign_in(DEMO_USERNAME)
    unknown = failed_sign_in("personne.inconnue")

    assert known == unknown
    assert GENERIC_LOGIN_ERROR in known[1]


# --- (e) Sign out ------------------------------------------------------------------------------


def test_DOS_4_sign_out_ends_the_session(page, demo_dentist):
    signed_in(page)
    page.get_by_role("button", name="Se déconnecter").click()

    expect(page).to_have_url(re.compile(r"/connexion/$"))
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    page.goto("/profil/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/profil/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à Mon dossier")
