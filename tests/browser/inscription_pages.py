"""Small steps and labels of the registration browser flows (tests/browser/test_inscription_flows.py).

The newcomers are the two unenrolled professionals of the demo data (demo/data.py); their fixtures
(`demo_data`, `gagnon`, `bergeron`, `other_device`) are in tests/browser/conftest.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from playwright.sync_api import Page, expect

from dossier.models import Professional

# --- who ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Newcomer:
    """An unenrolled professional of the demo data, with what the letter and the order gave them."""

    reference_number: str
    last_name: str
    first_name: str
    birth_date: date
    licence_number: str
    profession: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def file(self) -> Professional:
        """The file as the database holds it now."""
        return Professional.objects.select_related("user").get(licence_number=self.licence_number, profession__code=self.profession)


GAGNON = Newcomer("DEMO-2345-WXYZ", "Gagnon", "Benoît", date(1996, 7, 2), "10002", "chirurgien-dentiste")
BERGERON = Newcomer("DEMO-3456-XYZA", "Bergeron", "Élise", date(1994, 5, 9), "10005", "optometriste")

PASSWORD_CHOSEN = "Nouveau-depart-2026"
# (question as the select shows it, answer)
SECRET_ANSWERS = [
    ("Quel est le nom de votre première école primaire?", "École Sainte-Foy"),
    ("Quel était le nom de votre premier animal de compagnie?", "Pistache"),
    ("Dans quelle ville votre mère est-elle née?", "Trois-Rivières"),
]


# --- labels, as the professional reads them ---------------------------------------------------------------

STEP_TITLES = {
    1: "Engagement envers la RAMQ",
    2: "Renseignements personnels",
    3: "Coordonnées de correspondance",
    4: "Coordonnées de pratique",
    5: "Mode de paiement (finances personnelles)",
    6: "Accréditation à la facturation informatisée et coordonnées d'état de compte",
}
ENGAGEMENT = (
    "Je m'engage à exercer ma profession dans le cadre du régime institué par la Loi sur l'assurance maladie "
    "(RLRQ, chapitre A-29)."
)
POLICY = "J'ai lu la politique de sécurité de la Régie et je l'accepte."
PAYMENT_AUTHORISED = (
    "J'autorise la Régie à verser ma rémunération selon le mode de paiement choisi : par virement dans le compte "
    "bancaire indiqué, sinon par chèque posté à mon adresse de paiement."
)
RECOVERY_AUTHORISED = "J'autorise la Régie à récupérer, sur mes paiements à venir, toute somme qui m'aurait été versée en trop."
NO_ADMINISTRATIVE_ACCOUNT = "Pas de compte administratif pour le moment"
SIN = "Numéro d'assurance sociale (NAS)"
SIN_INVALID = "Ce numéro d'assurance sociale n'est pas valide : vérifiez les 9 chiffres."
QUIT = "Quitter et reprendre plus tard"
PROGRESS = "Progression de l’inscription"
BILLING_CLOSED = "Terminez d'abord votre inscription à la RAMQ : vous pourrez ensuite gérer vos comptes de facturation."
CANCEL_SEARCH = "Annuler la recherche (je ne m'accrédite pas pour le moment)"


# --- small steps ---------------------------------------------------------------------------------------------


def submit_reference(page: Page, who: Newcomer) -> None:
    """/inscription/services-en-ligne/: the reference number, the identity, the security policy, *Continuer*
    (what comes of it is left to the caller)."""
    page.get_by_label("Numéro de référence").fill(who.reference_number)
    page.get_by_label("Nom", exact=True).fill(who.last_name)
    page.get_by_label("Prénom", exact=True).fill(who.first_name)
    page.get_by_label("Date de naissance").fill(who.birth_date.isoformat())
    page.get_by_label("Numéro de permis").fill(who.licence_number)
    page.get_by_label(POLICY).check()
    page.get_by_role("button", name="Continuer").click()


def enter_reference(page: Page, who: Newcomer) -> None:
    """The first enrolment page, accepted: on to the account page."""
    submit_reference(page, who)
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer votre compte des services en ligne")


def create_account(page: Page, username: str, password: str = PASSWORD_CHOSEN, answers=SECRET_ANSWERS) -> None:
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_label("Confirmer le mot de passe").fill(password)
    for index, (question, answer) in enumerate(answers, start=1):
        page.get_by_label(f"Question secrète {index}").select_option(label=question)
        page.get_by_label(f"Réponse {index}").fill(answer)
    page.get_by_role("button", name="Créer mon compte").click()


def enrol(page: Page, who: Newcomer, username: str, password: str = PASSWORD_CHOSEN) -> None:
    """INS-2 from the start page, as a newcomer does: lands on step 1 of the wizard, signed in."""
    page.goto("/inscription/")
    page.get_by_role("link", name="S'inscrire aux services en ligne").click()
    enter_reference(page, who)
    create_account(page, username, password)
    expect_step(page, 1)


def expect_step(page: Page, number: int) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Étape {number} de 6 : {STEP_TITLES[number]}")


def expect_summary(page: Page) -> None:
    expect(page).to_have_url("/inscription/recapitulatif/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif")


def go_on(page: Page) -> None:
    """*Continuer* (or *Continuer vers le récapitulatif*) of a step, or *Continuer* of the summary."""
    page.get_by_role("button", name=re.compile(r"^Continuer")).click()


def progress(page: Page):
    return page.get_by_role("navigation", name=PROGRESS)


def progress_item(page: Page, number: int):
    return progress(page).locator("li").nth(number - 1)


def messages(page: Page):
    return page.locator("main .messages")


def field_error(page: Page, label: str):
    """The error shown next to a field: the element its aria-describedby names `<id>_error`."""
    field_id = page.get_by_label(label, exact=True).get_attribute("id")
    return page.locator(f"#{field_id}_error")


def summary_part(page: Page, number: int):
    return page.get_by_role("region", name=f"{number}. {STEP_TITLES[number]}")


def summary_value(page: Page, number: int, term: str):
    """The value (dd) after a term (dt) of one part of the summary."""
    return summary_part(page, number).locator("dt", has_text=re.compile(rf"^{re.escape(term)}$")).locator("xpath=following-sibling::dd[1]")


def engage(page: Page) -> None:
    """Step 1: tick the engagement, *Continuer*."""
    expect_step(page, 1)
    page.get_by_label(ENGAGEMENT).check()
    go_on(page)


def place_of_practice(page: Page, *, name: str, line1: str, city: str, postal_code: str, telephone: str) -> None:
    """Step 4: the first place of practice, the main one."""
    place = page.get_by_role("group", name="Votre lieu de pratique principal")
    place.get_by_label("Nom du lieu").fill(name)
    place.get_by_label("Lieu de pratique principal", exact=True).check()
    place.get_by_label("Adresse", exact=True).fill(line1)
    place.get_by_label("Ville", exact=True).fill(city)
    place.get_by_label("Province", exact=True).select_option("QC")
    place.get_by_label("Code postal", exact=True).fill(postal_code)
    place.get_by_label("Téléphone principal").fill(telephone)


def authorise(page: Page) -> None:
    """Step 5: the two authorisation boxes that must be ticked to continue."""
    page.get_by_label(PAYMENT_AUTHORISED).check()
    page.get_by_label(RECOVERY_AUTHORISED).check()


def quit_for_now(page: Page) -> None:
    """*Quitter et reprendre plus tard*: saved, signed out, on the sign-in page."""
    page.get_by_role("button", name=QUIT).click()
    expect(page).to_have_url("/connexion/")
    expect(messages(page)).to_contain_text("Votre inscription est enregistrée.")


# A place of practice with only what step 4 requires.
PLACE = {"name": "Clinique dentaire des Pins", "line1": "100, avenue des Pins Ouest", "city": "Montréal",
         "postal_code": "H2W 1R2", "telephone": "514 555-0100"}


def walk_steps_1_to_4(page: Page) -> None:
    """Steps 1 to 4 with only what is required (nothing optional): on step 5 after."""
    engage(page)
    expect_step(page, 2)
    go_on(page)
    expect_step(page, 3)
    go_on(page)
    expect_step(page, 4)
    place_of_practice(page, **PLACE)
    go_on(page)
    expect_step(page, 5)
