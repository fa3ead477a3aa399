"""The staff request queue in the admin, in a real browser (STF-1, STF-2, BEY-7, EML-7, PAI-6): a paper form
entered by an agent and accepted, four eyes on a paper bank change, a refusal with its reason. Every page is
checked with axe-core (tests/browser/conftest.py)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from comptes.constants import AccountKind, PaymentMode
from comptes.models import BillingAccount, PaymentSettings
from comptes.request_kinds import BankTransferForm, OpenIndividualAccount
from demo.data import STAFF
from dossier import requests as dossier_requests
from dossier.constants import RequestStatus
from dossier.models import Request
from comptes.request_kinds import CoordinatesForm
from notifications.models import SecureMessage
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock
from tests.browser.helpers import press_tab_until, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

(AGENT, AGENT_PASSWORD, *_), (SUPERVISOR, SUPERVISOR_PASSWORD, *_) = STAFF

# Django admin's own breadcrumb links were told apart from the page title by colour only (1.42:1):
# templates/admin/base_site.html underlines them, so nothing is allowed any more on admin pages.
DJANGO_ADMIN_ALLOWED: list = []


class _AxeWithDjangoAdminAllowlist:
    """The session's axe-core runner, minus DJANGO_ADMIN_ALLOWED on /admin/ pages."""

    def __init__(self, axe):
        self.axe = axe
        self.documents: list[tuple[str, str]] = []  # (url, html) of every document checked

    def run(self, page, **kwargs):
        results = self.axe.run(page, **kwargs)
        self.documents.append((page.url, page.content()))
        if urlsplit(page.url).path.startswith("/admin/"):
            kept = []
            for violation in results.response["violations"]:
                nodes = [node for node in violation["nodes"]
                         if not any(violation["id"] == rule and target.search(" ".join(map(str, node["target"])))
                                    for rule, target in DJANGO_ADMIN_ALLOWED)]
                if nodes:
                    kept.append({**violation, "nodes": nodes})
            results.response["violations"] = kept
        return results


@pytest.fixture(autouse=True)
def _django_admin_allowlist(a11y):
    a11y.axe = _AxeWithDjangoAdminAllowlist(a11y.axe)
    return a11y.axe


@pytest.fixture
def admin_pages(_django_admin_allowlist) -> list[tuple[str, str]]:
    """(url, html) of every document the test opened: the accessibility check sees them all."""
    return _django_admin_allowlist.documents


def staff_signed_in(page: Page, username: str, password: str) -> None:
    """Sign in to /admin/ with the keyboard only: the admin's own login form."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    press_tab_until(page, page.get_by_label("Nom d’utilisateur"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/admin/")


def open_queue(page: Page) -> None:
    """From any admin page: the request queue, through the admin's home."""
    page.get_by_role("link", name="Mon dossier — administration").click()
    page.get_by_role("link", name="Demandes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes")


def enter_paper_form(page: Page, label: str) -> None:
    open_queue(page)
    page.get_by_role("link", name="Saisir un formulaire papier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisir un formulaire papier")
    page.get_by_role("link", name=label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Saisir le {label}")


def fill_professional_and_date(page: Page, professional) -> None:
    page.get_by_label("Numéro de professionnel").fill(professional.professional_number)
    page.get_by_label("Reçu le").fill(clock.today().isoformat())


def message(page: Page):
    return page.locator(".messagelist")


def decision(page: Page):
    return page.get_by_role("region", name="Décision")


def sign_out(page: Page) -> None:
    """The admin's "Déconnexion" button; the portal then shows its sign-in page."""
    page.get_by_role("button", name="Déconnexion").click()
    expect(page).to_have_url("/connexion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à Mon dossier")


def open_request(page: Page, professional, kind_label: str) -> None:
    """From the queue: search the professional's number, then open the row of that kind of request."""
    open_queue(page)
    page.get_by_role("searchbox").fill(professional.professional_number)
    page.keyboard.press("Enter")
    row = page.get_by_role("row").filter(has_text=kind_label)
    expect(row).to_have_count(1)
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=2, name="Différence dans le dossier (avant / après)")).to_be_visible()


# The decision form has `novalidate` (like every form of the project): the buttons that need no reason
# (take, accept, approve) are not blocked by the browser on the empty refusal reason, and an empty
# refusal gets the server's French message (a bug the first version of these tests found).


# --- 1. A paper 3102 with a new address and email, accepted by the agent (STF-2, EML-7) --------------------


def test_STF_2_EML_7_an_agent_enters_a_3102_with_an_email_change_and_accepts_it(page, demo_dentist):
    from django.core import mail

    from notifications.models import OutboundMessage

    staff_signed_in(page, AGENT, AGENT_PASSWORD)
    enter_paper_form(page, "Formulaire 3102 (adresse, téléphone, courriel, lieu de pratique)")
    fill_professional_and_date(page, demo_dentist)
    page.get_by_label("Adresse", exact=True).fill("77, rue Cartier")
    page.get_by_label("Ville", exact=True).fill("Québec")
    page.get_by_label("Province", exact=True).select_option("QC")
    page.get_by_label("Code postal", exact=True).fill("G1R 2B5")
    page.get_by_label("Courriel", exact=True).fill("alice.papier@example.com")
    page.get_by_role("button", name="Enregistrer la demande").click()

    expect(message(page)).to_have_text("Formulaire saisi : la demande est dans la file.")
    difference = page.get_by_role("region", name="Différence dans le dossier (avant / après)")
    address = difference.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Adresse de correspondance (modifié)"))
    expect(address.get_by_role("cell").nth(0)).to_contain_text("1200, rue Saint-Jean")
    expect(address.get_by_role("cell").nth(1)).to_contain_text("77, rue Cartier")
    email = difference.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Courriel (modifié)"))
    expect(email.get_by_role("cell").nth(1)).to_have_text("alice.papier@example.com")

    page.get_by_role("button", name="Accepter et appliquer").click()
    expect(message(page)).to_have_text("Demande acceptée; le changement est appliqué au dossier.")
    expect(page.get_by_role("button", name="Accepter et appliquer")).to_have_count(0)  # decided: no more decision

    request = Request.objects.get(kind=CoordinatesForm.code, professional=demo_dentist)
    assert (request.status, request.decided_by.username) == (RequestStatus.ACCEPTED, AGENT)
    # EML-7: the same validation link as a change made online, to the new address; the tasks run eagerly
    # in the tests (ramq_portal/settings_test.py), into the locmem mailbox.
    validation = OutboundMessage.objects.get(professional=demo_dentist, template="courriel_validation")
    assert validation.to == "alice.papier@example.com"
    assert [m.to for m in mail.outbox] == [["alice.papier@example.com"]]
    new = demo_dentist.correspondence_addresses.get(line1="77, rue Cartier")
    assert new.effective_from > clock.today()  # a dated change (PRO-5), not in force yet


def test_STF_7_an_agent_enters_a_3102_with_only_a_telephone_and_nothing_else_changes(page, demo_dentist):
    addresses_before = list(demo_dentist.correspondence_addresses.values_list("pk", "line1"))
    email_before = demo_dentist.email
    staff_signed_in(page, AGENT, AGENT_PASSWORD)
    enter_paper_form(page, "Formulaire 3102 (adresse, téléphone, courriel, lieu de pratique)")
    fill_professional_and_date(page, demo_dentist)
    page.get_by_label("Type de téléphone").select_option(label="Bureau")
    page.get_by_label("Téléphone", exact=True).fill("418 555-0123")
    page.get_by_label("Poste", exact=True).fill("42")
    page.get_by_role("button", name="Enregistrer la demande").click()

    expect(message(page)).to_have_text("Formulaire saisi : la demande est dans la file.")
    difference = page.get_by_role("region", name="Différence dans le dossier (avant / après)")
    expect(difference).to_contain_text("Bureau : (418) 555-0123 poste 42")
    expect(difference).not_to_contain_text("Adresse de correspondance")  # only the telephone is in the change
    page.get_by_role("button", name="Accepter et appliquer").click()
    expect(message(page)).to_have_text("Demande acceptée; le changement est appliqué au dossier.")

    assert demo_dentist.telephones.filter(number="+14185550123", extension="42").exists()
    assert list(demo_dentist.correspondence_addresses.values_list("pk", "line1")) == addresses_before
    demo_dentist.refresh_from_db()
    assert demo_dentist.email == email_before
    request = Request.objects.get(kind=CoordinatesForm.code, professional=demo_dentist)
    notice = SecureMessage.objects.get(professional=demo_dentist, thread=request)  # STF-4: the decision announced
    assert "Votre numéro de téléphone est changé." in notice.body


# --- 2. Four eyes on a paper bank change (BEY-7, PAI-6) ------------------------------------------------------

BANK_ACCOUNT = "987654321"


def test_BEY_7_PAI_6_four_eyes_on_a_paper_bank_change(page, demo_dentist, admin_pages):
    account = BillingAccount.objects.get(professional=demo_dentist, kind=AccountKind.PERSONAL)
    settings_before = PaymentSettings.objects.count()
    staff_signed_in(page, AGENT, AGENT_PASSWORD)
    enter_paper_form(page, "Formulaire 2914 (virement bancaire)")
    fill_professional_and_date(page, demo_dentist)
    page.get_by_label("Numéro du compte de facturation").fill(account.number)
    page.get_by_label("Institution financière").fill("815")
    page.get_by_label("Numéro de succursale (transit)").fill("30099")
    page.get_by_label("Numéro de compte bancaire").fill(BANK_ACCOUNT)
    page.get_by_label("Pour Finances personnelles : le formulaire atteste un compte personnel au nom du professionnel").check()
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(message(page)).to_have_text("Formulaire saisi : la demande est dans la file.")
    difference = page.get_by_role("region", name="Différence dans le dossier (avant / après)")
    expect(difference).to_contain_text("815-30099 •••321")

    # The agent prepares the acceptance: nothing is applied yet.
    page.get_by_role("button", name="Accepter et appliquer").click()
    expect(message(page)).to_have_text("Acceptation préparée : un superviseur doit l'approuver.")
    expect(decision(page)).to_contain_text("un superviseur, une autre personne, doit l'approuver")
    assert PaymentSettings.objects.count() == settings_before
    # The same agent cannot approve it.
    page.get_by_role("button", name="Approuver et appliquer").click()
    expect(message(page)).to_have_text("Une autre personne doit approuver ce changement de coordonnées bancaires.")
    assert PaymentSettings.objects.count() == settings_before
    request = Request.objects.get(kind=BankTransferForm.code, professional=demo_dentist)
    assert request.status == RequestStatus.IN_PROGRESS and request.prepared_by.username == AGENT

    sign_out(page)
    staff_signed_in(page, SUPERVISOR, SUPERVISOR_PASSWORD)
    open_request(page, demo_dentist, "Formulaire 2914")
    expect(decision(page)).to_contain_text(f"Acceptation préparée par {AGENT}")
    page.get_by_role("button", name="Approuver et appliquer").click()
    expect(message(page)).to_have_text("Demande acceptée; le changement est appliqué au dossier.")
    page.get_by_role("link", name="Historique").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Historique")

    request.refresh_from_db()
    assert (request.status, request.prepared_by.username, request.decided_by.username) == (RequestStatus.ACCEPTED, AGENT, SUPERVISOR)
    applied = PaymentSettings.objects.get(account=account, bank_account_last3="321")
    assert (applied.mode, applied.institution.number, applied.transit) == (PaymentMode.TRANSFER, "815", "30099")
    assert applied.effective_from > clock.today()  # PAI-4's effective date, as online
    assert PaymentSettings.objects.count() == settings_before + 1
    # The full bank number was typed into the paper form, and never shown again on any page.
    assert len(admin_pages) >= 10
    assert [url for url, html in admin_pages if BANK_ACCOUNT in html] == []


# --- 3. Refusals need a reason, which reaches the professional (STF-1) -------------------------------------


def submitted_online(professional) -> Request:
    """A request the professional made in Mon dossier (CPT-2), waiting in the queue."""
    return dossier_requests.submit(professional=professional, kind=OpenIndividualAccount.code, payload={"name": "Clinique Tremblay — Lévis"},
                           by=professional.user)


def take_from_the_unassigned(page: Page) -> None:
    """The queue, filtered on the unassigned requests; the agent takes them with the bulk action."""
    open_queue(page)
    page.get_by_role("link", name="Non assignées").click()
    row = page.get_by_role("row").filter(has_text="Ouvrir un compte administratif individuel")
    row.get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(label="M'assigner les demandes choisies")
    page.get_by_role("button", name="Envoyer").click()
    expect(message(page)).to_have_text("1 demande vous est assignée.")
    page.get_by_role("link", name="Mes demandes").click()
    row.get_by_role("link").first.click()


def refusal_letters(professional) -> list[str]:
    from notifications.models import PrintItem, SecureMessage

    return [*SecureMessage.objects.filter(professional=professional).values_list("body", flat=True),
            *PrintItem.objects.filter(professional=professional).values_list("body", flat=True)]


REASON = "Le nom de l'emplacement ne correspond à aucun lieu de pratique déclaré."


def test_STF_1_a_refusal_without_a_reason_is_refused_then_one_with_a_reason_reaches_the_professional(page, demo_dentist):
    request = submitted_online(demo_dentist)
    letters_before = refusal_letters(demo_dentist)
    staff_signed_in(page, AGENT, AGENT_PASSWORD)
    take_from_the_unassigned(page)
    page.get_by_role("button", name="Refuser").click()
    expect(message(page)).to_have_text("Indiquez le motif du refus : il est transmis au professionnel.")
    request.refresh_from_db()
    assert (request.status, request.reason) == (RequestStatus.IN_PROGRESS, "")
    assert refusal_letters(demo_dentist) == letters_before

    page.get_by_label("Motif du refus (transmis au professionnel)").fill(REASON)
    page.get_by_role("button", name="Refuser").click()
    expect(message(page)).to_have_text("Demande refusée; le motif est transmis au professionnel.")
    request.refresh_from_db()
    assert (request.status, request.reason, request.decided_by.username) == (RequestStatus.REFUSED, REASON, AGENT)
    assert [letter for letter in refusal_letters(demo_dentist) if REASON in letter]


def test_STF_1_a_refusal_with_a_reason_reaches_the_professional(page, demo_dentist):
    """What works today of the flow above: the agent takes the request, refuses it with a reason, and the
    professional reads the reason in Messagerie sécurisée."""
    request = submitted_online(demo_dentist)
    staff_signed_in(page, AGENT, AGENT_PASSWORD)
    take_from_the_unassigned(page)
    expect(page.get_by_role("button", name="M’assigner cette demande")).to_have_count(0)  # already hers
    page.get_by_label("Motif du refus (transmis au professionnel)").fill(REASON)
    page.get_by_role("button", name="Refuser").click()
    expect(message(page)).to_have_text("Demande refusée; le motif est transmis au professionnel.")
    expect(page.get_by_role("button", name="Refuser")).to_have_count(0)  # decided: no more decision
    request.refresh_from_db()
    assert (request.status, request.reason, request.decided_by.username) == (RequestStatus.REFUSED, REASON, AGENT)
    assert [letter for letter in refusal_letters(demo_dentist) if REASON in letter]

    sign_out(page)
    signed_in(page)
    page.get_by_role("link", name=re.compile(r"^Messagerie sécurisée")).click()
    page.get_by_role("link", name="Votre demande : Ouvrir un compte administratif individuel").click()
    expect(page.locator("main")).to_contain_text(REASON)


# --- 4. Bulk assignment to another agent (STF-1) ----------------------------------------------------------


def test_STF_1_requests_chosen_in_the_queue_are_assigned_to_another_agent(page, demo_dentist):
    first = submitted_online(demo_dentist)
    second = dossier_requests.submit(professional=demo_dentist, kind=MessageToTheBoard.code, payload={"subject": "Question"},
                                     by=demo_dentist.user)
    staff_signed_in(page, AGENT, AGENT_PASSWORD)
    open_queue(page)
    for kind in ("Ouvrir un compte administratif individuel", "Message sécurisé à la Régie"):
        page.get_by_role("row").filter(has_text=kind).get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(label="Assigner les demandes choisies à un agent…")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assigner des demandes")
    expect(page.locator("#content")).to_contain_text("2 demandes choisies.")
    page.get_by_label("Agent").select_option(label=SUPERVISOR)
    page.get_by_role("button", name="Assigner").click()
    expect(message(page)).to_have_text(f"2 demandes assignées à {SUPERVISOR}.")
    assert set(Request.objects.filter(pk__in=[first.pk, second.pk]).values_list("agent__username", "status")) == {
        (SUPERVISOR, RequestStatus.IN_PROGRESS)}
    page.get_by_role("link", name="Mes demandes").click()
    expect(page.get_by_role("row").filter(has_text="Ouvrir un compte administratif individuel")).to_have_count(0)


# --- 6. Secure messaging both ways (NOT-6, NOT-3) ---------------------------------------------------------


def test_NOT_6_a_professional_writes_an_agent_replies_the_professional_reads_and_answers(page, demo_dentist):
    SecureMessage.objects.filter(professional=demo_dentist).update(read_at=clock.now())
    signed_in(page)
    page.get_by_role("link", name=re.compile(r"^Messagerie sécurisée")).click()
    page.get_by_role("link", name="Écrire à la Régie").click()
    page.get_by_label("Objet").fill("Date de mon prochain paiement")
    page.get_by_label("Message").fill("Bonjour, quand mon prochain paiement sera-t-il déposé ?")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=2, name="Messages envoyés")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Date de mon prochain paiement")
    expect(row).to_contain_text("Reçu par la Régie")
    page.get_by_role("button", name="Se déconnecter").click()

    staff_signed_in(page, AGENT, AGENT_PASSWORD)
    open_queue(page)
    page.get_by_role("searchbox").fill(demo_dentist.professional_number)
    page.keyboard.press("Enter")
    row = page.get_by_role("row").filter(has_text="Message sécurisé à la Régie")
    expect(row).to_contain_text("Date de mon prochain paiement")  # its subject, never its data
    expect(row).not_to_contain_text("{")
    row.get_by_role("link").first.click()
    conversation = page.get_by_role("region", name="Conversation avec le professionnel")
    expect(conversation).to_contain_text("quand mon prochain paiement sera-t-il déposé ?")
    page.get_by_label("Réponse au professionnel (dans sa messagerie sécurisée)").fill("Il sera déposé le troisième jour ouvrable après la date de paiement.")
    expect(page.get_by_label("La demande est traitée : la fermer avec cette réponse")).to_be_checked()
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(message(page)).to_have_text("Réponse transmise dans la messagerie sécurisée du professionnel.")
    expect(conversation).to_contain_text("troisième jour ouvrable")
    expect(page.get_by_role("button", name="Refuser")).to_have_count(0)  # answered: the request is closed
    sign_out(page)

    signed_in(page)
    page.get_by_role("link", name="Messagerie sécurisée 1 message non lu").click()
    page.get_by_role("link", name="Réponse : Date de mon prochain paiement").click()
    main = page.locator("main")
    expect(main).to_contain_text("quand mon prochain paiement sera-t-il déposé ?")
    expect(main).to_contain_text("troisième jour ouvrable")
    page.get_by_label("Votre réponse").fill("Merci beaucoup.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.locator(".messages")).to_contain_text("Votre réponse a été transmise à la Régie.")
    expect(page.get_by_role("row").filter(has_text="Date de mon prochain paiement")).to_have_count(2)
    follow_up = Request.objects.filter(professional=demo_dentist, kind=MessageToTheBoard.code).order_by("-pk").first()
    assert follow_up.status == RequestStatus.RECEIVED and follow_up.payload["thread"] != follow_up.pk
