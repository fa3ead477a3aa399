"""Issue 15: the forms' components in a real browser. After a failed submit the error summary has the
focus and the page's title begins with "Erreur : ", on every form of the portal and the wizard; a link of
the summary moves the focus to its field. Conditional parts are revealed by the choice that needs them
(with JavaScript) and all shown without it, the server's validation deciding. Boxes sit to the left of
their labels and toggle with Space.

static/js/forms.js, templates/partials/ (field, checkbox_field, radio_field, address_fields,
form_errors), ramq_portal/templatetags/form_state.py.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.comptes_pages import (
    GROUP_NUMBER_LABEL,
    OPTION_AGENCY,
    TRANSFER,
    agency_radio,
    ask_to_join,
    choose,
    collective_account,
    open_account,
    open_accounts_tab,
    open_edit,
    personal_account,
    search_agency,
)
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import press_tab_until, signed_in
from tests.browser.inscription_pages import (
    POLICY,
    authorise,
    enrol,
    engage,
    expect_step,
    go_on,
    place_of_practice,
    submit_reference,
)
from tests.browser.profil_pages import section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ERROR_TITLE = "Erreur\u00a0: "  # NBSP before the colon, as French writes it
ERROR_TITLE_START = re.compile("^" + re.escape(ERROR_TITLE))  # expect() waits for the page sent back
CORRESPONDENCE = "Coordonnées de correspondance"
PRACTICE = "Coordonnées de pratique"
PLACE = {"name": "Clinique dentaire des Pins", "line1": "100, avenue des Pins Ouest", "city": "Montréal",
         "postal_code": "H2W 1R2", "telephone": "514 555-0100"}


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.id")


def expect_error_summary_focused_and_leading_to_fields(page: Page) -> None:
    """The page came back with errors: its summary has the focus, its title says "Erreur", and the
    summary's first link puts the focus on its field."""
    summary = page.locator("#erreurs")
    expect(summary).to_be_focused()
    assert focused_id(page) == "erreurs"
    expect(page).to_have_title(ERROR_TITLE_START)
    link = summary.get_by_role("link").first
    target = link.get_attribute("href").removeprefix("#")
    link.click()
    expect(page.locator(f"[id='{target}']")).to_be_focused()
    assert focused_id(page) == target


def save(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer").click()


# --- Sign-in and the registration's account pages -------------------------------------------------------


def test_failed_sign_in_focuses_the_error_summary(page, demo_data):
    page.goto("/connexion/")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect_error_summary_focused_and_leading_to_fields(page)
    expect(page.get_by_label("Nom d'utilisateur")).to_be_focused()


def test_forgotten_password_page_focuses_the_error_summary(page, demo_data):
    page.goto("/connexion/mot-de-passe-oublie/")
    page.get_by_role("button", name="Répondre à mes questions secrètes").click()
    expect_error_summary_focused_and_leading_to_fields(page)


def test_enrolment_and_account_creation_focus_the_error_summary(page, gagnon):
    page.goto("/inscription/services-en-ligne/")
    page.get_by_label(POLICY).check()
    page.get_by_role("button", name="Continuer").click()
    expect_error_summary_focused_and_leading_to_fields(page)

    submit_reference(page, gagnon)
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer votre compte des services en ligne")
    page.get_by_label("Nom d'utilisateur").fill("benoit.gagnon")
    page.get_by_role("button", name="Créer mon compte").click()
    expect_error_summary_focused_and_leading_to_fields(page)


# --- Each step of the wizard -------------------------------------------------------------------------------


def test_every_wizard_step_with_fields_focuses_its_error_summary(page, gagnon):
    enrol(page, gagnon, "benoit.gagnon")
    # Step 1: the engagement left unticked.
    go_on(page)
    expect_step(page, 1)
    expect_error_summary_focused_and_leading_to_fields(page)
    expect(page.get_by_role("checkbox")).to_be_focused()
    engage(page)
    expect_step(page, 2)  # no SIN asked of a dentist paid per act: nothing to fail
    go_on(page)
    expect_step(page, 3)

    # Step 3: an email that is not one.
    page.get_by_label("Courriel", exact=True).fill("pas-un-courriel")
    go_on(page)
    expect_step(page, 3)
    expect_error_summary_focused_and_leading_to_fields(page)
    expect(page.get_by_label("Courriel", exact=True)).to_be_focused()
    page.get_by_label("Courriel", exact=True).fill("")
    go_on(page)

    # Step 4: a place with a name only.
    expect_step(page, 4)
    page.get_by_label("Nom du lieu").fill(PLACE["name"])
    go_on(page)
    expect_step(page, 4)
    expect_error_summary_focused_and_leading_to_fields(page)
    place_of_practice(page, **PLACE)
    go_on(page)

    # Step 5: the authorisations left unticked.
    expect_step(page, 5)
    go_on(page)
    expect_step(page, 5)
    expect_error_summary_focused_and_leading_to_fields(page)
    authorise(page)
    go_on(page)

    # Step 6: an agency without an agency chosen.
    expect_step(page, 6)
    choose(page, OPTION_AGENCY)
    go_on(page)
    expect_step(page, 6)
    expect_error_summary_focused_and_leading_to_fields(page)


def test_wizard_step_2_focuses_its_error_summary(page, bergeron):
    enrol(page, bergeron, "elise.bergeron")
    engage(page)
    expect_step(page, 2)
    go_on(page)
    expect_step(page, 2)
    expect_error_summary_focused_and_leading_to_fields(page)
    expect(page.get_by_label("Numéro d'assurance sociale (NAS)")).to_be_focused()


# --- The Profil tab ------------------------------------------------------------------------------------------


def test_coordinates_telephones_practice_and_preferences_focus_their_error_summary(page, dentist):
    signed_in(page)
    # Coordinates: the city emptied.
    section(page, CORRESPONDENCE).get_by_role("link", name="Modifier").click()
    page.get_by_label("Ville", exact=True).fill("")
    save(page)
    expect_error_summary_focused_and_leading_to_fields(page)
    expect(page.get_by_label("Ville", exact=True)).to_be_focused()

    # Telephones alone: a number that is not one in the new row; the rest of the form is right.
    page.goto("/profil/correspondance/")
    new_row = page.get_by_role("group", name="Nouveau numéro (facultatif)")
    new_row.get_by_label("Type", exact=True).select_option(label="Autre")
    new_row.get_by_label("Numéro de téléphone").fill("12")
    save(page)
    expect_error_summary_focused_and_leading_to_fields(page)
    expect(page.get_by_role("group", name="Nouveau numéro (facultatif)").get_by_label("Numéro de téléphone")).to_be_focused()

    # Practice: the place's name emptied.
    page.goto("/profil/")
    section(page, PRACTICE).get_by_role("link", name="Modifier").click()
    page.get_by_label("Nom du lieu").first.fill("")
    save(page)
    expect_error_summary_focused_and_leading_to_fields(page)
    expect(page.get_by_label("Nom du lieu").first).to_be_focused()

    # Preferences: a choice missing (as a tampered or half-loaded page would send it).
    page.goto("/profil/preferences/")
    page.evaluate("""() => document.querySelectorAll('main form input[type=radio]:checked').forEach(r => { r.checked = false; })""")
    save(page)
    expect_error_summary_focused_and_leading_to_fields(page)


# --- The Comptes tab and the secure messaging -------------------------------------------------------------------


def test_payment_and_statement_focus_their_error_summary(page, dentist):
    signed_in(page)
    account = collective_account(dentist)
    open_accounts_tab(page)
    open_account(page, account)
    open_edit(page, "Coordonnées de paiement")
    choose(page, TRANSFER)
    save(page)
    expect_error_summary_focused_and_leading_to_fields(page)

    page.goto(f"/comptes/{account.pk}/etat-de-compte/")
    choose(page, OPTION_AGENCY)
    save(page)
    expect_error_summary_focused_and_leading_to_fields(page)


def test_CPT_2_a_refused_request_to_join_a_group_focuses_the_error_summary_in_french(page, dentist):
    """The join form of the tab sent back (an unknown group number): the summary at the top of the form
    has the focus, in French, the number is kept, and the summary's link leads to the field."""
    signed_in(page)
    open_accounts_tab(page)
    ask_to_join(page, "999999", refused=True)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    summary = page.locator("#erreurs")
    expect(summary).to_contain_text("Veuillez corriger les erreurs suivantes.")
    expect(summary).to_contain_text(f"{GROUP_NUMBER_LABEL}\u00a0: Aucun compte collectif actif ne porte ce numéro de regroupement.")
    expect(page.get_by_label(GROUP_NUMBER_LABEL)).to_have_value("999999")
    expect(page.get_by_label(GROUP_NUMBER_LABEL)).to_have_attribute("aria-invalid", "true")
    expect_error_summary_focused_and_leading_to_fields(page)
    expect(page.get_by_label(GROUP_NUMBER_LABEL)).to_be_focused()


def test_compose_and_reply_focus_their_error_summary(page, dentist):
    signed_in(page)
    page.goto("/messagerie/ecrire/")
    page.get_by_role("button", name="Envoyer").click()
    expect_error_summary_focused_and_leading_to_fields(page)


# --- Conditional parts ------------------------------------------------------------------------------------------


def test_choosing_another_country_reveals_the_address_abroad_and_hides_the_province(page, dentist):
    signed_in(page)
    page.goto("/profil/correspondance/")
    country = page.get_by_label("Pays")
    province, postal_code = page.get_by_label("Province", exact=True), page.get_by_label("Code postal", exact=True)
    abroad = page.get_by_label("État, région ou code postal (hors Canada)")
    expect(province).to_be_visible()
    expect(postal_code).to_be_visible()
    expect(abroad).to_be_hidden()
    controlled = country.get_attribute("aria-controls").split()
    assert {"id_country-canada", "id_country-hors-canada"} <= set(controlled)

    country.select_option("FR")
    expect(abroad).to_be_visible()
    expect(province).to_be_hidden()
    expect(postal_code).to_be_hidden()
    abroad.fill("75011 Paris")
    page.get_by_label("Adresse", exact=True).fill("12, rue Oberkampf")
    page.get_by_label("Ville", exact=True).fill("Paris")
    save(page)
    expect(page).to_have_url("/profil/")
    expect(section(page, CORRESPONDENCE).locator(".pending")).to_contain_text("75011 Paris")

    page.goto("/profil/correspondance/")
    expect(page.get_by_label("Pays")).to_have_value("FR")
    expect(page.get_by_label("Province", exact=True)).to_be_hidden()
    page.get_by_label("Pays").select_option("CA")
    expect(page.get_by_label("Province", exact=True)).to_be_visible()
    expect(page.get_by_label("État, région ou code postal (hors Canada)")).to_be_hidden()


def test_bank_details_are_revealed_by_the_transfer_and_the_mandate_by_an_ATD(page, dentist):
    signed_in(page)
    account = collective_account(dentist)
    page.goto(f"/comptes/{account.pk}/paiement/")
    institution = page.get_by_label("Institution financière", exact=True)
    transfer = page.get_by_label(TRANSFER, exact=True)
    if transfer.is_checked():
        choose(page, "Chèque")
    expect(institution).to_be_hidden()
    assert transfer.get_attribute("aria-controls") == "id_mode-virement"
    choose(page, TRANSFER)
    expect(institution).to_be_visible()
    choose(page, "Chèque")
    expect(institution).to_be_hidden()
    # A field in error is never hidden: its part is shown with the page.
    choose(page, TRANSFER)
    save(page)
    expect(page.locator("#id_institution_error")).to_be_visible()
    expect(institution).to_be_visible()

    page.goto(f"/comptes/{account.pk}/etat-de-compte/")
    mandate = page.get_by_label("J'accepte le mandat confié à cette agence commerciale de traitement de données (ATD).")
    expect(mandate).to_be_hidden()
    search_agency(page, "22222")  # an ISE: no mandate
    agency_radio(page, "22222").check()
    expect(mandate).to_be_hidden()
    search_agency(page, "11111")  # an ATD: its mandate
    agency_radio(page, "11111").check()
    expect(mandate).to_be_visible()


@pytest.fixture
def no_script_page(browser, live_server):
    """A page whose browser runs no JavaScript. Not checked with axe-core: axe is a script, which this
    page does not run (the same documents are checked with JavaScript by the other tests)."""
    context = browser.new_context(locale="fr-CA", base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_without_javascript_every_part_is_shown_and_the_server_validates(no_script_page, dentist):
    page = no_script_page
    signed_in(page)
    page.goto("/profil/correspondance/")
    for label in ("Province", "Code postal", "État, région ou code postal (hors Canada)"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()

    # Abroad with the Canadian fields still filled: the server keeps the address abroad.
    page.get_by_label("Pays").select_option("FR")
    page.get_by_label("Adresse", exact=True).fill("12, rue Oberkampf")
    page.get_by_label("Ville", exact=True).fill("Paris")
    page.get_by_label("État, région ou code postal (hors Canada)").fill("75011 Paris")
    save(page)
    expect(page).to_have_url("/profil/")
    expect(section(page, CORRESPONDENCE).locator(".pending")).to_contain_text("75011 Paris")

    # In Canada without a postal code: refused by the server, the title says so.
    page.goto("/profil/correspondance/")
    page.get_by_label("Pays").select_option("CA")
    page.get_by_label("Province", exact=True).select_option("QC")
    page.get_by_label("Code postal", exact=True).fill("")
    save(page)
    expect(page).to_have_title(ERROR_TITLE_START)  # not page.title(): read while the answer is still loading, it is ''
    expect(page.locator("#id_postal_code_error")).to_be_visible()

    account = personal_account(dentist)
    page.goto(f"/comptes/{account.pk}/paiement/")
    expect(page.get_by_label("Institution financière", exact=True)).to_be_visible()
    page.goto(f"/comptes/{account.pk}/etat-de-compte/")
    expect(page.get_by_label("J'accepte le mandat confié à cette agence commerciale de traitement de données (ATD).")).to_be_visible()


# --- Boxes beside their labels, Space ------------------------------------------------------------------------------


def test_checkbox_sits_left_of_its_label_and_toggles_with_space(page, dentist):
    signed_in(page)
    page.goto("/profil/correspondance/")
    box = page.get_by_label("Cette adresse est celle de mon agence de facturation")
    label = page.locator("label[for='id_declared_agency_address']")
    box_at, label_at = box.bounding_box(), label.bounding_box()
    assert box_at["x"] + box_at["width"] <= label_at["x"], (box_at, label_at)
    assert label_at["y"] <= box_at["y"] + box_at["height"] / 2 <= label_at["y"] + label_at["height"], (box_at, label_at)
    press_tab_until(page, box)
    was = box.is_checked()
    page.keyboard.press("Space")
    assert box.is_checked() != was
    label.click()  # the label is clickable too
    assert box.is_checked() == was


def test_transfer_radio_chosen_with_space_reveals_the_bank_details(page, dentist):
    signed_in(page)
    page.goto(f"/comptes/{collective_account(dentist).pk}/paiement/")
    transfer = page.get_by_label(TRANSFER, exact=True)
    if transfer.is_checked():
        choose(page, "Chèque")
    expect(page.get_by_label("Institution financière", exact=True)).to_be_hidden()
    transfer.focus()
    page.keyboard.press("Space")
    expect(transfer).to_be_checked()
    expect(page.get_by_label("Institution financière", exact=True)).to_be_visible()


def test_telephone_row_is_one_line_on_a_wide_screen_and_wraps_at_320_px(page, dentist):
    signed_in(page)
    page.goto("/profil/correspondance/")
    row = page.get_by_role("group", name="Téléphone 1")
    tops = [row.get_by_label(label, exact=True).bounding_box()["y"] for label in ("Type", "Numéro de téléphone", "Poste", "Supprimer")]
    assert max(tops) - min(tops) < 24, tops
    page.set_viewport_size({"width": 320, "height": 800})
    row_at = row.bounding_box()
    assert row_at["x"] + row_at["width"] <= 320, row_at
    for label in ("Type", "Numéro de téléphone", "Poste"):
        box = row.get_by_label(label, exact=True).bounding_box()
        assert box["x"] + box["width"] <= 320, (label, box)
