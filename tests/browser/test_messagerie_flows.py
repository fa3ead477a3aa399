"""*Messagerie sécurisée* in a real browser (NOT-2): the unread count in the tab, a message opened and
marked read, a message written to the board. Every page is checked with axe-core (tests/browser/conftest.py)."""
import pytest
from playwright.sync_api import expect

from dossier.models import Request
from notifications.models import SecureMessage
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock, writing
from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_NOT_2_reading_a_message_and_writing_to_the_board(page, demo_dentist):
    SecureMessage.objects.filter(professional=demo_dentist).update(read_at=clock.now())
    SecureMessage.objects.create(professional=demo_dentist, subject="État de compte du paiement", body="Votre état de compte est prêt.",
                                 created_at=clock.now())
    signed_in(page)
    tab = page.get_by_role("link", name="Messagerie sécurisée 1 message non lu")
    expect(tab).to_be_visible()
    tab.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messagerie sécurisée")
    page.get_by_role("link", name="État de compte du paiement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("État de compte du paiement")
    expect(page.get_by_text("Votre état de compte est prêt.")).to_be_visible()
    expect(page.get_by_role("link", name="Messagerie sécurisée", exact=True)).to_be_visible()  # no unread count any more

    page.get_by_role("link", name="Retour à la boîte de réception").click()
    page.get_by_role("link", name="Écrire à la Régie").click()
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".error-summary")).to_contain_text("Ce champ est obligatoire.")
    page.get_by_label("Objet").fill("Question sur mon état de compte")
    page.get_by_label("Message").fill("Bonjour, pourriez-vous m'expliquer la ligne 3?")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".messages")).to_contain_text("Votre message a été transmis à la Régie.")
    assert Request.objects.filter(professional=demo_dentist, kind=MessageToTheBoard.code,
                                  payload__subject="Question sur mon état de compte").exists()


def test_NOT_2_the_payment_run_puts_a_statement_and_a_deposit_notice_in_the_inbox(page, demo_dentist):
    from datetime import timedelta

    from django.utils import translation

    from calendrier import paycalendar
    from notifications import payment_run

    SecureMessage.objects.filter(professional=demo_dentist).update(read_at=clock.now())
    payday = paycalendar.next_payment_date(clock.now() + timedelta(days=1))  # after the demo accounts were opened
    payment_run.issue(payment_date=payday, balances=lambda accounts, day: {})
    deposit = paycalendar.deposit_date(payday)
    signed_in(page)
    page.get_by_role("link", name="Messagerie sécurisée 3 messages non lus").click()  # 2 statements (2 accounts), 1 notice
    with translation.override("fr"):
        payday_text, deposit_text = writing.long_date(payday), writing.long_date(deposit)
    page.get_by_role("link", name=f"Avis de dépôt du paiement du {payday_text}").click()
    body = page.locator("main")
    expect(body).to_contain_text(f"sera déposé le {deposit_text}")
    expect(body).to_contain_text("•••567")
    expect(body).not_to_contain_text("1234567")
