"""The *Comptes de facturation* tab in a real browser, flow by flow, as a professional uses it: sign in,
open the tab and an account, *Modifier*, fill the fields by their labels, *Enregistrer*, and read what
the pages say afterwards.

Rules proven: CPT-1, CPT-2, PAI-1..4, ETC-2..5, PAY-3 (deposit date), BEY-2, BEY-4, BEY-5, EML-5 (bank
notice), DOS-5. The portal's clock is frozen (profil_pages.START, a Tuesday; the next payment is on
Thursday) and moved by the tests; every page opened is checked with axe-core (tests/browser/conftest.py).
Two bugs found while writing them are fixed since (a member could ask to join her own group; the 404
page was Django's English one): their tests now pass.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from calendrier import paycalendar
from comptes.constants import AgencyType, PaymentMode, ReceptionMode, StatementOption
from comptes.models import BillingAgency
from comptes.request_kinds import JoinCollective, OpenIndividualAccount
from dossier.constants import RequestStatus
from dossier.models import Professional, Request
from dossier.requests import due_date_for
from notifications.models import OutboundMessage
from ramq_portal import clock
from tests import timetravel
from tests.browser.comptes_pages import (
    ACCOUNT_NAME,
    ACCOUNT_NUMBER,
    CHEQUE,
    COMPANY_REFUSED,
    DIS_REFUSED,
    GROUP_NUMBER_LABEL,
    INSTITUTION,
    MANDATE,
    MANDATE_NEEDED,
    OPTION_AGENCY,
    OPTION_NONE,
    OPTION_SELF_BILLING,
    PASSWORD,
    PASSWORD_NEEDED,
    PAYMENT,
    PAYMENT_SAVED,
    PERSONAL_CONFIRMATION,
    PRIVATE_AGENCY,
    RECEPTION_NEEDED,
    SECURE_MESSAGING,
    STATEMENT,
    STATEMENT_SAVED,
    TELECOM,
    TRANSFER,
    TRANSIT,
    agency_radio,
    ask_to_join,
    ask_to_open,
    choose,
    collective_account,
    day_month,
    developer_radio,
    fill_transfer,
    group_error,
    long_date,
    new_professional,
    open_account,
    open_accounts_tab,
    open_edit,
    payment_rows,
    personal_account,
    radio_group,
    save,
    search_agency,
    search_developer,
    secure_messages,
    statement_of,
    statement_summary,
)
from tests.browser.helpers import DEMO_PASSWORD, signed_in
from tests.browser.profil_pages import (
    START,
    field_error,
    fill_address,
    french_date,
    messages,
    section,
)
from tests.factories import PASSWORD as FACTORY_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_BANK = {"institution": "006 — Banque Nationale du Canada", "transit": "04512", "account_number": "987654321"}
MASKED = "•••321"


def account_page(account):
    """The URL of an account's page (a redirect there keeps a #fragment the form page had)."""
    return re.compile(rf"/comptes/{account.pk}/(#[\w-]*)?$")


def payment_section(page):
    return section(page, PAYMENT)


def expect_mode_notices(page, moment) -> None:
    """PAI-3 / BEY-2: the form says, before saving, when the next payment lands for each mode and which
    payment the new details apply to."""
    effective = paycalendar.bank_change_effective_date(moment)
    upcoming = paycalendar.next_payment(effective)
    notice = page.locator("main .notice")
    expect(notice).to_contain_text(
        f"Virement bancaire : le paiement du {long_date(upcoming.payment_date)} sera déposé au plus tard le "
        f"{long_date(upcoming.deposit_date)} (3 jours ouvrables, habituellement le mardi suivant)."
    )
    expect(notice).to_contain_text(
        f"Chèque : le paiement du {long_date(upcoming.payment_date)} est posté à votre adresse de paiement et arrive "
        f"entre le {day_month(upcoming.cheque_from)} et le {french_date(upcoming.cheque_to)} (5 à 7 jours)."
    )
    assert upcoming.deposit_date == paycalendar.add_business_days(upcoming.payment_date, 3)
    assert (upcoming.cheque_from - upcoming.payment_date).days == 5 and (upcoming.cheque_to - upcoming.payment_date).days == 7
    next_payday = paycalendar.next_payment_date(moment)
    if next_payday < effective:
        expect(notice).to_contain_text(
            f"Le paiement du {french_date(next_payday)} sera encore versé selon les coordonnées actuelles; "
            f"les nouvelles s'appliqueront au paiement du {french_date(effective)}."
        )
    else:
        expect(notice).to_contain_text(f"Les nouvelles coordonnées s'appliqueront au paiement du {french_date(effective)}.")


def expect_never_shown_in_full(page, account_number: str) -> None:
    html = page.content()
    assert account_number not in html, f"the full bank account number is in the HTML of {page.url}"
    assert account_number[:-3] not in html, f"more than the last 3 digits of the bank account are in the HTML of {page.url}"


# --- 1. Payment mode: cheque, then transfer with a fresh confirmation (PAI-1..4, BEY-2, BEY-4) -----------


def test_PAI_1_PAI_3_PAI_4_BEY_2_BEY_4_cheque_then_transfer_needs_the_password_pends_and_is_masked(page, dentist):
    account = personal_account(dentist)
    signed_in(page)
    open_accounts_tab(page)
    # CPT-1: the personal account is listed as Finances personnelles, free and never closed.
    expect(page.get_by_role("row", name=account.number)).to_contain_text("Finances personnelles")
    expect(page.locator("main")).to_contain_text("Le compte personnel (Finances personnelles) est gratuit et ne peut jamais être fermé.")
    open_account(page, account)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Finances personnelles — {account.number}")
    expect(payment_section(page)).to_contain_text(
        "Virement bancaire : 815 — Fédération des caisses Desjardins du Québec, succursale 30012, compte •••567"
    )

    # First the demo dentist moves to cheque (no bank details: no password asked, no notice).
    open_edit(page, PAYMENT)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Modifier les coordonnées de paiement — {account.number}")
    expect_mode_notices(page, clock.now())
    # On Tuesday 9 March, Thursday's payment file is already being prepared (PAI-4): the change goes to
    # the payment of 25 March, deposited on Wednesday 31 March because Good Friday (26 March) is a
    # Québec holiday (PAY-3).
    notice = page.locator("main .notice")
    expect(notice).to_contain_text("Le paiement du 11 mars 2027 sera encore versé selon les coordonnées actuelles; "
                                   "les nouvelles s'appliqueront au paiement du 25 mars 2027.")
    expect(notice).to_contain_text("le paiement du jeudi 25 mars 2027 sera déposé au plus tard le mercredi 31 mars 2027")
    expect(notice).to_contain_text("arrive entre le 30 mars et le 1er avril 2027 (5 à 7 jours)")
    choose(page, CHEQUE)
    save(page)
    cheque_from = paycalendar.bank_change_effective_date(clock.now())
    expect(messages(page)).to_contain_text(PAYMENT_SAVED.format(date=french_date(cheque_from)))
    expect(payment_section(page).locator(".pending")).to_contain_text(
        f"Changement en attente, appliqué au paiement du {french_date(cheque_from)} : Chèque"
    )
    assert secure_messages(dentist) == []

    # The payment date of that change has passed: cheque is the mode in force (signed in again).
    timetravel.move_to(START.replace(month=cheque_from.month, day=cheque_from.day) + timedelta(days=1))
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, account)
    expect(payment_section(page).locator("p").first).to_have_text("Chèque")
    expect(payment_section(page).locator(".pending")).to_have_count(0)
    rows_before = payment_rows(account)

    # Transfer: institution, transit, account number, the personal-account box; the form says when.
    open_edit(page, PAYMENT)
    expect(page.get_by_label(CHEQUE, exact=True)).to_be_checked()
    expect_mode_notices(page, clock.now())
    effective = paycalendar.bank_change_effective_date(clock.now())
    fill_transfer(page, **NEW_BANK)
    choose(page, PERSONAL_CONFIRMATION)

    # BEY-4: a wrong password, then none at all: the French error beside the field, nothing saved.
    for typed in ("Pas-le-bon-2026", ""):
        page.get_by_label(PASSWORD, exact=True).fill(typed)
        save(page)
        expect(page).to_have_url(f"/comptes/{account.pk}/paiement/")
        expect(field_error(page, PASSWORD)).to_have_text(PASSWORD_NEEDED)
        expect(page.get_by_label(PASSWORD, exact=True)).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".error-summary")).to_contain_text(f"Mot de passe : {PASSWORD_NEEDED}")
        expect(page.get_by_label(PASSWORD, exact=True)).to_have_value("")  # never sent back
        assert payment_rows(account) == rows_before
        assert secure_messages(dentist) == []
    # What was typed is kept, so that only the password needs typing again.
    expect(page.get_by_label(TRANSFER, exact=True)).to_be_checked()
    expect(page.get_by_label(INSTITUTION, exact=True).locator("option:checked")).to_have_text(NEW_BANK["institution"])
    expect(page.get_by_label(TRANSIT, exact=True)).to_have_value(NEW_BANK["transit"])

    page.get_by_label(PASSWORD, exact=True).fill(DEMO_PASSWORD)
    save(page)

    # PAI-4: recorded now, applied to a later payment; the page says so and shows the account masked.
    expect(page).to_have_url(account_page(account))
    expect(messages(page)).to_contain_text(PAYMENT_SAVED.format(date=french_date(effective)))
    pending = payment_section(page).locator(".pending")
    expect(pending).to_contain_text(
        f"Changement en attente, appliqué au paiement du {french_date(effective)} : "
        f"Virement bancaire — {NEW_BANK['institution']}, compte {MASKED}"
    )
    expect(pending).to_contain_text("Un état de compte reçu d'ici là montre encore les anciennes coordonnées : c'est normal.")
    expect(payment_section(page).locator("p").first).to_have_text("Chèque")  # still in force until then
    expect_never_shown_in_full(page, NEW_BANK["account_number"])
    row = payment_rows(account)[-1]
    assert (row.mode, row.institution.number, row.transit, row.bank_account, row.bank_account_last3) == (
        PaymentMode.TRANSFER, "006", NEW_BANK["transit"], NEW_BANK["account_number"], "321",
    )
    assert row.effective_from == effective and row.personal_account_confirmed

    # BEY-4: the professional is told in secure messaging; no email, since none is activated (EML-5).
    (notice,) = secure_messages(dentist)
    assert account.number in notice.body and "321" in notice.body and french_date(effective) in notice.body
    assert NEW_BANK["account_number"] not in notice.body
    assert not dentist.has_activated_email
    assert mail.outbox == []
    assert not OutboundMessage.objects.filter(template="coordonnees_bancaires").exists()

    # Masked everywhere: the list of accounts and the form opened again.
    open_accounts_tab(page)
    expect(page.get_by_role("row", name=account.number)).to_contain_text("changement en attente")
    expect_never_shown_in_full(page, NEW_BANK["account_number"])
    open_account(page, account)
    open_edit(page, PAYMENT)
    expect(page.get_by_label(ACCOUNT_NUMBER, exact=True)).to_have_value("")
    expect_never_shown_in_full(page, NEW_BANK["account_number"])


@pytest.mark.parametrize("activated", [True, False], ids=["activated-email", "email-awaiting-validation"])
def test_PAI_1_BEY_4_EML_5_first_transfer_is_announced_by_email_only_to_an_activated_address(page, dentist, activated):
    email = "marc.lavoie@exemple.ca"
    professional = new_professional("marc.lavoie", first_name="Marc", last_name="Lavoie", email=email, activated=activated)
    account = personal_account(professional)
    signed_in(page, "marc.lavoie", FACTORY_PASSWORD)
    open_accounts_tab(page)
    open_account(page, account)
    expect(payment_section(page)).to_contain_text("Chèque (mode par défaut)")  # PAI-1

    open_edit(page, PAYMENT)
    expect(page.get_by_label(CHEQUE, exact=True)).to_be_checked()
    expect_mode_notices(page, clock.now())
    fill_transfer(page, **NEW_BANK)
    choose(page, PERSONAL_CONFIRMATION)
    page.get_by_label(PASSWORD, exact=True).fill(FACTORY_PASSWORD)
    save(page)

    effective = paycalendar.bank_change_effective_date(clock.now())
    expect(page).to_have_url(account_page(account))
    expect(messages(page)).to_contain_text(PAYMENT_SAVED.format(date=french_date(effective)))
    expect(payment_section(page).locator(".pending")).to_contain_text(f"compte {MASKED}")
    expect_never_shown_in_full(page, NEW_BANK["account_number"])
    assert len(secure_messages(professional)) == 1
    if activated:
        (message,) = mail.outbox
        assert message.to == [email]
        assert message.subject == "Mon dossier\u00a0: vos coordonnées bancaires ont été modifiées"
        assert account.number in message.body and french_date(effective) in message.body
        assert NEW_BANK["account_number"] not in message.body
    else:
        assert mail.outbox == []


def test_BEY_5_BEY_4_transfer_applied_to_the_other_account_too_with_one_password(page, dentist):
    personal, collective = personal_account(dentist), collective_account(dentist)
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, personal)
    open_edit(page, PAYMENT)
    fill_transfer(page, **NEW_BANK)
    choose(page, PERSONAL_CONFIRMATION)
    page.get_by_label(PASSWORD, exact=True).fill(DEMO_PASSWORD)
    radio_group(page, "Appliquer aussi ce mode de paiement à").get_by_label(f"{collective.number} — {collective.name}").check()
    save(page)

    effective = paycalendar.bank_change_effective_date(clock.now())
    expect(page).to_have_url(account_page(personal))
    expect(messages(page)).to_contain_text(PAYMENT_SAVED.format(date=french_date(effective)))
    pending = (f"Changement en attente, appliqué au paiement du {french_date(effective)} : "
               f"Virement bancaire — {NEW_BANK['institution']}, compte {MASKED}")
    expect(payment_section(page).locator(".pending")).to_contain_text(pending)
    open_accounts_tab(page)
    open_account(page, collective)
    expect(payment_section(page).locator(".pending")).to_contain_text(pending)
    expect_never_shown_in_full(page, NEW_BANK["account_number"])
    for account in (personal, collective):
        row = payment_rows(account)[-1]
        assert (row.mode, row.bank_account, row.effective_from) == (PaymentMode.TRANSFER, NEW_BANK["account_number"], effective)
    notices = secure_messages(dentist)  # BEY-4: one notice per account, each naming its own account
    assert len(notices) == 2
    assert sorted(personal.number in m.body for m in notices) == sorted(collective.number in m.body for m in notices) == [False, True]


# --- 2. Finances personnelles take a personal bank account only (PAI-2) ------------------------------------


def test_PAI_2_transfer_on_the_personal_account_without_the_personal_account_box_is_refused(page, dentist):
    account = personal_account(dentist)
    rows_before = payment_rows(account)
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, account)
    open_edit(page, PAYMENT)
    fill_transfer(page, **NEW_BANK)
    expect(page.get_by_label(PERSONAL_CONFIRMATION, exact=True)).not_to_be_checked()
    page.get_by_label(PASSWORD, exact=True).fill(DEMO_PASSWORD)
    save(page)

    expect(page).to_have_url(f"/comptes/{account.pk}/paiement/")
    expect(field_error(page, PERSONAL_CONFIRMATION)).to_have_text(COMPANY_REFUSED)
    expect(page.locator(".error-summary")).to_contain_text(COMPANY_REFUSED)
    assert payment_rows(account) == rows_before
    assert secure_messages(dentist) == []

    # The box belongs to Finances personnelles only: an administrative account does not ask for it.
    page.goto(f"/comptes/{collective_account(dentist).pk}/paiement/")
    expect(page.get_by_label(TRANSFER, exact=True)).to_be_visible()
    expect(page.get_by_label(PERSONAL_CONFIRMATION, exact=True)).to_have_count(0)


def expect_summary_link_leads_to_group_error(page, legend: str, error: str) -> None:
    """The error summary's entry for a group of radio buttons is a link to the group's error (it was
    a dead href="#", which moved nobody anywhere); following it puts the focus there (issue 15)."""
    link = page.locator(".error-summary").get_by_role("link", name=f"{legend} : {error}")
    target = group_error(page, legend).get_attribute("id")
    expect(link).to_have_attribute("href", f"#{target}")
    link.click()
    expect(page.locator(f"#{target}")).to_be_focused()


# --- 3. Statement transmission with an agency (ETC-2 (a), ETC-3, ETC-4) --------------------------------------


def test_ETC_2a_ETC_3_ETC_4_agency_found_by_name_and_number_ATD_needs_the_mandate_ISE_does_not(page, dentist):
    account = collective_account(dentist)  # "not now" for the moment
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, account)
    expect(statement_summary(page)).to_have_text(OPTION_NONE)

    open_edit(page, STATEMENT)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Modifier les coordonnées d'état de compte — {account.number}")
    expect(page.get_by_label(OPTION_NONE, exact=True)).to_be_checked()

    # The agency option without an agency: the error is shown with the (empty) Agence group, and the
    # error summary's link leads there.
    choose(page, OPTION_AGENCY)
    save(page)
    expect(group_error(page, "Agence")).to_have_text("Cherchez puis choisissez votre agence de facturation.")
    expect_summary_link_leads_to_group_error(page, "Agence", "Cherchez puis choisissez votre agence de facturation.")
    assert statement_of(account).option == StatementOption.NONE

    # Found by name, then by transmission number; a search chooses the agency option.
    search_agency(page, "Facturation Pro")
    expect(radio_group(page, "Agence").get_by_role("radio")).to_have_count(1)
    expect(agency_radio(page, "11111")).to_be_visible()
    expect(page.get_by_label(OPTION_AGENCY, exact=True)).to_be_checked()
    search_agency(page, "22222")
    expect(radio_group(page, "Agence").get_by_role("radio")).to_have_count(1)
    expect(agency_radio(page, "22222")).to_be_visible()
    search_agency(page, "11111")
    expect(radio_group(page, "Agence").get_by_role("radio")).to_have_count(1)

    # ETC-4: with an agency, a reception mode is required.
    agency_radio(page, "11111").check()
    save(page)
    expect(group_error(page, "Mode de réception de l'état de compte")).to_have_text(RECEPTION_NEEDED)
    assert statement_of(account).option == StatementOption.NONE

    # ETC-3: an ATD needs the mandate accepted; the French error is beside the box; nothing saved.
    choose(page, TELECOM)
    expect(page.get_by_label(MANDATE, exact=True)).not_to_be_checked()
    save(page)
    expect(field_error(page, MANDATE)).to_have_text(MANDATE_NEEDED)
    expect(page.locator(".error-summary")).to_contain_text(MANDATE_NEEDED)
    expect(agency_radio(page, "11111")).to_be_checked()  # the choice stays on screen
    unchanged = statement_of(account)
    assert (unchanged.option, unchanged.agency) == (StatementOption.NONE, None)

    choose(page, MANDATE)
    save(page)
    expect(page).to_have_url(account_page(account))
    expect(messages(page)).to_contain_text(STATEMENT_SAVED)
    expect(statement_summary(page)).to_have_text(f"{OPTION_AGENCY} : Facturation Pro ATD (numéro de transmission 11111)")
    expect(section(page, STATEMENT)).to_contain_text(f"Mode de réception : {TELECOM}")
    saved = statement_of(account)
    assert (saved.option, saved.agency.transmission_number, saved.reception_mode, saved.mandate_accepted) == (
        StatementOption.AGENCY, "11111", ReceptionMode.TELECOM, True,
    )

    # An ISE (a group's private agency) needs no mandate.
    open_edit(page, STATEMENT)
    search_agency(page, "Regroupement dentaire")
    agency_radio(page, "22222").check()
    choose(page, SECURE_MESSAGING)
    # An ISE needs no mandate: its box is hidden, and not sent (issue 15).
    expect(page.get_by_label(MANDATE, exact=True)).to_be_hidden()
    save(page)
    expect(page).to_have_url(account_page(account))
    expect(messages(page)).to_contain_text(STATEMENT_SAVED)
    expect(statement_summary(page)).to_have_text(f"{OPTION_AGENCY} : Regroupement dentaire de la Capitale (numéro de transmission 22222)")
    expect(section(page, STATEMENT)).to_contain_text(f"Mode de réception : {SECURE_MESSAGING}")
    saved = statement_of(account)
    assert (saved.agency.transmission_number, saved.agency.agency_type, saved.mandate_accepted) == ("22222", AgencyType.ISE, False)


# --- 4. Another professional's private agency (ETC-3) ------------------------------------------------------


def test_ETC_3_another_professionals_DIS_is_marked_and_refused(page, dentist):
    account = personal_account(dentist)
    before = statement_of(account)
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, account)
    open_edit(page, STATEMENT)

    search_agency(page, "33333")
    expect(agency_radio(page, "33333")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Agence privée Dre Roy est l'agence privée (DIS) d'un autre professionnel : elle ne peut pas être choisie."
    )
    agency_radio(page, "33333").check()
    expect(page.get_by_label(TELECOM, exact=True)).to_be_checked()  # the mode in force
    save(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Modifier les coordonnées d'état de compte")
    expect(group_error(page, "Agence")).to_have_text(DIS_REFUSED)
    expect_summary_link_leads_to_group_error(page, "Agence", DIS_REFUSED)
    after = statement_of(account)
    assert (after.option, after.agency_id, after.reception_mode, after.mandate_accepted) == (
        before.option, before.agency_id, before.reception_mode, before.mandate_accepted,
    )
    assert after.agency.transmission_number == "11111"

    page.get_by_role("link", name="Annuler").click()
    expect(statement_summary(page)).to_contain_text("Facturation Pro ATD (numéro de transmission 11111)")


# --- 5. Self-billing with a developer: a new private agency (ETC-2 (b), ETC-4) ----------------------------


def test_ETC_2b_developer_choice_creates_a_private_agency_and_shows_its_transmission_number(page, dentist):
    account = personal_account(dentist)
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, account)
    open_edit(page, STATEMENT)

    search_developer(page, "Logiciels Dentaires")
    expect(developer_radio(page, "70001")).to_be_visible()
    search_developer(page, "70001")
    expect(radio_group(page, "Développeur de logiciels").get_by_role("radio")).to_have_count(1)
    expect(page.get_by_label(OPTION_SELF_BILLING, exact=True)).to_be_checked()
    developer_radio(page, "70001").check()
    choose(page, SECURE_MESSAGING)
    save(page)

    expect(page).to_have_url(account_page(account))
    expect(messages(page)).to_contain_text(STATEMENT_SAVED)
    found = PRIVATE_AGENCY.search(messages(page).inner_text())
    assert found, messages(page).inner_text()
    number = found.group(1)
    assert int(number) >= 80000
    expect(messages(page)).to_contain_text(
        f"Votre agence privée a été créée. Son numéro de transmission est {number} : donnez-le à votre développeur de logiciels."
    )
    expect(statement_summary(page)).to_have_text(
        f"{OPTION_SELF_BILLING} : Alice Tremblay (facturation autonome) (numéro de transmission {number})"
    )
    expect(section(page, STATEMENT)).to_contain_text(f"Mode de réception : {SECURE_MESSAGING}")
    agency = BillingAgency.objects.get(transmission_number=number)
    assert (agency.agency_type, agency.owner_id, agency.developer.number) == (AgencyType.DIS, dentist.pk, "70001")
    saved = statement_of(account)
    assert (saved.option, saved.agency_id, saved.mandate_accepted) == (StatementOption.SELF_BILLING, agency.pk, False)

    # The same developer again: the professional's own agency is kept, no second number.
    open_edit(page, STATEMENT)
    search_developer(page, "70001")
    developer_radio(page, "70001").check()
    save(page)
    expect(messages(page)).to_contain_text(STATEMENT_SAVED)
    expect(messages(page)).not_to_contain_text("Votre agence privée a été créée")
    expect(statement_summary(page)).to_contain_text(f"(numéro de transmission {number})")
    assert BillingAgency.objects.filter(owner=dentist, agency_type=AgencyType.DIS).count() == 1


# --- 6. Not now (ETC-2 (c)) ------------------------------------------------------------------------------


def test_ETC_2c_not_now_removes_the_agency(page, dentist):
    account = personal_account(dentist)
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, account)
    expect(statement_summary(page)).to_contain_text("Facturation Pro ATD")
    open_edit(page, STATEMENT)
    choose(page, OPTION_NONE)
    save(page)

    expect(page).to_have_url(account_page(account))
    expect(messages(page)).to_contain_text(STATEMENT_SAVED)
    expect(statement_summary(page)).to_have_text(OPTION_NONE)
    expect(section(page, STATEMENT)).not_to_contain_text("Facturation Pro ATD")
    expect(section(page, STATEMENT)).not_to_contain_text("Mode de réception")
    expect(section(page, STATEMENT).locator("address")).to_contain_text("1200, rue Saint-Jean")  # ETC-5: kept
    saved = statement_of(account)
    assert (saved.option, saved.agency, saved.reception_mode, saved.mandate_accepted) == (StatementOption.NONE, None, "", False)
    open_accounts_tab(page)
    expect(page.get_by_role("row", name=account.number)).to_contain_text(OPTION_NONE)


# --- 7. The statement address is always required (ETC-5) ----------------------------------------------------


def test_ETC_5_statement_address_cannot_be_cleared_even_with_secure_messaging(page, dentist):
    account = personal_account(dentist)
    before = statement_of(account)
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, account)
    open_edit(page, STATEMENT)
    expect(page.get_by_role("group", name="Adresse de transmission de l'état de compte (toujours requise)")).to_be_visible()
    choose(page, SECURE_MESSAGING)
    fill_address(page, line1="", city="", province="", postal_code="")
    save(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Modifier les coordonnées d'état de compte")
    expect(field_error(page, "Adresse")).to_have_text("Ce champ est obligatoire.")
    expect(field_error(page, "Ville")).to_have_text("Ce champ est obligatoire.")
    expect(field_error(page, "Province")).to_have_text("Choisissez la province.")
    expect(field_error(page, "Code postal")).to_have_text("Entrez le code postal.")
    for label in ("Adresse", "Ville", "Code postal"):
        expect(page.get_by_label(label, exact=True)).to_have_attribute("aria-invalid", "true")
    after = statement_of(account)
    assert (after.line1, after.city, after.postal_code, after.reception_mode) == (
        before.line1, before.city, before.postal_code, before.reception_mode,
    )
    assert after.line1 == "1200, rue Saint-Jean"


# --- 8. Requests to open or join an administrative account (CPT-2) ------------------------------------------

ROY_USERNAME, ROY_PASSWORD = "chirurgien.demo", "Chirurgien-2026"  # Chantal Roy (demo/data.py)
GROUP_NUMBER = "500001"  # the demo dentist's collective account
REQUEST_SENT = "Votre demande a été transmise à la Régie. Vous en verrez le statut ici."
JOIN_SENT = "Votre demande pour joindre le regroupement a été transmise à la Régie."
DUPLICATE = "Une demande identique attend déjà le traitement de la Régie."
UNKNOWN_GROUP = "Aucun compte collectif actif ne porte ce numéro de regroupement."
BAD_GROUP = "Le numéro de regroupement ne contient que des chiffres (5 à 12)."
ALREADY_MEMBER = "Vous faites déjà partie de ce regroupement : aucune demande n'est nécessaire."


def requests_table(page):
    return page.get_by_role("table", name="Vos demandes et leur statut")


def test_CPT_2_join_a_group_by_its_number_then_open_an_individual_account(page, dentist):
    chantal = Professional.objects.get(user__username=ROY_USERNAME)
    signed_in(page, ROY_USERNAME, ROY_PASSWORD)
    open_accounts_tab(page)
    expect(requests_table(page)).to_have_count(0)  # no request yet

    ask_to_join(page, GROUP_NUMBER)
    expect(messages(page)).to_have_text(JOIN_SENT)
    (request,) = Request.objects.filter(professional=chantal)
    assert (request.kind, request.status, request.payload) == (
        JoinCollective.code, RequestStatus.RECEIVED, {"group_number": GROUP_NUMBER},
    )
    due = due_date_for(JoinCollective.code, clock.today())
    assert request.due_date == due > clock.today()
    row = requests_table(page).get_by_role("row", name=GROUP_NUMBER)
    expect(row.get_by_role("cell")).to_have_text(
        [f"Joindre le compte collectif d'un regroupement : {GROUP_NUMBER}", french_date(clock.today()), "Reçue", french_date(due)]
    )

    # The same request again, while the first waits: refused beside the number (issue 15), nothing added.
    ask_to_join(page, GROUP_NUMBER, refused=True)
    expect(field_error(page, GROUP_NUMBER_LABEL)).to_have_text(DUPLICATE)
    expect(messages(page)).to_have_count(0)
    expect(requests_table(page).get_by_role("row", name=GROUP_NUMBER)).to_have_count(1)

    # A group number that no collective account bears, and one that is not a number: kept as typed.
    ask_to_join(page, "999999", refused=True)
    expect(field_error(page, GROUP_NUMBER_LABEL)).to_have_text(UNKNOWN_GROUP)
    ask_to_join(page, "5000-01", refused=True)
    expect(field_error(page, GROUP_NUMBER_LABEL)).to_have_text(BAD_GROUP)
    expect(page.get_by_label(GROUP_NUMBER_LABEL)).to_have_value("5000-01")
    assert Request.objects.filter(professional=chantal).count() == 1

    # An individual account, e.g. for another place of practice.
    ask_to_open(page, "Compte administratif individuel", "Clinique Roy — Magog")
    expect(messages(page)).to_have_text(REQUEST_SENT)
    row = requests_table(page).get_by_role("row", name="Clinique Roy — Magog")
    expect(row.get_by_role("cell")).to_have_text(
        ["Ouvrir un compte administratif individuel : Clinique Roy — Magog", french_date(clock.today()), "Reçue",
         french_date(due_date_for(OpenIndividualAccount.code, clock.today()))]
    )
    assert Request.objects.filter(professional=chantal, kind=OpenIndividualAccount.code, status=RequestStatus.RECEIVED).count() == 1
    ask_to_open(page, "Compte administratif individuel", "Clinique Roy — Magog", refused=True)
    expect(field_error(page, ACCOUNT_NAME)).to_have_text(DUPLICATE)
    expect(page.get_by_label(ACCOUNT_NAME)).to_have_value("Clinique Roy — Magog")
    assert Request.objects.filter(professional=chantal).count() == 2


def test_CPT_2_a_member_asking_to_join_her_own_group_is_told_she_already_belongs(page, dentist):
    """The demo dentist holds group 500001's collective account: no request is needed (it once went
    to staff as a request 'Reçue')."""
    signed_in(page)
    open_accounts_tab(page)
    expect(page.get_by_role("table", name="Vos comptes de facturation")).to_contain_text(f"C{GROUP_NUMBER}")
    ask_to_join(page, GROUP_NUMBER, refused=True)
    expect(field_error(page, GROUP_NUMBER_LABEL)).to_have_text(ALREADY_MEMBER)
    expect(requests_table(page)).to_have_count(0)
    assert not Request.objects.filter(professional=dentist, kind=JoinCollective.code).exists()


# --- 9. One change for several accounts (BEY-5) -----------------------------------------------------------


def test_BEY_5_statement_change_applied_to_the_other_account_too(page, dentist):
    personal, collective = personal_account(dentist), collective_account(dentist)
    signed_in(page)
    open_accounts_tab(page)
    open_account(page, personal)
    open_edit(page, STATEMENT)
    search_agency(page, "22222")
    agency_radio(page, "22222").check()
    choose(page, SECURE_MESSAGING)
    expect(page.get_by_label(MANDATE, exact=True)).to_be_hidden()  # an ISE needs no mandate (issue 15)
    fill_address(page, line1="75, rue des Érables", city="Lévis", province="QC", postal_code="G6V 4Z2")
    radio_group(page, "Appliquer aussi ces coordonnées à").get_by_label(f"{collective.number} — {collective.name}").check()
    save(page)

    expect(page).to_have_url(account_page(personal))
    expect(messages(page)).to_contain_text(STATEMENT_SAVED)
    ise = f"{OPTION_AGENCY} : Regroupement dentaire de la Capitale (numéro de transmission 22222)"
    for account in (personal, collective):
        if account is collective:
            open_accounts_tab(page)
            open_account(page, collective)
        expect(statement_summary(page)).to_have_text(ise)
        expect(section(page, STATEMENT)).to_contain_text(f"Mode de réception : {SECURE_MESSAGING}")
        expect(section(page, STATEMENT).locator("address")).to_contain_text("75, rue des Érables")
        expect(section(page, STATEMENT).locator("address")).to_contain_text("Lévis (QC)")
        saved = statement_of(account)
        assert (saved.agency.transmission_number, saved.reception_mode, saved.line1, saved.postal_code) == (
            "22222", ReceptionMode.SECURE_MESSAGING, "75, rue des Érables", "G6V 4Z2",
        )
    open_accounts_tab(page)
    for account in (personal, collective):
        expect(page.get_by_role("row", name=account.number)).to_contain_text(OPTION_AGENCY)


# --- 10. Another professional's accounts are not found (DOS-5) ----------------------------------------------


def test_DOS_5_another_professional_gets_a_404_on_every_page_of_the_dentists_accounts(page, dentist):
    new_professional("bob.gagnon", first_name="Bob", last_name="Gagnon")
    personal, collective = personal_account(dentist), collective_account(dentist)
    statement_before = [statement_of(a).agency_id for a in (personal, collective)]
    payments_before = [payment_rows(a) for a in (personal, collective)]
    signed_in(page, "bob.gagnon", FACTORY_PASSWORD)
    open_accounts_tab(page)
    accounts = page.get_by_role("table", name="Vos comptes de facturation")
    expect(accounts).not_to_contain_text(personal.number)
    expect(accounts).not_to_contain_text(collective.number)

    for account in (personal, collective):
        for path in ("", "paiement/", "etat-de-compte/", "etat-de-compte/?agence=11111"):
            url = f"/comptes/{account.pk}/{path}"
            response = page.goto(url)
            assert response.status == 404, (url, response.status)
            # The portal's own 404 page, in French (it was Django's bare English "Not Found").
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
            expect(page.locator("main")).to_contain_text("Cette page n'existe pas ou vous n'y avez pas accès.")
            html = page.content()
            for secret in (account.number, "Tremblay", "•••567", "30012", "Saint-Jean", "Facturation Pro"):
                assert secret not in html, (url, secret)
    assert [statement_of(a).agency_id for a in (personal, collective)] == statement_before
    assert [payment_rows(a) for a in (personal, collective)] == payments_before

    # The way back leads to Bob's own file.
    page.get_by_role("link", name="Retour à Mon dossier").click()
    expect(page).to_have_url("/profil/")
