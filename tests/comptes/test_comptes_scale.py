"""The *Comptes de facturation* tab at scale (issue 14).

* CPT-2: the accounts a professional holds or belongs to are found by one query whose lookups each
  can use an index (the UNION of the accounts held and the memberships), not by an OR across a join,
  which reads the billing accounts and statement settings whole; what the pages show is unchanged.
* STF-3 / PAI-2: showing an account number masked decrypts nothing. The last 3 digits are kept in clear
  beside the encrypted number (written with it by the one service that writes it); the pages, the staff
  overview and the admin read those, never the number. The database refuses a number without them.
* On PostgreSQL, with enough rows for the planner's choice to mean something (the back-office load:
  many files, each with its personal account, and the large file, 50 accounts): EXPLAIN of each query
  the tab's pages really run reads no large table whole.
"""
from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.constants import AccountKind, PaymentMode, StatementOption
from comptes.models import AccountAddress, AccountMembership, BillingAccount, PaymentSettings, StatementSettings
from dossier.addresses import AddressInput
from dossier.models import CorrespondenceAddress, CorrespondencePreference, PlaceOfPractice, Professional, Telephone
from guichet import explain
from guichet.management.commands.generate_backoffice_load import LARGE_FILE_PASSWORD, LARGE_FILE_USERNAME, PROFESSION_PREFIX
from ramq_portal import clock, crypto
from tests import factories
from tests.comptes.test_comptes_access_and_queries import (
    FRENCH,
    PaymentSettingsFactory,
    StatementSettingsFactory,
    administrative_account,
)

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    not settings.DATABASE_URL or "postgres" not in settings.DATABASE_URL, reason="needs PostgreSQL (DATABASE_URL), as in .ci/run"
)

ACCOUNTS_TABLE = 'FROM "comptes_billingaccount"'


@contextmanager
def counted_decrypts():
    """Every decryption of a value encrypted at rest (ramq_portal.crypto.decrypt), counted."""
    calls = []
    real = crypto.decrypt

    def counting(token):
        calls.append(token)
        return real(token)

    with mock.patch.object(crypto, "decrypt", side_effect=counting):
        yield calls


def many_accounts(alice, size=49):
    """Alice's personal account paid by transfer and `size` administrative accounts, each with a bank
    account in force and a pending change back to cheque: 50 bank account numbers on her tab."""
    personal = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    StatementSettingsFactory(account=personal)
    PaymentSettingsFactory(account=personal)
    for i in range(size):
        administrative_account(alice, 200 + i)
    return personal


def shown_masks(professional) -> set[str]:
    rows = PaymentSettings.objects.filter(account__professional=professional).exclude(bank_account_last3="")
    return {f"•••{last3}" for last3 in rows.values_list("bank_account_last3", flat=True)}


# --- CPT-2: the accounts held and joined ------------------------------------------------------------------------


def test_CPT_2_the_tab_finds_held_and_joined_accounts_with_one_query_and_no_or_across_a_join(client, alice, bob, pay_calendar):
    personal = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    StatementSettingsFactory(account=personal)
    own = administrative_account(alice, 1)
    closed = administrative_account(alice, 2, closed_at=clock.now())
    joined = administrative_account(bob, 3, kind=AccountKind.COLLECTIVE, group_number="55555")
    AccountMembership.objects.create(account=joined, professional=alice, joined_at=clock.now())
    AccountMembership.objects.create(account=own, professional=alice, joined_at=clock.now())  # both held and joined: once
    not_hers = administrative_account(bob, 4)
    client.force_login(alice.user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("comptes:accounts"), **FRENCH)
    assert response.status_code == 200
    assert [a.number for a, _payment in response.context["accounts"]] == sorted(
        [a.number for a in (personal, own, joined)], key=lambda n: (BillingAccount.objects.get(number=n).kind, n)
    )
    page = response.content.decode()
    assert closed.number not in page and not_hers.number not in page
    listing = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT") and ACCOUNTS_TABLE in q["sql"]]
    assert len(listing) == 1, listing
    sql = listing[0]
    assert "UNION" in sql and "DISTINCT" not in sql
    assert not re.search(r'JOIN "comptes_accountmembership"', sql)  # the memberships are read in the subquery only
    # A member sees the collective account's page; the other professional's account stays a 404.
    assert client.get(reverse("comptes:account", args=[joined.pk]), **FRENCH).status_code == 200
    assert client.get(reverse("comptes:account", args=[not_hers.pk]), **FRENCH).status_code == 404
    assert client.get(reverse("comptes:account", args=[closed.pk]), **FRENCH).status_code == 404


# --- STF-3 / PAI-2: masked without decrypting ---------------------------------------------------------------------


@pytest.mark.parametrize("page", ["accounts", "account", "edit_payment", "edit_statement"])
def test_STF_3_the_tab_shows_50_bank_accounts_masked_without_decrypting_any(client, alice, pay_calendar, page):
    personal = many_accounts(alice)
    client.force_login(alice.user)
    url = reverse("comptes:accounts") if page == "accounts" else reverse(f"comptes:{page}", args=[personal.pk])
    with counted_decrypts() as decrypts:
        response = client.get(url, **FRENCH)
    assert response.status_code == 200
    assert decrypts == []
    content = response.content.decode()
    numbers = PaymentSettings.objects.filter(account__professional=alice).exclude(bank_account="").values_list("bank_account", flat=True)
    assert len(numbers) == 50 and not any(number in content for number in numbers)
    if page == "accounts":  # every account's number in force, by its last 3 digits
        assert all(mask in content for mask in shown_masks(alice)) and len(shown_masks(alice)) == 50
    if page == "account":
        assert f"•••{personal.payment_settings.get().bank_account_last3}" in content


def test_PAI_4_after_a_bank_change_the_pages_show_the_new_number_masked_beside_the_old_one(client, alice, pay_calendar):
    """The new bank account waits for the next payment (PAI-4): the account's page shows the one in force
    and the pending one, each by its own last 3 digits, still without decrypting either."""
    personal = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    StatementSettingsFactory(account=personal)
    PaymentSettingsFactory(account=personal, bank_account="1111111222")
    institution = factories.FinancialInstitutionFactory(number="815", name="Desjardins")
    client.force_login(alice.user)
    response = client.post(reverse("comptes:edit_payment", args=[personal.pk]), {
        "version": str(BillingAccount.objects.get(pk=personal.pk).version), "mode": PaymentMode.TRANSFER,
        "institution": str(institution.pk), "transit": "30012", "account_number": "987654789",
        "personal_account_confirmed": "on", "password": factories.PASSWORD,
    }, **FRENCH)
    assert response.status_code == 302, response.content.decode()[:2000]
    new = personal.payment_settings.get(cancelled_at__isnull=True, effective_from__gt=clock.today())
    assert (new.bank_account, new.bank_account_last3) == ("987654789", "789")
    with counted_decrypts() as decrypts:
        page = client.get(reverse("comptes:account", args=[personal.pk]), **FRENCH).content.decode()
        listing = client.get(reverse("comptes:accounts"), **FRENCH).content.decode()
    assert decrypts == []
    assert "•••222" in page and "•••789" in page and "987654789" not in page
    assert "•••222" in listing and "changement en attente" in listing  # the list shows the number in force


def test_STF_6_the_staff_overview_shows_50_bank_accounts_masked_without_decrypting_any(client, alice, agent, pay_calendar):
    many_accounts(alice)
    client.force_login(agent)
    with counted_decrypts() as decrypts:
        response = client.get(reverse("admin:dossier_professional_overview", args=[alice.pk]), **FRENCH)
    assert response.status_code == 200 and decrypts == []
    assert all(mask in response.content.decode() for mask in shown_masks(alice))


def test_STF_3_the_admin_lists_and_shows_payment_settings_masked_without_decrypting(client, alice, supervisor, pay_calendar):
    many_accounts(alice, size=9)
    row = PaymentSettings.objects.exclude(bank_account="").first()
    client.force_login(supervisor)
    with counted_decrypts() as decrypts:
        listing = client.get(reverse("admin:comptes_paymentsettings_changelist"), **FRENCH)
        change = client.get(reverse("admin:comptes_paymentsettings_change", args=[row.pk]), **FRENCH)
    assert listing.status_code == 200 and change.status_code == 200
    assert decrypts == []
    assert f"•••{row.bank_account_last3}" in change.content.decode() and row.bank_account not in change.content.decode()
    # Only the recorded viewing decrypts (dossier.disclosure), once.
    with counted_decrypts() as decrypts:
        revealed = client.post(reverse("admin:comptes_paymentsettings_reveal", args=[row.pk]), **FRENCH)
    assert revealed.status_code == 200 and row.bank_account in revealed.content.decode() and len(decrypts) == 1


def test_PAI_2_the_database_keeps_the_last_3_digits_with_the_number(alice):
    account = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    for number, last3 in (("1234567", ""), ("1234567", "56x"), ("", "567")):
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentSettingsFactory(account=account, bank_account=number, bank_account_last3=last3)
    PaymentSettingsFactory(account=account, bank_account="1234567")  # the factory writes both, as the service does
    PaymentSettingsFactory(account=account, mode=PaymentMode.CHEQUE, institution=None, transit="", bank_account="")


def test_the_migration_fills_the_last_3_digits_of_older_rows_from_the_number(alice):
    """Rows written before the rule (here: a history row, which has no such constraint) get theirs."""
    migration = __import__("comptes.migrations.0009_payment_last3_with_bank_account", fromlist=["fill_last3"])
    account = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    PaymentSettingsFactory(account=account, bank_account="7654321")
    history = PaymentSettings.history.model
    history.objects.update(bank_account_last3="")
    history.objects.create(**{**history.objects.values().get(), "history_id": None, "bank_account": "", "bank_account_last3": "12"})
    migration.fill_last3(apps, None)
    assert sorted(history.objects.values_list("bank_account_last3", flat=True)) == ["", "321"]


# --- the bench's data: every file with its personal account, and the large file -----------------------------------


def generate(files: int, requests: int, *, large_file: bool = False) -> str:
    out = StringIO()
    call_command("generate_backoffice_load", files=files, requests=requests, large_file=large_file, stdout=out)
    return out.getvalue()


def test_CPT_1_each_generated_file_has_its_address_and_personal_account_as_opening_a_file_leaves_it():
    """DOS-3 / CPT-1 / ETC-5: as dossier.services.open_file: the correspondence address in force since the
    opening, the personal account numbered with the professional number, its statement settings ("not
    now") addressed to the correspondence address."""
    generate(300, 20)
    files = Professional.objects.filter(profession__code__startswith=PROFESSION_PREFIX)
    assert files.count() == 300
    accounts = BillingAccount.objects.filter(professional__in=files).select_related("professional", "statement_settings")
    assert accounts.count() == 300
    addresses = {a.professional_id: a for a in CorrespondenceAddress.objects.filter(professional__in=files)}
    assert len(addresses) == 300
    for account in accounts:
        file = account.professional
        assert (account.kind, account.number, account.name, account.opened_at) == (
            AccountKind.PERSONAL, file.professional_number, "Finances personnelles", file.opened_at)
        address = addresses[file.pk]
        assert address.effective_from == clock.quebec_date(file.opened_at) < clock.today() and address.cancelled_at is None
        settings_ = account.statement_settings
        assert settings_.option == StatementOption.NONE and settings_.agency_id is None
        assert AddressInput.of(settings_).as_dict() == AddressInput.of(address).as_dict()


def large_file_records(professional) -> list:
    """Every history record of the large file: its file, coordinates, places, preferences, the accounts it
    holds (with their settings, addresses and memberships) and its memberships of others' accounts."""
    held = list(BillingAccount.objects.filter(professional=professional).values_list("pk", flat=True))
    sources = [
        Professional.history.filter(id=professional.pk),
        *(model.history.filter(professional_id=professional.pk)
          for model in (CorrespondenceAddress, Telephone, PlaceOfPractice, CorrespondencePreference, BillingAccount)),
        *(model.history.filter(account_id__in=held) for model in (StatementSettings, PaymentSettings, AccountAddress)),
        AccountMembership.history.filter(Q(account_id__in=held) | Q(professional_id=professional.pk)),
    ]
    return [record for source in sources for record in source]


@pytest.mark.dates  # the large file's past is laid out from today
def test_the_large_file_signs_in_and_has_50_places_50_accounts_500_messages_and_450_changes_over_years(client, agent):
    generate(50, 0, large_file=True)
    response = client.post(reverse("login"), {"username": LARGE_FILE_USERNAME, "password": LARGE_FILE_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:1000]
    professional = Professional.objects.get(user__username=LARGE_FILE_USERNAME)
    assert professional.has_activated_email and professional.is_registered and professional.places_of_practice.count() == 50
    assert professional.places_of_practice.filter(is_main=True).count() == 1
    with counted_decrypts() as decrypts:
        listing = client.get(reverse("comptes:accounts"), **FRENCH)
    assert listing.status_code == 200 and decrypts == []
    assert len(listing.context["accounts"]) == 50
    held = BillingAccount.objects.filter(professional=professional)
    assert held.filter(kind=AccountKind.PERSONAL).count() == 1 and held.filter(kind=AccountKind.COLLECTIVE).count() == 8
    assert AccountMembership.objects.filter(professional=professional).exclude(account__professional=professional).count() == 2
    assert AccountMembership.objects.filter(account__in=held).exclude(professional=professional).count() == 8  # colleagues
    # Payment settings as the service leaves them: bank numbers encrypted, their last 3 digits beside them.
    payments = PaymentSettings.objects.filter(account__professional=professional)
    transfers = [p for p in payments if p.mode == PaymentMode.TRANSFER]
    assert len(transfers) > 40 and all(p.bank_account[-3:] == p.bank_account_last3 and len(p.bank_account) >= 7 for p in transfers)
    # BEY-1: at most one pending change per slot, and the last few changes are pending.
    today = clock.today()
    for rows in (payments, professional.correspondence_addresses.all(), professional.preferences.all()):
        live = rows.filter(cancelled_at__isnull=True, effective_from__gt=today)
        slots = [tuple(getattr(r, f) for f in ("account_id", "kind") if hasattr(r, f)) for r in live]
        assert len(slots) == len(set(slots)) and live.exists()
    # The Messagerie: 500 messages, the latest 7 unread.
    assert professional.secure_messages.count() == 500 and professional.secure_messages.filter(read_at__isnull=True).count() == 7
    assert client.get(reverse("notifications:inbox"), **FRENCH).status_code == 200
    # 450 history records of its own, real changes spread over 8 years, by itself, an agent or the system.
    records = large_file_records(professional)
    assert len(records) == 450
    years = {record.history_date.year for record in records}
    assert len(years) >= 8 and min(r.history_date for r in records) < clock.now() - timedelta(days=7 * 365)
    assert all(r.history_date <= clock.now() for r in records)
    authors = {r.history_user_id for r in records}
    assert {None, professional.user_id} <= authors and len(authors) == 3
    assert {r.history_type for r in records} == {"+", "~", "-"}  # telephones are replaced, as the service does
    # Its history shows them among its accounts' events (BEY-6), within the first pages.
    url, pages = reverse("dossier:history"), []
    while url and len(pages) < 12 and not any("Changement de téléphone" in page for page in pages):
        response = client.get(url, **FRENCH)
        assert response.status_code == 200
        pages.append(response.content.decode())
        older = re.search(r'<a href="([^"]*)">Changements plus anciens</a>', pages[-1])
        url = html.unescape(older.group(1)) if older else None
    assert "Compte de facturation" in pages[0] and any("Changement de téléphone" in page for page in pages)
    assert "already there: nothing generated" in generate(50, 0, large_file=True)
    assert len(large_file_records(professional)) == 450


# --- EXPLAIN on PostgreSQL -----------------------------------------------------------------------------------------


@pytest.fixture
def large_load(alice, agent, pay_calendar):
    """Enough rows for the planner's choice to mean something (the command ends with ANALYZE): 20,000 files,
    each with its address, personal account and statement settings; the large file; Alice with 10 accounts."""
    many_accounts(alice, size=9)
    generate(20_000, 2_000, large_file=True)


@needs_postgres
@pytest.mark.parametrize("who", ["alice", "large file"])
def test_CPT_2_no_query_of_the_comptes_pages_reads_a_large_table_whole_on_postgresql(alice, large_load, who):
    professional = alice if who == "alice" else Professional.objects.get(user__username=LARGE_FILE_USERNAME)
    rows = explain.table_rows()
    assert min(rows[t] for t in ("comptes_billingaccount", "comptes_statementsettings", "dossier_correspondenceaddress")) >= explain.LARGE_TABLE_ROWS
    pages = explain.explain_comptes_pages(professional, host="testserver")
    assert {page.name for page in pages} >= {"accounts", "account (personal)", "edit_payment", "edit_statement", "account (administrative)"}
    for page in pages:
        assert page.status == 200, page.url
        assert page.large_seq_scans == [], [q.plan for q in page.queries if q.large_seq_scans]
        listing = [q for q in page.queries if q.sql.startswith("SELECT") and ACCOUNTS_TABLE in q.sql.split(" WHERE ")[0]]
        assert len(listing) == 1, page.name
        plan = listing[0].plan
        assert "Seq Scan on comptes_billingaccount" not in plan and "Seq Scan on comptes_statementsettings" not in plan, plan
        assert re.search(r"Index (Only )?Scan using \w+ on comptes_billingaccount", plan), plan


@needs_postgres
def test_the_or_across_the_memberships_join_that_the_tab_used_reads_the_accounts_whole_on_postgresql(alice, large_load):
    """Why the UNION (issue 14): the former filter, with the same rows, makes the planner read the table."""
    former = BillingAccount.objects.filter(Q(professional=alice) | Q(memberships__professional=alice), closed_at__isnull=True).distinct()
    assert "Seq Scan on comptes_billingaccount" in explain.explain(_sql(former))


def _sql(queryset) -> str:
    with CaptureQueriesContext(connection) as captured:
        list(queryset)
    return captured.captured_queries[-1]["sql"]
