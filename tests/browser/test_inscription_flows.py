"""*Inscription à la RAMQ* in a real browser, as a newcomer lives it: the reference number of the
letter, the online-services account, the six steps of the wizard, an interruption and a resumption on
another device, the summary, the confirmation, then Mon dossier.

Rules proven: INS-2..INS-7 (and, on the way, PAI-1, ETC-2..5, CPT-1, BEY-9). The newcomers are the two
unenrolled professionals of the demo data (demo/data.py); the portal's clock is frozen
(profil_pages.START, a Tuesday; the next payment is on Thursday). Every page opened, in every
browser context, is checked with axe-core (tests/browser/conftest.py).

The last two tests guard against two bugs found while writing them (fixed since): a step shown again
showed the SIN and the bank account number in full, and a device left signed in mid-wizard never reached
billing once the registration was completed on another device.
"""
from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from calendrier import paycalendar
from comptes.constants import PaymentMode, StatementOption
from comptes.models import StatementSettings
from tests.browser.comptes_pages import (
    ACCOUNT_NUMBER,
    CHEQUE,
    INSTITUTION,
    MANDATE,
    OPTION_AGENCY,
    OPTION_NONE,
    PERSONAL_CONFIRMATION,
    TELECOM,
    TRANSFER,
    TRANSIT,
    agency_radio,
    choose,
    open_account,
    open_accounts_tab,
    payment_rows,
    personal_account,
    search_agency,
    statement_summary,
)
from tests.browser.helpers import press_tab_until, sign_in
from tests.browser.inscription_pages import (
    BILLING_CLOSED,
    CANCEL_SEARCH,
    ENGAGEMENT,
    PLACE,
    NO_ADMINISTRATIVE_ACCOUNT,
    PASSWORD_CHOSEN,
    SECRET_ANSWERS,
    SIN,
    SIN_INVALID,
    STEP_TITLES,
    authorise,
    engage,
    enrol,
    expect_step,
    expect_summary,
    field_error,
    go_on,
    messages,
    place_of_practice,
    progress,
    progress_item,
    quit_for_now,
    submit_reference,
    summary_part,
    summary_value,
    walk_steps_1_to_4,
)
from tests.browser.profil_pages import START, french_date, section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OFFICE_PHONE = "514 555-0142"
OFFICE_PHONE_SHOWN = re.compile(r"\(?514\)? 555-0142")  # as typed, or in the national format
NEW_EMAIL = "benoit.gagnon@exemple.ca"
BANK = {"institution": "815 — Fédération des caisses Desjardins du Québec", "transit": "30012", "account_number": "7654321"}


def cheque_and_no_administrative_account(page) -> None:
    """Step 5 with nothing optional: cheque (the default), no administrative account, the authorisations."""
    expect(page.get_by_label(CHEQUE, exact=True)).to_be_checked()
    expect(page.get_by_label(NO_ADMINISTRATIVE_ACCOUNT)).to_be_checked()
    authorise(page)
    go_on(page)
    expect_step(page, 6)


# --- 1. The whole journey, interrupted and resumed on another device (INS-2..INS-5) ---------------------------


def test_INS_4_complete_journey_with_an_interruption_and_a_resumption_in_a_new_browser_context(page, gagnon, other_device):
    # INS-2: the reference number, the identity, the policy; then the account and the secret questions.
    enrol(page, gagnon, "benoit.gagnon")
    expect(messages(page)).to_contain_text("Votre compte des services en ligne est créé.")
    assert gagnon.file().user.username == "benoit.gagnon"
    # INS-3: a visible progress indicator, the current step marked.
    expect(progress(page).locator("[aria-current=step]")).to_have_text(STEP_TITLES[1])

    engage(page)
    expect_step(page, 2)
    expect(page.locator("main")).to_contain_text("Aucun numéro d'assurance sociale n'est demandé pour votre mode de rémunération.")
    go_on(page)

    # Step 3: prefilled from the order, changed: a telephone and an email (repeated).
    expect_step(page, 3)
    expect(page.get_by_label("Adresse", exact=True)).to_have_value("45, avenue des Pins Ouest")
    page.get_by_label("Type", exact=True).select_option(label="Bureau")
    page.get_by_label("Numéro de téléphone").fill(OFFICE_PHONE)
    page.get_by_label("Courriel", exact=True).fill(NEW_EMAIL)
    page.get_by_label("Répéter courriel", exact=True).fill(NEW_EMAIL)
    go_on(page)

    # INS-4: stop on step 4; saved and signed out.
    expect_step(page, 4)
    quit_for_now(page)
    page.goto("/inscription/etapes/4/")
    expect(page).to_have_url(re.compile(r"/connexion/"))  # signed out indeed

    # Later, on another device (a new browser context: no cookie of the first one).
    device = other_device()
    sign_in(device, "benoit.gagnon", PASSWORD_CHOSEN)
    expect(device).to_have_url("/inscription/etapes/4/")
    expect_step(device, 4)
    for number in (1, 2, 3):
        expect(progress_item(device, number)).to_have_class(re.compile(r"\bis-done\b"))
        expect(progress_item(device, number)).to_contain_text("(terminée)")
    expect(progress_item(device, 4).locator("[aria-current=step]")).to_have_text(STEP_TITLES[4])
    for number in (5, 6):
        expect(progress_item(device, number)).not_to_have_class(re.compile(r"\bis-done\b"))
        expect(progress_item(device, number).get_by_role("link")).to_have_count(0)  # not reachable yet

    # Step 3's entries were kept.
    progress(device).get_by_role("link", name=re.compile(STEP_TITLES[3])).click()
    expect_step(device, 3)
    expect(device.get_by_label("Type", exact=True)).to_have_value("bureau")
    expect(device.get_by_label("Numéro de téléphone")).to_have_value(OFFICE_PHONE_SHOWN)
    expect(device.get_by_label("Courriel", exact=True)).to_have_value(NEW_EMAIL)
    expect(device.get_by_label("Répéter courriel", exact=True)).to_have_value(NEW_EMAIL)
    go_on(device)

    # Step 4: the place of practice.
    expect_step(device, 4)
    place_of_practice(device, **PLACE)
    go_on(device)

    # Step 5: a transfer (bank details, a personal account, the password again), the authorisations.
    expect_step(device, 5)
    choose(device, TRANSFER)
    device.get_by_label(INSTITUTION, exact=True).select_option(label=BANK["institution"])
    device.get_by_label(TRANSIT, exact=True).fill(BANK["transit"])
    device.get_by_label(ACCOUNT_NUMBER, exact=True).fill(BANK["account_number"])
    choose(device, PERSONAL_CONFIRMATION)
    device.get_by_label("Mot de passe", exact=True).fill(PASSWORD_CHOSEN)
    authorise(device)
    go_on(device)

    # Step 6: agency 11111 (an ATD: its mandate), a reception mode.
    expect_step(device, 6)
    search_agency(device, "11111")
    expect_step(device, 6)
    agency_radio(device, "11111").check()
    choose(device, MANDATE)
    choose(device, TELECOM)
    go_on(device)

    # INS-5: the summary, every part with its *Modifier*.
    expect_summary(device)
    for number in range(1, 7):
        expect(summary_part(device, number).get_by_role("link", name="Modifier")).to_be_visible()
    expect(summary_value(device, 1, "Engagement envers la RAMQ")).to_contain_text(f"Confirmé le {french_date(START.date())}")
    expect(summary_value(device, 3, "Courriel")).to_have_text(NEW_EMAIL)
    expect(summary_value(device, 5, "Mode de paiement")).to_have_text("Virement bancaire")
    expect(summary_value(device, 5, "Numéro de compte")).to_have_text("••••321")
    first_transfer = paycalendar.bank_change_effective_date(START)
    expect(summary_value(device, 5, "Premier paiement par virement")).to_have_text(french_date(first_transfer))
    expect(summary_value(device, 6, "Agence")).to_have_text("Facturation Pro ATD — 11111")
    assert BANK["account_number"] not in device.content()

    # *Modifier* part 4: another name for the place; back on the summary with the change.
    summary_part(device, 4).get_by_role("link", name="Modifier").click()
    expect_step(device, 4)
    expect(device.get_by_label("Nom du lieu")).to_have_value(PLACE["name"])
    device.get_by_label("Nom du lieu").fill("Centre dentaire Mile End")
    expect(device.get_by_role("button", name="Continuer vers le récapitulatif")).to_be_visible()
    go_on(device)
    expect_summary(device)
    expect(summary_part(device, 4)).to_contain_text("Centre dentaire Mile End, 100, avenue des Pins Ouest, Montréal")
    expect(summary_part(device, 4)).not_to_contain_text(PLACE["name"])

    # *Continuer*: the confirmation page, then Mon dossier.
    go_on(device)
    expect(device).to_have_url("/inscription/confirmation/")
    expect(device.get_by_role("heading", level=1)).to_have_text("Votre inscription à la RAMQ est terminée")
    expect(device.locator("main")).to_contain_text("Benoît Gagnon, vous êtes maintenant inscrit")
    expect(device.locator("main")).to_contain_text(
        f"Vos paiements seront déposés par virement à partir du paiement du {french_date(first_transfer)}"
    )
    expect(device.locator("main")).to_contain_text("Un lien de validation a été envoyé à votre adresse de courriel.")
    device.get_by_role("link", name="Accéder à Mon dossier").click()
    expect(device).to_have_url("/profil/")
    correspondence = section(device, "Coordonnées de correspondance")
    expect(correspondence).to_contain_text("45, avenue des Pins Ouest")
    expect(correspondence).to_contain_text("Bureau")
    expect(correspondence).to_contain_text(f"{NEW_EMAIL} — en attente de validation")
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]  # the validation link
    expect(section(device, "Coordonnées de pratique")).to_contain_text("Centre dentaire Mile End")
    expect(section(device, "Renseignements sur le professionnel")).to_contain_text("Benoît Gagnon")

    # Billing is open now (INS-5): the tab, the personal account with the transfer and the agency.
    professional = gagnon.file()
    assert professional.is_registered
    account = personal_account(professional)
    open_accounts_tab(device)
    open_account(device, account)
    expect(section(device, "Coordonnées de paiement")).to_contain_text("•••321")
    expect(statement_summary(device)).to_contain_text("Facturation Pro ATD")
    rows = payment_rows(account)
    assert [row.mode for row in rows][-1] == PaymentMode.TRANSFER
    statement = StatementSettings.objects.get(account=account)
    assert statement.option == StatementOption.AGENCY and statement.agency.transmission_number == "11111"


# --- 2. Nothing optional: cheque, no administrative account, not accredited (INS-6) -----------------------------


def test_INS_6_every_optional_part_skipped(page, gagnon):
    enrol(page, gagnon, "benoit.gagnon")
    # Step 3 as the order gave it: no telephone, no cell, no email.
    engage(page)
    go_on(page)
    expect_step(page, 3)
    expect(page.get_by_label("Numéro de téléphone")).to_have_value("")
    expect(page.get_by_label("Cellulaire", exact=True)).to_have_value("")
    expect(page.get_by_label("Courriel", exact=True)).to_have_value("")
    go_on(page)
    expect_step(page, 4)
    place_of_practice(page, **PLACE)
    go_on(page)
    expect_step(page, 5)
    cheque_and_no_administrative_account(page)
    # Step 6: "not now" is the default; the statement address is the correspondence address.
    expect(page.get_by_label(OPTION_NONE, exact=True)).to_be_checked()
    expect(page.get_by_label("Adresse", exact=True)).to_have_value("45, avenue des Pins Ouest")
    go_on(page)

    expect_summary(page)
    expect(summary_value(page, 3, "Téléphones")).to_have_text("Aucun")
    expect(summary_value(page, 3, "Cellulaire")).to_have_text("Aucun")
    expect(summary_value(page, 3, "Courriel")).to_have_text("Aucun")
    expect(summary_value(page, 5, "Mode de paiement")).to_have_text(CHEQUE)
    expect(summary_value(page, 5, "Compte administratif")).to_have_text(NO_ADMINISTRATIVE_ACCOUNT)
    expect(summary_value(page, 6, "Accréditation à la facturation")).to_have_text(OPTION_NONE)
    go_on(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription à la RAMQ est terminée")
    expect(page.locator("main")).not_to_contain_text("virement")  # no bank details: nothing announced
    page.get_by_role("link", name="Accéder à Mon dossier").click()
    expect(page).to_have_url("/profil/")
    correspondence = section(page, "Coordonnées de correspondance")
    expect(correspondence).to_contain_text("Aucun numéro de téléphone au dossier.")
    expect(correspondence).to_contain_text("Aucun cellulaire au dossier.")
    expect(correspondence).to_contain_text("Aucune adresse de courriel au dossier")

    professional = gagnon.file()
    assert professional.is_registered
    account = personal_account(professional)
    open_accounts_tab(page)
    open_account(page, account)
    expect(section(page, "Coordonnées de paiement")).to_contain_text(CHEQUE)
    expect(statement_summary(page)).to_have_text(OPTION_NONE)
    assert all(row.mode == PaymentMode.CHEQUE for row in payment_rows(account))
    assert StatementSettings.objects.get(account=account).option == StatementOption.NONE


# --- 3. The SIN, for fixed fees only (INS-3 step 2) ---------------------------------------------------------------

VALID_SIN = "130 692 544"


def test_INS_3_fixed_fee_professional_gives_a_SIN_at_step_2(page, bergeron):
    enrol(page, bergeron, "elise.bergeron")
    engage(page)
    expect_step(page, 2)
    expect(page.locator("main")).to_contain_text("Vous êtes rémunéré à honoraires fixes")

    # Nothing typed, then a number whose check digit is wrong: a French error next to the field.
    go_on(page)
    expect_step(page, 2)
    expect(field_error(page, SIN)).to_be_visible()
    page.get_by_label(SIN).fill("046 454 287")
    go_on(page)
    expect_step(page, 2)
    expect(field_error(page, SIN)).to_have_text(SIN_INVALID)
    expect(page.get_by_label(SIN)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text(SIN_INVALID)

    page.get_by_label(SIN).fill(VALID_SIN)
    go_on(page)
    expect_step(page, 3)
    go_on(page)
    expect_step(page, 4)
    place_of_practice(page, name="Clinique visuelle de Rimouski", line1="12, rue des Érables", city="Rimouski",
                      postal_code="G5L 1A1", telephone="418 555-0123")
    go_on(page)
    expect_step(page, 5)
    cheque_and_no_administrative_account(page)
    go_on(page)

    expect_summary(page)
    expect(summary_value(page, 2, "Mode de rémunération")).to_have_text("Honoraires fixes")
    expect(summary_value(page, 2, "Numéro d'assurance sociale")).to_have_text("••• ••• 544")
    html = page.content()
    assert "130692544" not in html and VALID_SIN not in html and "130 692" not in html


# --- 4. Billing stays closed until the registration is complete (INS-5) ------------------------------------------


def test_INS_5_billing_is_closed_until_registration_is_complete(page, gagnon):
    enrol(page, gagnon, "benoit.gagnon")
    engage(page)
    expect_step(page, 2)
    # No Mon dossier tabs in the wizard.
    expect(page.get_by_role("navigation", name="Mon dossier")).to_have_count(0)

    account = personal_account(gagnon.file())
    for path in ("/comptes/", f"/comptes/{account.pk}/", f"/comptes/{account.pk}/paiement/"):
        page.goto(path)
        expect(page).to_have_url("/inscription/etapes/2/")
        expect_step(page, 2)
        expect(messages(page)).to_contain_text(BILLING_CLOSED)


# --- 5. *Annuler* in a search falls back to "not now" (INS-3 step 6) ----------------------------------------------


def test_INS_3_cancel_in_a_search_falls_back_to_not_now(page, gagnon):
    enrol(page, gagnon, "benoit.gagnon")
    walk_steps_1_to_4(page)
    cheque_and_no_administrative_account(page)

    # An agency search: the option follows, an agency is chosen with its mandate and reception mode.
    search_agency(page, "Facturation")
    expect_step(page, 6)
    expect(page.get_by_label(OPTION_AGENCY, exact=True)).to_be_checked()
    agency_radio(page, "11111").check()
    choose(page, MANDATE)
    choose(page, TELECOM)

    # *Annuler la recherche*: back to "not now", the search and the choice gone.
    page.get_by_role("button", name=CANCEL_SEARCH).click()
    expect_step(page, 6)
    expect(page.get_by_label(OPTION_NONE, exact=True)).to_be_checked()
    expect(page.get_by_label("Agence de facturation : numéro de transmission ou nom")).to_have_value("")
    expect(page.get_by_role("group", name="Agence", exact=True)).to_have_count(0)
    expect(page.get_by_label(MANDATE)).not_to_be_checked()
    expect(page.get_by_role("button", name=CANCEL_SEARCH)).to_have_count(0)

    # The same from a developer search.
    page.get_by_label("Développeur de logiciels : numéro ou nom").fill("70002")
    page.get_by_role("button", name="Rechercher un développeur").click()
    expect(page.get_by_role("group", name="Développeur de logiciels", exact=True)).to_contain_text("OptoFacture")
    page.get_by_role("button", name=CANCEL_SEARCH).click()
    expect(page.get_by_label(OPTION_NONE, exact=True)).to_be_checked()
    expect(page.get_by_role("group", name="Développeur de logiciels", exact=True)).to_have_count(0)

    go_on(page)
    expect_summary(page)
    expect(summary_value(page, 6, "Accréditation à la facturation")).to_have_text(OPTION_NONE)
    expect(summary_part(page, 6)).not_to_contain_text("Facturation Pro ATD")


# --- 6. A forgotten password, recovered with the secret questions (INS-2) -----------------------------------------


def test_INS_2_forgotten_password_with_secret_questions(page, gagnon):
    enrol(page, gagnon, "benoit.gagnon")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url("/connexion/")

    page.get_by_role("link", name="Mot de passe oublié?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")
    page.get_by_label("Nom d'utilisateur").fill("benoit.gagnon")
    page.get_by_role("button", name="Répondre à mes questions secrètes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos questions secrètes")
    new_password = "Sourire-eclatant-2027"

    # One wrong answer: refused, nothing changes.
    answers = {question: answer for question, answer in SECRET_ANSWERS}
    answers[SECRET_ANSWERS[1][0]] = "Caramel"
    for question, answer in answers.items():
        page.get_by_label(question).fill(answer)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(new_password)
    page.get_by_label("Confirmer le nouveau mot de passe").fill(new_password)
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    expect(page.get_by_role("alert")).to_contain_text("Au moins une réponse ne correspond pas.")

    # The right answers, typed without capitals nor accents (they do not count).
    for question, answer in SECRET_ANSWERS:
        page.get_by_label(question).fill(answer.lower().replace("é", "e").replace("è", "e"))
    page.get_by_label("Nouveau mot de passe", exact=True).fill(new_password)
    page.get_by_label("Confirmer le nouveau mot de passe").fill(new_password)
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    expect(page).to_have_url("/connexion/")
    expect(messages(page)).to_contain_text("Votre nouveau mot de passe est enregistré.")

    # The new password opens the registration where it stopped.
    sign_in(page, "benoit.gagnon", new_password)
    expect(page).to_have_url("/inscription/etapes/1/")
    expect_step(page, 1)
    assert gagnon.file().user.check_password(new_password)

    # The reference number was used up by the enrolment: the same refusal as for a wrong one.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/inscription/services-en-ligne/")
    submit_reference(page, gagnon)
    expect(page.get_by_role("alert")).to_contain_text("ou ce numéro a déjà servi")


# --- 7. Not registering: form 1378, not the wizard (INS-7) --------------------------------------------------------


def test_INS_7_non_participation_page(page, gagnon):
    page.goto("/inscription/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription à la RAMQ")
    page.get_by_role("link", name="Vous ne désirez pas vous inscrire (non-participation ou désengagement)?").click()
    expect(page).to_have_url("/inscription/non-participation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Je ne désire pas m'inscrire à la RAMQ")
    main = page.locator("main")
    expect(main).to_contain_text("Il ne faut pas utiliser l'inscription en ligne")
    expect(main).to_contain_text("non-participation (1378)")
    expect(main).to_contain_text("La non-participation prend effet 30 jours après l'envoi de l'avis.")
    expect(main).to_contain_text("Non participant")
    expect(main).to_contain_text("Désengagé")
    page.get_by_role("link", name="Retour à l'inscription à la RAMQ").click()
    expect(page).to_have_url("/inscription/")


# --- 8. A step of the wizard with the keyboard only (INS-3, BEY-9) ------------------------------------------------


def test_INS_3_step_1_filled_and_submitted_with_the_keyboard_only(page, gagnon):
    enrol(page, gagnon, "benoit.gagnon")
    engagement = page.get_by_label(ENGAGEMENT)
    submit = page.get_by_role("button", name="Continuer", exact=True)

    # Enter on *Continuer* without the engagement: the error, next to the box.
    press_tab_until(page, submit, limit=60)
    page.keyboard.press("Enter")
    expect_step(page, 1)
    expect(field_error(page, ENGAGEMENT)).to_have_text(
        "L'engagement est obligatoire pour être rémunéré par la Régie et accéder aux services en ligne."
    )

    # Tab to the box, Space ticks it; Tab on to *Continuer*, Space submits.
    press_tab_until(page, engagement, limit=60)
    page.keyboard.press("Space")
    expect(engagement).to_be_checked()
    page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.keyboard.press("Space")
    expect_step(page, 2)
    assert gagnon.file().engagement_confirmed_at is not None

    # Step 2 asks nothing of a dentist: Enter on *Continuer*.
    press_tab_until(page, page.get_by_role("button", name="Continuer", exact=True), limit=60)
    page.keyboard.press("Enter")
    expect_step(page, 3)


# --- Guards against two bugs found while writing these tests --------------------------------------------------------------------------


def test_INS_3_the_SIN_and_the_bank_account_are_never_shown_in_full_when_a_step_is_shown_again(page, bergeron):
    enrol(page, bergeron, "elise.bergeron")
    engage(page)
    page.get_by_label(SIN).fill(VALID_SIN)
    go_on(page)
    expect_step(page, 3)
    go_on(page)
    place_of_practice(page, name="Clinique visuelle de Rimouski", line1="12, rue des Érables", city="Rimouski",
                      postal_code="G5L 1A1", telephone="418 555-0123")
    go_on(page)
    expect_step(page, 5)
    choose(page, TRANSFER)
    page.get_by_label(INSTITUTION, exact=True).select_option(label=BANK["institution"])
    page.get_by_label(TRANSIT, exact=True).fill(BANK["transit"])
    page.get_by_label(ACCOUNT_NUMBER, exact=True).fill(BANK["account_number"])
    choose(page, PERSONAL_CONFIRMATION)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD_CHOSEN)
    authorise(page)
    go_on(page)
    expect_step(page, 6)

    problems = []
    progress(page).get_by_role("link", name=re.compile(STEP_TITLES[2])).click()
    expect_step(page, 2)
    if re.sub(r"\D", "", VALID_SIN) in re.sub(r"\D", "", page.get_by_label(SIN).input_value()):
        problems.append(f"step 2 shows the whole SIN: {page.get_by_label(SIN).input_value()!r}")
    progress(page).get_by_role("link", name=re.compile(re.escape(STEP_TITLES[5]))).click()
    expect_step(page, 5)
    if BANK["account_number"] in page.content():
        problems.append(f"step 5 shows the whole bank account number: {page.get_by_label(ACCOUNT_NUMBER, exact=True).input_value()!r}")
    assert not problems, "\n".join(problems)


def test_INS_4_INS_5_billing_opens_on_a_device_left_signed_in_once_registration_is_completed_on_another(page, gagnon, other_device):
    enrol(page, gagnon, "benoit.gagnon")  # the first device stays signed in, on step 1

    device = other_device()
    sign_in(device, "benoit.gagnon", PASSWORD_CHOSEN)
    expect_step(device, 1)
    walk_steps_1_to_4(device)
    cheque_and_no_administrative_account(device)
    go_on(device)
    expect_summary(device)
    go_on(device)
    expect(device.get_by_role("heading", level=1)).to_have_text("Votre inscription à la RAMQ est terminée")

    # Back on the first device: Mon dossier, then the billing tab.
    page.goto("/")
    expect(page).to_have_url("/profil/")
    page.get_by_role("navigation", name="Mon dossier").get_by_role("link", name="Comptes de facturation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comptes de facturation")
