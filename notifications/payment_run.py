"""The payment run (ETC-1, NOT-2): on each payment date, one statement per open account.

Idempotent and restartable: statements are inserted in batches of account ids with ON CONFLICT DO
NOTHING on (account, payment date), so running twice, or again after a crash, issues nothing new.
Routing (post or secure messaging), deposit notices and email notices come with the notifications issue.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from comptes.models import BillingAccount, PaymentDate
from notifications.models import Statement
from ramq_portal import clock

BATCH_SIZE = 2000


def issue_statements(*, payment_date: date, balances: dict[int, Decimal] | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Issue the statements of `payment_date` for every open account; returns how many were new."""
    balances = balances or {}
    issued = 0
    moment = clock.now()
    last_pk = 0
    while True:
        ids = list(
            BillingAccount.objects.filter(closed_at__isnull=True, pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return issued
        with transaction.atomic():
            before = Statement.objects.filter(payment_date=payment_date, account_id__in=ids).count()
            Statement.objects.bulk_create(
                [Statement(account_id=pk, payment_date=payment_date, balance=balances.get(pk, Decimal("0")), issued_at=moment) for pk in ids],
                ignore_conflicts=True,
            )
            issued += Statement.objects.filter(payment_date=payment_date, account_id__in=ids).count() - before
        last_pk = ids[-1]


def run_for_today() -> int:
    """The daily beat task: a payment date issues its statements; any other day does nothing."""
    today = clock.today()
    if not PaymentDate.objects.filter(date=today).exists():
        return 0
    return issue_statements(payment_date=today)
