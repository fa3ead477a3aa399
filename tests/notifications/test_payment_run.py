"""ETC-1, NOT-2..5: the payment run issues one statement per account and a deposit notice per transfer
payee, routes them like any correspondence, announces them with one email per professional, and can be
stopped, resumed and run again without issuing anything twice."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendrier import paycalendar
from comptes.constants import AccountKind, PaymentMode
from comptes.models import PaymentSettings, StatementSettings
from dossier.constants import Channel, CorrespondenceKind
from dossier.models import CorrespondenceAddress, CorrespondencePreference
from notifications import payment_run, routing
from notifications.models import DepositNotice, OutboundMessage, PaymentRun, PrintItem, SecureMessage, Statement
from notifications.tasks import payment_run as payment_run_task
from ramq_portal import clock
from tests import factories
from tests.factories import aware

PAYDAY = date(2027, 5, 20)  # a Thursday of the calendar

# The files and accounts are made two days before PAYDAY, whatever the session's moment.
pytestmark = [pytest.mark.django_db, pytest.mark.moment(aware(2027, 5, 18, 9, 0))]


def pay_by_transfer(account, effective_from=date(2027, 1, 7), last3="567"):
    return PaymentSettings.objects.create(
        account=account, mode=PaymentMode.TRANSFER, institution=factories.FinancialInstitutionFactory(number="815"), transit="12345",
        bank_account=f"0001{last3}", bank_account_last3=last3, personal_account_confirmed=True, effective_from=effective_from,
        recorded_at=clock.now(),
    )


def activate(professional, email):
    professional.email, professional.email_activated_at = email, clock.now()
    professional.save()


def run(capture, **kwargs):
    with capture(execute=True):
        return payment_run.issue(payment_date=PAYDAY, **kwargs)


def test_ETC_1_each_open_account_gets_one_statement_per_payment_and_a_rerun_issues_nothing(alice, bob, django_capture_on_commit_callbacks):
    extra = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A7", name="Lévis")
    factories.BillingAccountFactory(professional=bob, kind=AccountKind.INDIVIDUAL, number="A8", name="Fermé", closed_at=clock.now())
    balances = lambda accounts, day: {extra.pk: Decimal("-12.50")}  # noqa: E731
    first = run(django_capture_on_commit_callbacks, balances=balances, batch_size=1)
    assert (first.statements, first.finished_at is not None) == (3, True)
    assert sorted(Statement.objects.values_list("account__number", flat=True)) == sorted(
        [alice.professional_number, bob.professional_number, "A7"])
    assert Statement.objects.get(account=extra).balance == Decimal("-12.50")
    messages, items = SecureMessage.objects.count(), PrintItem.objects.count()
    again = run(django_capture_on_commit_callbacks, balances=balances)
    assert again.pk == first.pk and Statement.objects.count() == 3
    assert (SecureMessage.objects.count(), PrintItem.objects.count()) == (messages, items)
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_run.issue(payment_date=PAYDAY + timedelta(days=14)).statements == 3  # every 2 weeks, a new one


def test_NOT_2_PAI_3_a_transfer_payee_gets_a_deposit_notice_with_the_deposit_date(alice, bob, django_capture_on_commit_callbacks):
    pay_by_transfer(alice.billing_accounts.get())
    run(django_capture_on_commit_callbacks)
    notice = DepositNotice.objects.get()
    assert notice.account.professional == alice and notice.bank_account_masked == "•••567"
    # Thursday May 20, 2027: Friday, then Monday May 24 is a Québec holiday (Journée nationale des patriotes).
    assert notice.deposit_date == paycalendar.deposit_date(PAYDAY) == date(2027, 5, 26)
    message = SecureMessage.objects.get(professional=alice, subject__startswith="Avis de dépôt")
    assert "26 mai 2027" in message.body and "•••567" in message.body and "0001567" not in message.body
    assert not SecureMessage.objects.filter(professional=bob, subject__startswith="Avis de dépôt").exists()  # paid by cheque


def test_NOT_2_the_payment_mode_in_force_on_the_payment_date_counts_not_a_pending_one(alice, django_capture_on_commit_callbacks):
    pay_by_transfer(alice.billing_accounts.get(), effective_from=PAYDAY + timedelta(days=14))
    run(django_capture_on_commit_callbacks)
    assert not DepositNotice.objects.exists()


def test_NOT_4_a_deposit_notice_follows_the_payments_preference_and_goes_to_the_address_in_force(alice, django_capture_on_commit_callbacks):
    pay_by_transfer(alice.billing_accounts.get())
    CorrespondencePreference.objects.create(professional=alice, kind=CorrespondenceKind.PAYMENTS, channel=Channel.POST,
                                            effective_from=date(2027, 1, 7), recorded_at=clock.now())
    CorrespondenceAddress.objects.create(professional=alice, line1="9, rue Future", city="Lévis", province="QC", postal_code="G6V 1A1",
                                         effective_from=PAYDAY + timedelta(days=14), recorded_at=clock.now())
    run(django_capture_on_commit_callbacks)
    item = PrintItem.objects.get(kind=CorrespondenceKind.PAYMENTS)
    assert item.reason == routing.Reason.PREFERENCE and item.sending_date == PAYDAY
    assert "rue des Tremblay" in item.address and "rue Future" not in item.address  # the new address is not in force yet
    assert not SecureMessage.objects.filter(subject__startswith="Avis de dépôt").exists()


def test_ETC_4_ETC_5_statements_of_a_run_are_routed_like_a_single_one(alice, bob, django_capture_on_commit_callbacks):
    bob.user = None  # not enrolled: no inbox, the statement is posted to the statement address
    bob.save()
    StatementSettings.objects.create(account=bob.billing_accounts.get(), line1="500, rue de l'État", city="Québec", province="QC",
                                     postal_code="G1R 2B5", updated_at=clock.now())
    negative = lambda accounts, day: {a.pk: Decimal("-3.00") for a in accounts if a.professional_id == alice.pk}  # noqa: E731
    run(django_capture_on_commit_callbacks, balances=negative)
    posted = {item.professional_id: item for item in PrintItem.objects.filter(kind=routing.STATEMENT)}
    assert posted[bob.pk].reason == routing.Reason.STATEMENT and "500, rue de l'État" in posted[bob.pk].address
    assert posted[alice.pk].reason == routing.Reason.NEGATIVE_BALANCE
    assert SecureMessage.objects.filter(professional=alice, subject__startswith="État de compte").count() == 1  # and on screen
    assert not SecureMessage.objects.filter(professional=bob).exists()


def test_NOT_3_a_payment_run_sends_at_most_one_email_per_professional(alice, bob, django_capture_on_commit_callbacks):
    activate(alice, "alice@example.com")
    second = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A9", name="Lévis")
    pay_by_transfer(alice.billing_accounts.get(kind=AccountKind.PERSONAL))
    pay_by_transfer(second, last3="999")
    run(django_capture_on_commit_callbacks, batch_size=1)
    assert SecureMessage.objects.filter(professional=alice).count() == 4  # 2 statements, 2 deposit notices
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]  # Bob has no activated email (EML-5)
    assert "4 nouveaux messages" in mail.outbox[0].body


def test_NOT_5_a_run_stopped_mid_way_keeps_its_committed_batches_and_the_next_run_finishes_it(django_capture_on_commit_callbacks):
    professionals = [factories.ProfessionalFactory() for _ in range(5)]
    for professional in professionals:
        factories.BillingAccountFactory(professional=professional)
        pay_by_transfer(professional.billing_accounts.get(), last3=f"{professional.pk % 1000:03d}")
    calls = []

    def crash_on_third_batch(accounts, day):
        calls.append(len(accounts))
        if len(calls) == 3:
            raise ConnectionError("the database went away")
        return {}

    with pytest.raises(ConnectionError):
        run(django_capture_on_commit_callbacks, balances=crash_on_third_batch, batch_size=2)
    stopped = PaymentRun.objects.get()
    assert stopped.finished_at is None and stopped.statements == Statement.objects.count() == 4  # two batches of 2 files
    finished = run(django_capture_on_commit_callbacks, batch_size=2)
    assert finished.finished_at is not None and finished.statements == Statement.objects.count() == 5
    assert DepositNotice.objects.count() == 5
    assert SecureMessage.objects.count() == 10  # one statement and one deposit notice each, never twice


def test_ETC_1_a_batch_costs_a_fixed_number_of_queries_whatever_the_number_of_files(django_capture_on_commit_callbacks):
    def queries_for(count: int, payday: date) -> int:
        for i in range(count):  # enrolled or not, so that both messages and print items are written
            professional = factories.ProfessionalFactory(user=factories.UserFactory() if i % 2 else None)
            factories.CorrespondenceAddressFactory(professional=professional)
            account = factories.BillingAccountFactory(professional=professional)
            pay_by_transfer(account, last3="123")
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
            payment_run.issue(payment_date=payday)
        Statement.objects.all().delete()
        DepositNotice.objects.all().delete()
        return len(queries)

    assert queries_for(3, PAYDAY) == queries_for(60, PAYDAY + timedelta(days=14))


def test_ETC_1_the_periodic_task_runs_a_payment_date_once_and_catches_up_a_missed_one(alice, pay_calendar, frozen_clock,
                                                                                  django_capture_on_commit_callbacks):
    frozen_clock(aware(2027, 5, 21, 9, 30))  # the worker was down on the 20th: the next hour's run catches up
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_run_task() == 1  # May 20 only: May 6 is older than the catch-up window
    assert list(PaymentRun.objects.values_list("payment_date", flat=True)) == [PAYDAY]
    assert payment_run_task() == 0  # a finished run is never run again
    frozen_clock(aware(2027, 5, 25, 9, 30))
    assert payment_run_task() == 0  # not a payment date
    frozen_clock(aware(2027, 6, 18, 1, 30))  # June 3 was missed for longer than a pay period: not run late
    assert payment_run.due_dates(clock.today()) == [date(2027, 6, 17)]


def test_EML_5_a_professional_without_an_activated_email_gets_nothing_by_email(bob, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    assert not OutboundMessage.objects.exists()


def test_NOT_2_demo_balances_are_stable_and_some_are_negative(alice):
    accounts = [factories.BillingAccountFactory(number=f"D{i}") for i in range(40)]
    first = payment_run.demo_balances(accounts, PAYDAY)
    assert first == payment_run.demo_balances(accounts, PAYDAY)
    assert any(value < 0 for value in first.values()) and any(value > 0 for value in first.values())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks between two connections), as in .ci/run")
@pytest.mark.django_db(transaction=True)
def test_NOT_5_two_workers_running_the_same_payment_date_at_once_issue_everything_once():
    import threading

    for _ in range(30):  # not enrolled: statement and deposit notice both by post
        account = factories.BillingAccountFactory(professional=factories.ProfessionalFactory(user=None))
        pay_by_transfer(account, last3="321")
    barrier, errors = threading.Barrier(2), []

    def work():
        try:
            barrier.wait()
            payment_run.issue(payment_date=PAYDAY, batch_size=4)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    run = PaymentRun.objects.get()
    assert run.finished_at is not None and run.statements == Statement.objects.count() == 30
    assert run.deposit_notices == DepositNotice.objects.count() == 30
    assert PrintItem.objects.count() == 60 and not SecureMessage.objects.exists()  # not enrolled: both by post, once each
    assert Statement.objects.values("account").distinct().count() == 30
    per_account = {}
    for item in PrintItem.objects.values_list("account_id", "kind"):
        per_account[item] = per_account.get(item, 0) + 1
    assert set(per_account.values()) <= {1}  # never two posted copies of one statement or notice


def test_ETC_1_memory_is_bounded_by_the_batch_not_by_the_number_of_accounts(django_capture_on_commit_callbacks, monkeypatch, settings):
    """The peak of a run of 10 batches is that of a run of 2. The files' page versions live in Redis, not
    in the worker: the test's cache is a dummy one, as the in-process cache of the tests would otherwise
    hold a version per file. The test collects garbage between batches:
    the run itself never does (its batches read tuples and leave no reference cycles), and a full
    collection also empties CPython's free lists, which otherwise fill up over the first batches (up to
    a fixed size) and would read here as growth."""
    import gc
    import tracemalloc

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    issue_batch = payment_run._issue_batch

    def collected_around(*args):
        gc.collect()
        try:
            return issue_batch(*args)
        finally:
            gc.collect()

    monkeypatch.setattr(payment_run, "_issue_batch", collected_around)

    def peak_for(count: int, payday: date) -> int:
        for i in range(count):
            professional = factories.ProfessionalFactory(user=None)
            account = factories.BillingAccountFactory(professional=professional)
            if i % 3 == 0:
                pay_by_transfer(account, last3="123")
        tracemalloc.start()
        try:
            with django_capture_on_commit_callbacks(execute=False):
                payment_run.issue(payment_date=payday, batch_size=40)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak_for(40, PAYDAY)  # warm-up, one batch: imports, the calendar's holidays, translation catalogues, query compilers
    small = peak_for(40, PAYDAY + timedelta(days=14))  # 80 files: 2 batches
    large = peak_for(320, PAYDAY + timedelta(days=28))  # 400 files: 10 batches, five times as many
    assert Statement.objects.filter(payment_date=PAYDAY + timedelta(days=28)).count() == 400
    assert large < small * 1.25, (small, large)


def test_ETC_1_a_late_run_concerns_the_accounts_open_on_the_payment_date(alice, frozen_clock, django_capture_on_commit_callbacks):
    frozen_clock(aware(2027, 5, 10, 9, 0))
    closing = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A7", name="Fermé le 21")
    frozen_clock(aware(2027, 5, 21, 9, 0))  # the run is caught up a day late
    closing.closed_at = clock.now()
    closing.save()
    opened_after = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A8", name="Ouvert le 21")
    run(django_capture_on_commit_callbacks)
    issued = set(Statement.objects.values_list("account_id", flat=True))
    assert closing.pk in issued  # its last statement is not lost
    assert opened_after.pk not in issued  # it was not open on May 20


def test_ETC_1_NOT_2_NOT_4_the_run_writes_exactly_what_the_one_letter_functions_write(django_capture_on_commit_callbacks):
    """The run reads tuples and renders each letter's text once per language: for a varied set of files,
    its statements, notices, messages and print items are those the one-letter functions (routing's
    decide, decide_statement, statement_letter, deposit_letter, statement_address, correspondence_address,
    items) give for each statement and notice, byte for byte."""
    def professional(language="fr", enrolled=True, address=True, **fields):
        file = factories.ProfessionalFactory(user=factories.UserFactory() if enrolled else None, language=language, **fields)
        if address:
            factories.CorrespondenceAddressFactory(professional=file, line2="bureau 200" if language == "en" else "")
        return file

    def statement_settings(account, **fields):
        fields = {"line1": "500, rue de l'État", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5", **fields}
        return StatementSettings.objects.create(account=account, updated_at=clock.now(), **fields)

    french = factories.BillingAccountFactory(professional=professional())  # transfer, statement settings, on screen only
    pay_by_transfer(french, last3="101")
    statement_settings(french)
    english = factories.BillingAccountFactory(professional=professional("en"))  # transfer with a pending new bank account
    pay_by_transfer(english, last3="202")
    pay_by_transfer(english, effective_from=PAYDAY + timedelta(days=3), last3="909")
    CorrespondencePreference.objects.create(professional=english.professional, kind=CorrespondenceKind.PAYMENTS, channel=Channel.POST,
                                            effective_from=date(2027, 1, 7), recorded_at=clock.now())  # its notice by post
    CorrespondenceAddress.objects.create(professional=english.professional, line1="9, Future Street", city="Lévis", province="QC",
                                         postal_code="G6V 1A1", effective_from=PAYDAY + timedelta(days=14), recorded_at=clock.now())
    on_paper = factories.BillingAccountFactory(professional=professional(enrolled=False))  # cheque, no statement settings: post
    PaymentSettings.objects.create(account=on_paper, mode=PaymentMode.CHEQUE, effective_from=date(2027, 1, 7), recorded_at=clock.now())
    deceased = factories.BillingAccountFactory(professional=professional("en", deceased_on=PAYDAY - timedelta(days=20)))
    pay_by_transfer(deceased, last3="303")
    paper = factories.BillingAccountFactory(professional=professional())
    statement_settings(paper, paper_requested=True)
    abroad = factories.BillingAccountFactory(professional=professional("en"))  # negative balance, statement address abroad
    statement_settings(abroad, line1="1 Main Street", city="Plattsburgh", province="", postal_code="", region="NY 12901", country="US")
    nowhere = factories.BillingAccountFactory(professional=professional(enrolled=False, address=False))  # no address at all
    pay_by_transfer(nowhere, last3="404")
    wants_screen = professional(enrolled=False)  # prefers secure messaging but has no inbox; two accounts, one closed
    CorrespondencePreference.objects.create(professional=wants_screen, kind=CorrespondenceKind.PAYMENTS,
                                            channel=Channel.SECURE_MESSAGING, effective_from=date(2027, 1, 7), recorded_at=clock.now())
    second = factories.BillingAccountFactory(professional=wants_screen, kind=AccountKind.INDIVIDUAL, number="A51", name="Lévis")
    pay_by_transfer(second, last3="505")
    factories.BillingAccountFactory(professional=wants_screen, kind=AccountKind.INDIVIDUAL, number="A52", name="Fermé",
                                    closed_at=clock.now())
    amounts = {abroad.pk: Decimal("-12.50"), french.pk: Decimal("1234567.89"), english.pk: Decimal("0.10"), second.pk: Decimal("7")}

    run(django_capture_on_commit_callbacks, balances=lambda accounts, day: {a.pk: amounts[a.pk] for a in accounts if a.pk in amounts},
        batch_size=3)

    expected = []
    for statement in Statement.objects.filter(payment_date=PAYDAY).select_related("account__professional", "account__statement_settings"):
        decision = routing.decide_statement(statement=statement)
        expected += routing.items(professional=statement.account.professional, decision=decision, letter=routing.statement_letter(statement),
                                  kind=routing.STATEMENT, on=PAYDAY, moment=statement.issued_at, account=statement.account,
                                  address=routing.statement_address(statement) if decision.by_post else "")
    for notice in DepositNotice.objects.filter(payment_date=PAYDAY).select_related("account__professional"):
        professional_ = notice.account.professional
        decision = routing.decide(professional=professional_, kind=routing.DEPOSIT_NOTICE_KIND, on=PAYDAY)
        expected += routing.items(professional=professional_, decision=decision, letter=routing.deposit_letter(notice),
                                  kind=routing.DEPOSIT_NOTICE_KIND, on=PAYDAY, moment=notice.issued_at, account=notice.account,
                                  address=routing.correspondence_address(professional_, PAYDAY) if decision.by_post else "")
    message_fields = ["professional_id", "subject", "body", "created_at", "thread_id", "notice_due", "from_professional", "read_at"]
    print_fields = ["professional_id", "account_id", "kind", "reason", "subject", "body", "address", "sending_date", "created_at",
                    "printed_at"]

    def rows(objects, fields):
        return sorted(tuple(getattr(row, name) for name in fields) for row in objects)

    assert rows(SecureMessage.objects.all(), message_fields) == rows([r for r in expected if isinstance(r, SecureMessage)], message_fields)
    assert rows(PrintItem.objects.all(), print_fields) == rows([r for r in expected if isinstance(r, PrintItem)], print_fields)
    assert Statement.objects.count() == 8 and DepositNotice.objects.count() == 5  # the closed account has none
    assert DepositNotice.objects.get(account=english).bank_account_masked == "•••202"  # the new bank account is pending
    assert Statement.objects.get(account=french).balance == Decimal("1234567.89")
    reasons = dict(PrintItem.objects.filter(kind=routing.STATEMENT).values_list("account_id", "reason"))
    assert reasons == {on_paper.pk: routing.Reason.STATEMENT, deceased.pk: routing.Reason.ESTATE, paper.pk: routing.Reason.PAPER_REQUESTED,
                       abroad.pk: routing.Reason.NEGATIVE_BALANCE, nowhere.pk: routing.Reason.STATEMENT,
                       second.pk: routing.Reason.STATEMENT}
    assert PrintItem.objects.get(account=nowhere, kind=routing.STATEMENT).address == ""  # staff see it in the queue
    assert PrintItem.objects.get(account=abroad).address.endswith("Plattsburgh NY 12901\nÉTATS-UNIS D'AMÉRIQUE")
    # The texts as they were written before the run rendered them once per language (byte for byte).
    assert (SecureMessage.objects.get(professional=french.professional, subject__startswith="État").body
            == "Votre état de compte du paiement du 20 mai 2027 est produit. Solde\u00a0: 1\u00a0234\u00a0567,89\u00a0$.")
    assert (PrintItem.objects.get(account=abroad).body
            == "Your statement of account for the payment of May 20, 2027 is produced. Balance: -$12.50.")
    assert PrintItem.objects.get(account=english).subject == f"Deposit notice for the payment of May 20, 2027 — account {english.number}"
    assert (PrintItem.objects.get(account=english).body
            == "The payment of May 20, 2027 will be deposited on May 26, 2027 into your bank account •••202.")
