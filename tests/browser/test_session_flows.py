"""HLP-2 in a real browser: the end of an idle session announced ahead with a way to stay signed in, the
sign-in page saying the session expired, and a message being written surviving the expiry.

Two clocks are moved, never waited for: the browser's with Playwright's clock (page.clock), the
server's with tests/timetravel.py (the demo data freezes it at profil_pages.START). Every page opened,
and the warning once shown, is checked with axe-core (tests/browser/conftest.py).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from dossier.models import Request
from ramq_portal import clock
from tests import timetravel
from tests.browser.helpers import DEMO_PASSWORD, DEMO_USERNAME, signed_in
from tests.browser.profil_pages import START

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The browser warns `lead` before the earliest end of the session: the idle timeout after the last
# request, less the minute within which the server records activity (ramq_portal/middleware.py).
WARN_AFTER = settings.SESSION_COOKIE_AGE - settings.SESSION_ACTIVITY_SECONDS - settings.SESSION_WARNING_SECONDS
ENDS_AFTER = settings.SESSION_COOKIE_AGE - settings.SESSION_ACTIVITY_SECONDS
SUBJECT = "Question sur mon état de compte"
BODY = "Bonjour, pourriez-vous m'expliquer la ligne 3 de mon dernier état de compte?\nMerci."
RESTORED = "Ce que vous aviez saisi avant la fin de votre session a été rétabli dans ce formulaire."
EXPIRED = "Votre session a expiré. Veuillez vous connecter de nouveau."
KEPT = "Ce que vous aviez saisi a été conservé dans cet onglet"
SURGEON = ("chirurgien.demo", "Chirurgien-2026")  # another demo professional (demo/data.py)


def last_activity(page: Page) -> datetime:
    """The browser's time of the last request the page knows of (its load, a *Rester connecté*)."""
    milliseconds = page.evaluate("""() => Math.max(...Object.keys(localStorage)
        .filter((key) => key.startsWith('mondossier.activite:')).map((key) => Number(localStorage[key])))""")
    return datetime.fromtimestamp(milliseconds / 1000, tz=clock.QUEBEC)


def warning(page: Page):
    return page.get_by_role("alertdialog", name="Votre session va bientôt prendre fin")


def sign_in_here(page: Page, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD, *, english: bool = False) -> None:
    """Sign in on the sign-in page already shown, keeping its way back (?next=)."""
    page.get_by_label("Username" if english else "Nom d'utilisateur").fill(username)
    page.get_by_label("Password" if english else "Mot de passe").fill(password)
    page.get_by_role("button", name="Sign in" if english else "Se connecter").click()


def write_to_the_board(page: Page) -> None:
    page.goto("/messagerie/ecrire/")
    page.get_by_label("Objet").fill(SUBJECT)
    page.get_by_label("Message").fill(BODY)


def drafts_in_the_tab(page: Page) -> list[str]:
    return page.evaluate("() => Object.keys(sessionStorage).filter((key) => key.startsWith('mondossier.brouillon:'))")


def test_HLP_2_the_end_of_the_session_is_announced_two_minutes_ahead_and_rester_connecte_keeps_it(page, dentist, a11y):
    page.clock.install(time=START)
    signed_in(page)
    loaded = last_activity(page)

    # Not before: one second earlier the page says nothing (the clock stands still for the check).
    page.clock.pause_at(loaded + timedelta(seconds=WARN_AFTER - 1))
    expect(warning(page)).to_be_hidden()
    page.clock.fast_forward(2000)
    expect(warning(page)).to_be_visible()
    expect(warning(page)).to_contain_text("votre session prendra fin d'ici 2 minutes")
    stay = warning(page).get_by_role("button", name="Rester connecté")
    expect(stay).to_be_focused()  # announced with its name and text, and in reach of the keyboard
    page.clock.resume()
    a11y.check()

    # The server is 27 minutes later too; Enter on the focused button asks it to keep the session.
    timetravel.move_to(START + timedelta(seconds=WARN_AFTER))
    page.keyboard.press("Enter")
    expect(warning(page)).to_be_hidden()
    assert last_activity(page) >= loaded + timedelta(seconds=WARN_AFTER)

    # The server's idle clock started again then: 29 minutes later (56 after the sign-in) the next page
    # is still signed in.
    timetravel.move_to(START + timedelta(seconds=WARN_AFTER, minutes=29))
    page.get_by_role("link", name="Comptes de facturation").click()
    expect(page).to_have_url("/comptes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comptes de facturation")


def test_HLP_2_a_message_to_the_board_survives_an_expiry_found_by_its_sending(page, dentist):
    signed_in(page)
    write_to_the_board(page)

    # 31 idle minutes on the server: the session is gone when the message is sent.
    timetravel.move_to(START + timedelta(minutes=31))
    page.get_by_role("button", name="Envoyer").click()
    expect(page).to_have_url("/connexion/?next=/messagerie/ecrire/")
    expect(page.locator("main p.message:visible", has_text=EXPIRED)).to_have_count(1)
    expect(page.get_by_text(KEPT)).to_be_visible()
    assert not Request.objects.filter(professional=dentist, payload__subject=SUBJECT).exists()

    sign_in_here(page)
    expect(page).to_have_url("/messagerie/ecrire/")
    expect(page.get_by_label("Objet")).to_have_value(SUBJECT)
    expect(page.get_by_label("Message")).to_have_value(BODY)
    notice = page.locator(".draft-restored")
    expect(notice).to_contain_text(RESTORED)
    expect(notice).to_be_focused()

    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("main .messages")).to_contain_text("Votre message a été transmis à la Régie.")
    assert Request.objects.filter(professional=dentist, payload__subject=SUBJECT).exists()
    assert drafts_in_the_tab(page) == []  # sent: dropped
    page.goto("/messagerie/ecrire/")
    expect(page.get_by_label("Objet")).to_have_value("")
    expect(page.locator(".draft-restored")).to_have_count(0)


def test_HLP_2_another_person_signing_in_on_the_tab_never_gets_the_draft(page, dentist):
    signed_in(page)
    write_to_the_board(page)
    timetravel.move_to(START + timedelta(minutes=31))
    page.get_by_role("button", name="Envoyer").click()
    expect(page).to_have_url("/connexion/?next=/messagerie/ecrire/")

    # Chantal Roy signs in on the same tab, and is taken to the same page.
    sign_in_here(page, *SURGEON)
    expect(page).to_have_url("/messagerie/ecrire/")
    expect(page.get_by_label("Objet")).to_have_value("")
    expect(page.get_by_label("Message")).to_have_value("")
    expect(page.locator(".draft-restored")).to_have_count(0)
    assert drafts_in_the_tab(page) == []  # dropped, not only hidden

    # Nor does the first person get it back on this tab afterwards: it is gone.
    page.get_by_role("button", name="Se déconnecter").click()
    sign_in_here(page)
    page.goto("/messagerie/ecrire/")
    expect(page.get_by_label("Message")).to_have_value("")


def test_HLP_2_when_the_browsers_timer_runs_out_the_sign_in_page_says_so_in_english(page, dentist):
    page.clock.install(time=START)
    signed_in(page)
    page.get_by_role("button", name="English").click()
    page.goto("/messagerie/ecrire/")
    page.get_by_label("Subject").fill(SUBJECT)

    # Nobody answers the warning: at the end the page signs out and says why, with the way back.
    page.clock.fast_forward(f"{ENDS_AFTER // 60:02d}:{ENDS_AFTER % 60 + 1:02d}")
    expect(page).to_have_url(re.compile(r"/connexion/\?session=expiree&next=%2Fmessagerie%2Fecrire%2F$"))
    expect(page.locator("main p.message:visible", has_text="Your session has expired. Please sign in again.")).to_have_count(1)
    expect(page.get_by_text("What you had entered was kept in this tab")).to_be_visible()
    page.goto("/profil/")  # signed out indeed
    expect(page).to_have_url("/connexion/?next=/profil/")
    page.go_back()

    sign_in_here(page, english=True)
    expect(page).to_have_url("/messagerie/ecrire/")
    expect(page.get_by_label("Subject")).to_have_value(SUBJECT)
    expect(page.locator(".draft-restored")).to_contain_text("What you had entered before your session ended has been put back in this form.")


def test_HLP_2_a_bank_account_number_is_never_kept_and_is_named_to_be_typed_again(page, dentist):
    page.clock.install(time=START)
    signed_in(page)
    page.get_by_role("link", name="Comptes de facturation").click()
    page.locator("main table a, main .card a").first.click()
    page.get_by_role("link", name=re.compile("Modifier")).first.click()
    page.get_by_label("Virement bancaire", exact=True).check()  # reveals the bank details (issue 15)
    page.get_by_label("Numéro de succursale (transit)").fill("12345")
    page.get_by_label("Numéro de compte").fill("1234567")
    stored = page.evaluate("() => JSON.stringify(sessionStorage)")
    assert "12345" in stored and "1234567" not in stored

    page.clock.fast_forward(f"{ENDS_AFTER // 60:02d}:{ENDS_AFTER % 60 + 1:02d}")
    expect(page).to_have_url(re.compile(r"/connexion/\?session=expiree"))
    sign_in_here(page)
    expect(page.get_by_label("Numéro de succursale (transit)")).to_have_value("12345")
    expect(page.get_by_label("Numéro de compte")).to_have_value("")
    expect(page.locator(".draft-restored li")).to_have_text(["Numéro de compte"])
