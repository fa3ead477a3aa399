"""BEY-6 (issue 15): "Historique de mon dossier" is complete, the accounts included (payment details,
bank changes, statement transmission, accounts opened and joined, mandataries and an account's
address entered by staff from a form, changes coming into force), and readable in both languages:
labels and names, dates in words, yes or no, reasons translated; never an id, a boolean, a timestamp
or a bank account number."""
from __future__ import annotations

import html
import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from calendrier import paycalendar
from comptes import accounts, mandataries
from comptes.constants import AccountKind, MandataryRelation, PaymentMode
from comptes.models import PaymentSettings
from dossier import profile
from ramq_portal import clock, writing
from tests import factories
from tests.factories import aware

pytestmark = pytest.mark.django_db

BACKEND = "ramq_portal.auth_backends.CachedModelBackend"
BANK_ACCOUNT = "0012345678"


def history_text(client, language: str = "fr") -> str:
    """The history page's entries as text, read in a session opened now (the tests move the clock)."""
    client.force_login(client.professional.user, backend=BACKEND)
    client.cookies["mondossier_langue"] = language
    page = client.get(reverse("dossier:history"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return html.unescape(re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def alice_client(client, alice, pay_calendar):
    client.professional = alice
    return client


def change_to_transfer(alice, by):
    account = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    institution = factories.FinancialInstitutionFactory(number="815", name="Desjardins")
    [row] = accounts.change_payment_of_accounts(
        targets=[(account, account.version)], mode=PaymentMode.TRANSFER,
        bank=accounts.BankDetails(institution=institution, transit="30012", account_number=BANK_ACCOUNT),
        personal_account_confirmed=True, fresh_confirmation=True, by=by,
    )
    return account, row


def test_BEY_6_a_bank_change_shows_in_the_history_masked_and_in_words(alice_client, alice, frozen_clock):
    frozen_clock(aware(2027, 5, 18, 10, 0))
    account, row = change_to_transfer(alice, alice.user)
    text = history_text(alice_client)
    start = text.index(f"Coordonnées de paiement ({account.number})")
    entry = text[start:text.index(" 2027, ", start)]  # up to the next entry's date
    assert re.search(r" Vous \d{1,2}(er)? \w+$", entry)  # by the professional (then the next entry's date)
    assert "Coordonnées de paiement modifiées" in entry
    assert "Mode de paiement\u00a0: — → Virement bancaire" in entry or "Mode de paiement\u00a0: Chèque → Virement bancaire" in entry
    assert "Institution financière\u00a0: — → 815 — Desjardins" in entry and "Compte bancaire\u00a0: — → •••678" in entry
    assert f"En vigueur le\u00a0: — → {writing.long_date(row.effective_from)}" in entry
    assert "Compte personnel, à mon nom\u00a0: — → Oui" in entry
    assert BANK_ACCOUNT not in text and "True" not in text and "False" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO date or timestamp


def test_BEY_6_the_history_reads_in_english_reasons_included(alice_client, alice, frozen_clock):
    frozen_clock(aware(2027, 5, 18, 10, 0))
    account, _row = change_to_transfer(alice, alice.user)
    text = history_text(alice_client, "en")
    assert f"Payment details ({account.number}): added" in text and "Payment details changed" in text
    assert "Payment method: — → Bank transfer" in text and "Personal account, in my name: — → Yes" in text
    assert "Profession: — → Dentist" in text and "RAMQ registration completed on: — → March 9, 2027, 10:00" in text
    assert "Oui" not in text and "\u00a0:" not in text


def test_BEY_6_a_mandatary_entered_by_staff_from_form_3005_shows_as_by_an_agent(alice_client, alice, agent):
    account = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A10000009", name="Cabinet")
    mandataries.record(account=account, first_name="Line", last_name="Roy", relation=MandataryRelation.EMPLOYEE, agency=None,
                       by=agent, reason="Formulaire 3005 accepté")
    text = history_text(alice_client)
    entry = text[text.index("Mandataire (A10000009)"):]
    assert entry.startswith("Mandataire (A10000009)\u00a0: ajout — Formulaire 3005 accepté")
    assert "Prénom\u00a0: — → Line" in entry and "Lien\u00a0: — → Employé" in entry and "La Régie (un agent)" in entry
    assert "Compte de facturation (A10000009)\u00a0: ajout" in text
    assert "Form 3005 accepted" in history_text(alice_client, "en")


def test_BEY_6_a_payment_change_coming_into_force_is_recorded_as_done_by_the_system(alice_client, alice, frozen_clock):
    frozen_clock(aware(2027, 5, 18, 10, 0))
    account, row = change_to_transfer(alice, alice.user)
    assert row.effective_from > clock.today() and row.in_force_recorded_at is None
    frozen_clock(aware(row.effective_from.year, row.effective_from.month, row.effective_from.day, 1, 0))
    assert profile.bring_dated_changes_into_force() >= 1
    assert profile.bring_dated_changes_into_force() == 0  # safe twice
    text = history_text(alice_client)
    entry = text[text.index(f"Coordonnées de paiement ({account.number})"):]
    assert entry.startswith(f"Coordonnées de paiement ({account.number}) — Entrée en vigueur") and "La Régie (automatiquement)" in entry


def test_BEY_6_rows_in_force_before_the_accounts_were_recorded_get_no_record_dated_today(alice, frozen_clock):
    """The migration that starts recording the accounts' rows coming into force marks those already in
    force as recorded when they were written: the first daily run writes nothing for them."""
    frozen_clock(aware(2027, 5, 18, 10, 0))
    account = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    old = PaymentSettings.objects.create(account=account, mode=PaymentMode.CHEQUE, effective_from=clock.today() - timedelta(days=40),
                                         recorded_at=clock.now() - timedelta(days=41))
    pending = PaymentSettings.objects.create(account=account, mode=PaymentMode.CHEQUE, effective_from=paycalendar.next_payment_date(clock.now()) + timedelta(days=30),
                                             recorded_at=clock.now())
    migration = importlib.import_module("comptes.migrations.0011_backfill_in_force_recorded")
    migration.backfill(django_apps, None)
    old.refresh_from_db()
    pending.refresh_from_db()
    assert old.in_force_recorded_at == old.recorded_at and pending.in_force_recorded_at is None
    before = old.history.count()
    profile.bring_dated_changes_into_force()
    assert old.history.count() == before
