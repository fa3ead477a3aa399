"""Small steps and labels of the billing-accounts browser flows (tests/browser/test_comptes_flows.py);
the demo dentist (`dentist`, time stopped at profil_pages.START) is a fixture of tests/browser/conftest.py."""
from __future__ import annotations

import re
from datetime import date

from django.utils import translation
from playwright.sync_api import Page, expect

from comptes.constants import AccountKind
from comptes.models import BillingAccount, PaymentSettings, StatementSettings
from dossier.models import Professional
from notifications.models import SecureMessage
from ramq_portal import clock, writing
from tests import factories
from tests.browser.profil_pages import section

PAYMENT = "Coordonnées de paiement"
STATEMENT = "Coordonnées d'état de compte"

# Labels of the forms (comptes/forms.py, comptes/constants.py), as the professional reads them.
CHEQUE = "Chèque"
TRANSFER = "Virement bancaire"
INSTITUTION = "Institution financière"
TRANSIT = "Numéro de succursale (transit)"
ACCOUNT_NUMBER = "Numéro de compte"
PERSONAL_CONFIRMATION = "Je confirme que ce compte bancaire est un compte personnel, à mon nom (pas celui d'une société)."
PASSWORD = "Mot de passe"
OPTION_AGENCY = "Ma facturation est prise en charge par une agence existante"
OPTION_SELF_BILLING = "Je prends en charge moi-même ma facturation avec un développeur de logiciels"
OPTION_NONE = "Je ne m'accrédite pas pour le moment"
TELECOM = "Télécommunication"
SECURE_MESSAGING = "Messagerie sécurisée (poste lorsqu'applicable)"
MANDATE = "J'accepte le mandat confié à cette agence commerciale de traitement de données (ATD)."
AGENCY_SEARCH = "Agence de facturation : numéro de transmission ou nom"
DEVELOPER_SEARCH = "Développeur de logiciels : numéro ou nom"

# Messages of comptes/views.py.
PAYMENT_SAVED = "Vos coordonnées de paiement ont été enregistrées. Elles s'appliqueront au paiement du {date}."
PASSWORD_NEEDED = "Entrez votre mot de passe actuel pour confirmer le changement de coordonnées bancaires."
COMPANY_REFUSED = (
    "Pour vos finances personnelles, le compte bancaire doit être un compte personnel à votre nom. "
    "Les coordonnées d'une société sont refusées."
)
STATEMENT_SAVED = "Vos coordonnées d'état de compte ont été enregistrées. Le changement est immédiat."
MANDATE_NEEDED = "Pour une agence commerciale (ATD), cochez l'acceptation du mandat."
RECEPTION_NEEDED = "Choisissez le mode de réception de l'état de compte."
DIS_REFUSED = (
    "Cette agence privée (DIS) appartient à un autre professionnel : vous ne pouvez pas vous y accréditer. "
    "Choisissez une agence commerciale (ATD) ou l'agence privée de votre regroupement (ISE)."
)
BANK_NOTICE_SUBJECT = "Vos coordonnées bancaires ont été modifiées"

PRIVATE_AGENCY = re.compile(r"Son numéro de transmission est (\d{5})")


# --- data -------------------------------------------------------------------------------------------


def personal_account(professional: Professional) -> BillingAccount:
    return BillingAccount.objects.get(professional=professional, kind=AccountKind.PERSONAL)


def collective_account(professional: Professional) -> BillingAccount:
    return BillingAccount.objects.get(professional=professional, kind=AccountKind.COLLECTIVE)


def payment_rows(account: BillingAccount) -> list[PaymentSettings]:
    return list(PaymentSettings.objects.filter(account=account, cancelled_at__isnull=True).order_by("effective_from", "recorded_at"))


def statement_of(account: BillingAccount) -> StatementSettings:
    return StatementSettings.objects.select_related("agency").get(account=account)


def secure_messages(professional: Professional, subject: str = BANK_NOTICE_SUBJECT) -> list[SecureMessage]:
    return list(SecureMessage.objects.filter(professional=professional, subject=subject))


def new_professional(username: str, *, first_name: str, last_name: str, email: str = "", activated: bool = False) -> Professional:
    """A registered professional with a file and a personal account with no payment settings (cheque
    by default, PAI-1); signs in with factories.PASSWORD. `activated` gives them an activated email."""
    professional = factories.ProfessionalFactory(
        user=factories.UserFactory(username=username), first_name=first_name, last_name=last_name,
        email=email, email_activated_at=clock.now() if activated else None,
    )
    factories.CorrespondenceAddressFactory(professional=professional, line1="12, rue des Lilas")
    factories.TelephoneFactory(professional=professional)
    factories.PlaceOfPracticeFactory(professional=professional, is_main=True, name=f"Clinique {last_name}")
    factories.BillingAccountFactory(professional=professional)
    return professional


# --- dates --------------------------------------------------------------------------------------------


def long_date(day: date) -> str:
    """A date the way the forms of the tab write it ("jeudi 25 mars 2027")."""
    with translation.override("fr"):
        return writing.long_date(day, weekday=True)


def day_month(day: date) -> str:
    with translation.override("fr"):
        return writing.day_month(day)


# --- small steps ------------------------------------------------------------------------------------------


def open_accounts_tab(page: Page) -> None:
    """From any page of Mon dossier: the *Comptes de facturation* tab."""
    page.get_by_role("navigation", name="Mon dossier").get_by_role("link", name="Comptes de facturation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comptes de facturation")


def open_account(page: Page, account: BillingAccount) -> None:
    """From the tab: follow the account's number in the table of accounts."""
    page.get_by_role("table", name="Vos comptes de facturation").get_by_role("link", name=account.number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(account.number)


def open_edit(page: Page, title: str) -> None:
    """Click *Modifier* in a section of the account page."""
    section(page, title).get_by_role("link", name="Modifier").click()


def save(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer").click()


def choose(page: Page, label: str) -> None:
    """Check a radio button or a checkbox by its exact label."""
    page.get_by_label(label, exact=True).check()


def fill_transfer(page: Page, *, institution: str, transit: str, account_number: str) -> None:
    choose(page, TRANSFER)
    page.get_by_label(INSTITUTION, exact=True).select_option(label=institution)
    page.get_by_label(TRANSIT, exact=True).fill(transit)
    page.get_by_label(ACCOUNT_NUMBER, exact=True).fill(account_number)


def search_agency(page: Page, query: str) -> None:
    page.get_by_label(AGENCY_SEARCH).fill(query)
    page.get_by_role("button", name="Rechercher une agence").click()


def search_developer(page: Page, query: str) -> None:
    page.get_by_label(DEVELOPER_SEARCH).fill(query)
    page.get_by_role("button", name="Rechercher un développeur").click()


def radio_group(page: Page, legend: str):
    """A group of radio buttons or checkboxes (a fieldset), by its legend."""
    return page.get_by_role("group", name=legend, exact=True)


def group_error(page: Page, legend: str):
    """The error of a group of radio buttons: the element its fieldset's aria-describedby names."""
    described_by = radio_group(page, legend).get_attribute("aria-describedby")
    assert described_by, f"the group {legend!r} names no error (aria-describedby)"
    return page.locator(f"#{described_by}")


def agency_radio(page: Page, transmission_number: str):
    """The radio button of an agency listed on the statement form, by its transmission number."""
    return radio_group(page, "Agence").get_by_label(re.compile(rf"\b{transmission_number}\b"))


def developer_radio(page: Page, number: str):
    return radio_group(page, "Développeur de logiciels").get_by_label(re.compile(rf"\b{number}\b"))


# The request forms of the tab (CPT-2). A request refused comes back on the form's own URL, the error
# beside its field and the summary at the top of the form (issue 15); one sent goes back to the tab.
OPEN_FORM = "Demander l'ouverture d'un compte administratif"
JOIN_FORM = "Joindre le compte collectif d'un regroupement"
ACCOUNT_NAME = "Nom du compte ou du regroupement"
GROUP_NUMBER_LABEL = "Numéro du regroupement"


def ask_to_join(page: Page, group_number: str, *, refused: bool = False) -> None:
    form = page.get_by_role("group", name=JOIN_FORM)
    form.get_by_label(GROUP_NUMBER_LABEL).fill(group_number)
    form.get_by_role("button", name="Envoyer la demande").click()
    expect(page).to_have_url("/comptes/demandes/joindre/" if refused else "/comptes/")


def ask_to_open(page: Page, kind: str, name: str, *, refused: bool = False) -> None:
    form = page.get_by_role("group", name=OPEN_FORM)
    form.get_by_label(kind, exact=True).check()
    form.get_by_label(ACCOUNT_NAME).fill(name)
    form.get_by_role("button", name="Envoyer la demande").click()
    expect(page).to_have_url("/comptes/demandes/ouvrir/" if refused else "/comptes/")


def statement_summary(page: Page):
    """The first paragraph of the statement section of an account page: option, agency and number."""
    return section(page, STATEMENT).locator("p").first
