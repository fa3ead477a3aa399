"""The payment run (ETC-1, NOT-2): on each payment date, one statement per open account and, for transfer
payees, a deposit notice with the deposit date; each routed like any correspondence (notifications.routing).

Batches are files (professionals), in id order: every account of a file, its statements, deposit
notices, messages and print items are written in one transaction, under a lock on the run's row. So:

* memory is bounded by the batch size, whatever the number of accounts;
* a run that is stopped (worker killed, database restarted) keeps its committed batches and the next
  run goes on from `last_professional_id`; a batch that did not commit left nothing behind;
* running twice, or two workers at once, issues nothing new: a batch skips what exists, under the lock;
* the "new message" emails (NOT-3) are sent by the notice sweep (every 10 minutes, and once more when the
  run is over): since a file's messages arrive together in one batch, a professional receives at most
  one email for a payment run.

The amounts come from the billing system, out of scope: `settings.STATEMENT_BALANCES` names the function
that gives the balances of a batch (zero by default; the demo invents some).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable, NamedTuple

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from calendrier import paycalendar
from calendrier.models import PaymentDate
from comptes.constants import PaymentMode
from comptes.models import BillingAccount, PaymentSettings, StatementSettings
from dossier.addresses import FIELDS as ADDRESS_FIELDS
from dossier.models import CorrespondenceAddress, CorrespondencePreference, Professional
from notifications import outbox, routing
from notifications.models import DepositNotice, PaymentRun, PrintItem, SecureMessage, Statement
from ramq_portal import clock, filecache
from ramq_portal.bulk import insert_rows

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000  # files per transaction
# A payment date whose run was missed (no worker, no broker) is still run this many days later.
CATCH_UP_DAYS = 13

# The balances of a batch's accounts (BillingAccount rows, read without their related rows) on a date.
Balances = Callable[[list[BillingAccount], date], dict[int, Decimal]]


def zero_balances(accounts: list[BillingAccount], payment_date: date) -> dict[int, Decimal]:
    return {}


def demo_balances(accounts: list[BillingAccount], payment_date: date) -> dict[int, Decimal]:
    """Invented amounts for the demo: stable for an account and a date, one in eleven negative."""
    balances = {}
    for account in accounts:
        seed = (account.pk * 7919 + payment_date.toordinal() * 104729) % 100000
        amount = Decimal(seed * 3) / 100
        balances[account.pk] = -(amount / 10).quantize(Decimal("0.01")) if seed % 11 == 0 else amount
    return balances


def _balances_source() -> Balances:
    return import_string(getattr(settings, "STATEMENT_BALANCES", "notifications.payment_run.zero_balances"))


def open_on(payment_date: date) -> Q:
    """The accounts a payment date concerns: opened before that day began (Québec time) and not closed
    before it. The same whenever the run happens (late, resumed, or while accounts open and close)."""
    day_start = datetime.combine(payment_date, time.min, tzinfo=clock.QUEBEC)
    return Q(opened_at__lt=day_start) & (Q(closed_at__isnull=True) | Q(closed_at__gte=day_start))


# What a batch reads, as tuples (no model instances: nothing to build, no reference cycles to collect).
# The routing rules take them as they take rows: same names, and the models' own properties.


class _File(NamedTuple):
    """A professional's file."""
    id: int
    user_id: int | None
    first_name: str
    last_name: str
    language: str
    deceased_on: date | None

    full_name = Professional.full_name
    is_enrolled = Professional.is_enrolled


class _StatementSettings(NamedTuple):
    """An account's statement settings: its statement address and whether paper was asked for."""
    account_id: int
    paper_requested: bool
    line1: str
    line2: str
    city: str
    province: str
    postal_code: str
    region: str
    country: str


class _Address(NamedTuple):
    """A dated correspondence address."""
    professional_id: int
    effective_from: date
    recorded_at: datetime
    cancelled_at: datetime | None
    line1: str
    line2: str
    city: str
    province: str
    postal_code: str
    region: str
    country: str


class _Payment(NamedTuple):
    """An account's dated payment settings (the bank account itself is never read: masked only)."""
    account_id: int
    effective_from: date
    recorded_at: datetime
    cancelled_at: datetime | None
    mode: str
    bank_account_last3: str

    masked_account = PaymentSettings.masked_account


class _Preference(NamedTuple):
    """A dated preference for the kind of the deposit notices."""
    professional_id: int
    effective_from: date
    recorded_at: datetime
    cancelled_at: datetime | None
    channel: str


assert _Address._fields[4:] == _StatementSettings._fields[2:] == ADDRESS_FIELDS


def _read(queryset, row: type[NamedTuple]) -> list:
    """The rows of `queryset` as `row` tuples, in id order: the rules' stable sorts (dated.split) then
    settle ties (same effective date and recording moment) for the row recorded last."""
    return list(map(row._make, queryset.order_by("pk").values_list(*row._fields)))


def _grouped(rows: list, key: str) -> dict[int, list]:
    groups = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


class _Batch(NamedTuple):
    accounts: list[BillingAccount]
    # Per account, in the order of `accounts`: its file, its statement settings (or None), whether its
    # statement and its deposit notice of the payment date exist already.
    details: list[tuple[_File, _StatementSettings | None, bool, bool]]
    payments: dict[int, list[_Payment]]  # by account
    addresses: dict[int, list[_Address]]  # by file
    preferences: dict[int, list[_Preference]]  # by file


_ACCOUNT_FIELDS = tuple(field.attname for field in BillingAccount._meta.concrete_fields)


def _load(after: int, last: int, payment_date: date) -> _Batch:
    """The batch's open accounts (those of the files after `after` up to `last`); their files and
    statement settings; which of them have their statement and deposit notice of the payment date
    already; and the dated rows (not cancelled, not after the payment date) of their payment settings,
    correspondence addresses and deposit-notice preferences: one query each.

    Each query reads a range of ids the database finds in an index (the files after `after` up to
    `last`; the batch's accounts from the lowest id to the highest), not a list of a thousand ids sent
    with it, and keeps the rows of the batch's files and accounts (a subquery, or a look-up here)."""
    open_accounts = BillingAccount.objects.filter(open_on(payment_date), professional_id__gt=after, professional_id__lte=last)
    using = router.db_for_read(BillingAccount)
    accounts = [BillingAccount.from_db(using, _ACCOUNT_FIELDS, row)
                for row in open_accounts.order_by("pk").values_list(*_ACCOUNT_FIELDS)]
    if not accounts:
        return _Batch([], [], {}, {}, {})
    of_files = {"professional_id__in": open_accounts.values("professional_id"), "professional_id__gt": after,
                "professional_id__lte": last}
    of_accounts = {"account_id__in": open_accounts.values("pk"), "account_id__gte": accounts[0].pk, "account_id__lte": accounts[-1].pk}
    files = {file.id: file for file in _read(Professional.objects.filter(id__in=open_accounts.values("professional_id"), id__gt=after,
                                                                             id__lte=last), _File)}
    statement_settings = {row.account_id: row for row in _read(StatementSettings.objects.filter(**of_accounts), _StatementSettings)}
    issued = {"payment_date": payment_date, "account_id__gte": accounts[0].pk, "account_id__lte": accounts[-1].pk}
    have_statement = set(Statement.objects.filter(**issued).values_list("account_id", flat=True))
    have_notice = set(DepositNotice.objects.filter(**issued).values_list("account_id", flat=True))
    dated_until = {"cancelled_at__isnull": True, "effective_from__lte": payment_date}
    return _Batch(
        accounts=accounts,
        details=[(files[account.professional_id], statement_settings.get(account.pk), account.pk in have_statement,
                  account.pk in have_notice) for account in accounts],
        payments=_grouped(_read(PaymentSettings.objects.filter(**of_accounts, **dated_until), _Payment), "account_id"),
        addresses=_grouped(_read(CorrespondenceAddress.objects.filter(**of_files, **dated_until), _Address), "professional_id"),
        preferences=_grouped(_read(CorrespondencePreference.objects.filter(**of_files, kind=routing.DEPOSIT_NOTICE_KIND, **dated_until),
                                   _Preference), "professional_id"),
    )


def _issue_batch(run: PaymentRun, professional_ids: list[int], balances_of: Balances) -> tuple[int, int, int, set]:
    """Issue and route what is missing for these files (the next ones of the run: those with open
    accounts after `run.last_professional_id`, in id order); returns (statements, deposit notices, print
    items, the files whose pages changed). The rows are built as tuples with the routing rules' value functions and written with
    insert_rows (COPY on PostgreSQL); each letter's text is translated and dated once per language."""
    payment_date, moment = run.payment_date, clock.now()
    batch = _load(run.last_professional_id, professional_ids[-1], payment_date)
    balances = balances_of(batch.accounts, payment_date)
    deposit_date = paycalendar.deposit_date(payment_date)
    balance_field, connection = Statement._meta.get_field("balance"), connections[router.db_for_write(Statement)]
    letters: dict[str, routing.PaymentLetters] = {}
    in_force_address: dict[int, _Address | None] = {}
    statements, notices, messages, printed = [], [], [], []
    zero = Decimal("0")
    for account, (file, statement_settings, has_statement, has_notice) in zip(batch.accounts, batch.details, strict=True):
        pk = account.pk
        letters_of = letters.get(file.language)
        if letters_of is None:
            letters_of = letters[file.language] = routing.PaymentLetters(file.language, payment_date, deposit_date)
        if file.id in in_force_address:
            address = in_force_address[file.id]
        else:
            address = in_force_address[file.id] = routing.in_force(batch.addresses.get(file.id, ()), payment_date)
        if not has_statement:
            balance = balances.get(pk, zero)
            decision = routing.route_statement(balance=balance, payment_date=payment_date, professional=file, settings=statement_settings)
            statements.append((pk, payment_date, balance_field.get_db_prep_save(balance, connection), moment))
            message, item = routing.item_rows(
                professional_id=file.id, decision=decision, letter=letters_of.statement(account_number=account.number, balance=balance),
                kind=routing.STATEMENT, on=payment_date, moment=moment, account_id=pk,
                address=routing.statement_envelope(file, statement_settings, address) if decision.by_post else "")
            if message is not None:
                messages.append(message)
            if item is not None:
                printed.append(item)
        payment = routing.in_force(batch.payments.get(pk, ()), payment_date)
        if not has_notice and payment is not None and payment.mode == PaymentMode.TRANSFER:
            masked = payment.masked_account
            notices.append((pk, payment_date, deposit_date, masked, moment))
            decision = routing.choose(professional=file, kind=routing.DEPOSIT_NOTICE_KIND,
                                      preference=routing.in_force(batch.preferences.get(file.id, ()), payment_date))
            message, item = routing.item_rows(
                professional_id=file.id, decision=decision,
                letter=letters_of.deposit_notice(account_number=account.number, bank_account_masked=masked),
                kind=routing.DEPOSIT_NOTICE_KIND, on=payment_date, moment=moment, account_id=pk,
                address=routing.envelope(file, address) if decision.by_post else "")
            if message is not None:
                messages.append(message)
            if item is not None:
                printed.append(item)
    statement_columns = ("account_id", "payment_date", "balance", "issued_at")
    notice_columns = ("account_id", "payment_date", "deposit_date", "bank_account_masked", "issued_at")
    insert_rows(Statement, statement_columns, statements, bump=False)
    insert_rows(DepositNotice, notice_columns, notices, bump=False)
    insert_rows(SecureMessage, routing.MESSAGE_COLUMNS, messages, bump=False)
    insert_rows(PrintItem, routing.PRINT_COLUMNS, printed, bump=False)
    # The pages of every file the batch wrote to (the messages' unread count, the accounts' statements):
    # the files of the batch, and the members of its collective accounts. Bumped now and again by
    # `issue` once the batch has committed.
    touched = (set(professional_ids) | filecache.owners_of_rows(Statement, statement_columns, statements)
               | filecache.owners_of_rows(SecureMessage, routing.MESSAGE_COLUMNS, messages))
    filecache.bump_now(touched)
    return len(statements), len(notices), len(printed), touched


def issue(*, payment_date: date, batch_size: int = BATCH_SIZE, balances: Balances | None = None) -> PaymentRun:
    """Run (or finish) the payment run of `payment_date`; returns its record."""
    from notifications.tasks import send_new_message_notices

    balances_of = balances or _balances_source()
    run, _ = PaymentRun.objects.get_or_create(payment_date=payment_date, defaults={"started_at": clock.now()})
    while run.finished_at is None:
        with transaction.atomic():
            run = PaymentRun.objects.select_for_update().get(pk=run.pk)
            if run.finished_at is not None:
                break  # another worker finished it while this one waited for the lock
            professional_ids = list(
                BillingAccount.objects.filter(open_on(payment_date), professional_id__gt=run.last_professional_id)
                .order_by("professional_id").values_list("professional_id", flat=True).distinct()[:batch_size]
            )
            if not professional_ids:
                run.finished_at = clock.now()
                run.save(update_fields=["finished_at"])
                # A broker down at this moment loses nothing: the notice sweep runs every 10 minutes.
                outbox.after_commit(lambda: send_new_message_notices.delay())
                break
            statements, notices, printed, touched = _issue_batch(run, professional_ids, balances_of)
            run.last_professional_id = professional_ids[-1]
            run.statements += statements
            run.deposit_notices += notices
            run.printed += printed
            run.save(update_fields=["last_professional_id", "statements", "deposit_notices", "printed"])
        # The batch is committed (the run is a task, never inside another transaction): the pages read
        # while it was being written are now never served.
        filecache.bump_now(touched)
        # A batch reads tuples, not model instances with prefetched rows pointing back to their file: it
        # leaves no reference cycles, and its memory is freed as soon as it returns (no gc.collect()).
    return run


def due_dates(today: date) -> list[date]:
    """Payment dates from the last CATCH_UP_DAYS up to today whose run is not finished."""
    finished = PaymentRun.objects.filter(finished_at__isnull=False).values("payment_date")
    return list(
        PaymentDate.objects.filter(date__lte=today, date__gte=today - timedelta(days=CATCH_UP_DAYS))
        .exclude(date__in=finished).order_by("date").values_list("date", flat=True)
    )


def run_due() -> int:
    """The periodic task: run every due payment date (today's, or one that was missed); returns how many
    statements were issued. Any other day, two queries and nothing else."""
    today = clock.today()
    finished = PaymentRun.objects.filter(finished_at__isnull=False).values("payment_date")
    missed = list(PaymentDate.objects.filter(date__lt=today - timedelta(days=CATCH_UP_DAYS), date__gte=today - timedelta(days=2 * CATCH_UP_DAYS))
                  .exclude(date__in=finished).values_list("date", flat=True))
    for day in missed:  # too late to issue now: staff must see it (the log, and the payment runs in the admin)
        logger.error("payment run of %s was never finished and is past its catch-up window", day)
    return sum(issue(payment_date=day).statements for day in due_dates(today))
