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

import gc
import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.module_loading import import_string

from calendrier import paycalendar
from calendrier.models import PaymentDate
from comptes.constants import PaymentMode
from comptes.models import BillingAccount, PaymentSettings
from dossier.models import CorrespondenceAddress, CorrespondencePreference
from notifications import outbox, routing
from notifications.models import DepositNotice, PaymentRun, PrintItem, SecureMessage, Statement
from ramq_portal import clock

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000  # files per transaction
# A payment date whose run was missed (no worker, no broker) is still run this many days later.
CATCH_UP_DAYS = 13

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


def _accounts(professional_ids: list[int], payment_date: date) -> list[BillingAccount]:
    dated_until = {"cancelled_at__isnull": True, "effective_from__lte": payment_date}
    return list(
        BillingAccount.objects.filter(open_on(payment_date), professional_id__in=professional_ids)
        .select_related("professional", "statement_settings")
        .defer("professional__sin")  # encrypted, never needed here: not decrypted 100,000 times
        .prefetch_related(
            Prefetch("payment_settings", queryset=PaymentSettings.objects.filter(**dated_until).defer("bank_account"),
                     to_attr="payments_until"),
            Prefetch("professional__correspondence_addresses", queryset=CorrespondenceAddress.objects.filter(**dated_until),
                     to_attr="addresses_until"),
            Prefetch("professional__preferences", to_attr="payment_preferences_until",
                     queryset=CorrespondencePreference.objects.filter(kind=routing.DEPOSIT_NOTICE_KIND, **dated_until)),
        )
        .order_by("pk")
    )


def _issue_batch(run: PaymentRun, professional_ids: list[int], balances_of: Balances) -> tuple[int, int, int]:
    """Issue and route what is missing for these files; returns (statements, deposit notices, print items)."""
    payment_date, moment = run.payment_date, clock.now()
    accounts = _accounts(professional_ids, payment_date)
    account_ids = [account.pk for account in accounts]
    have_statement = set(Statement.objects.filter(payment_date=payment_date, account_id__in=account_ids).values_list("account_id", flat=True))
    have_notice = set(DepositNotice.objects.filter(payment_date=payment_date, account_id__in=account_ids).values_list("account_id", flat=True))
    balances = balances_of(accounts, payment_date)
    deposit_date = paycalendar.deposit_date(payment_date)
    statements, notices, rows = [], [], []
    for account in accounts:
        professional = account.professional
        address = routing.in_force(professional.addresses_until, payment_date)
        if account.pk not in have_statement:
            statement = Statement(account=account, payment_date=payment_date, balance=balances.get(account.pk, Decimal("0")), issued_at=moment)
            decision = routing.decide_statement(statement=statement)
            statements.append(statement)
            rows += routing.items(professional=professional, decision=decision, letter=routing.statement_letter(statement),
                                  kind=routing.STATEMENT, on=payment_date, moment=moment, account=account,
                                  address=routing.statement_address(statement, address) if decision.by_post else "")
        payment = routing.in_force(account.payments_until, payment_date)
        if account.pk not in have_notice and payment is not None and payment.mode == PaymentMode.TRANSFER:
            notice = DepositNotice(account=account, payment_date=payment_date, deposit_date=deposit_date,
                                   bank_account_masked=payment.masked_account, issued_at=moment)
            decision = routing.choose(professional=professional, kind=routing.DEPOSIT_NOTICE_KIND,
                                      preference=routing.in_force(professional.payment_preferences_until, payment_date))
            notices.append(notice)
            rows += routing.items(professional=professional, decision=decision, letter=routing.deposit_letter(notice),
                                  kind=routing.DEPOSIT_NOTICE_KIND, on=payment_date, moment=moment, account=account,
                                  address=routing.envelope(professional, address) if decision.by_post else "")
    Statement.objects.bulk_create(statements)
    DepositNotice.objects.bulk_create(notices)
    SecureMessage.objects.bulk_create([row for row in rows if isinstance(row, SecureMessage)])
    printed = PrintItem.objects.bulk_create([row for row in rows if isinstance(row, PrintItem)])
    return len(statements), len(notices), len(printed)


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
            statements, notices, printed = _issue_batch(run, professional_ids, balances_of)
            run.last_professional_id = professional_ids[-1]
            run.statements += statements
            run.deposit_notices += notices
            run.printed += printed
            run.save(update_fields=["last_professional_id", "statements", "deposit_notices", "printed"])
        # A batch's rows hold reference cycles (prefetched rows point back to their file): free them now,
        # so that memory stays at one batch's worth instead of waiting for a full collection.
        gc.collect()
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
