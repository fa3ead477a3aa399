"""Writes to billing accounts and to the pay calendar."""
from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from comptes import paycalendar
from comptes.accounts import default_statement_settings
from comptes.constants import AccountKind
from comptes.models import BillingAccount, PaymentDate
from dossier.models import Professional, User
from ramq_portal import clock


def create_personal_account(*, professional: Professional, created_by: User | None) -> BillingAccount:
    """DOS-3 / CPT-1: the personal account, created with the file. It bears the professional number
    (invoices sent with the professional number alone count in it). Idempotent."""
    account = BillingAccount.objects.filter(professional=professional, kind=AccountKind.PERSONAL).first()
    if account is not None:
        return account
    account = BillingAccount(
        professional=professional,
        kind=AccountKind.PERSONAL,
        number=professional.professional_number,
        name="Finances personnelles",
        opened_at=clock.now(),
    )
    account._history_user = created_by
    account.save()
    address = professional.correspondence_addresses.filter(cancelled_at__isnull=True).order_by("-effective_from").first()
    default_statement_settings(account=account, address=address, by=created_by)
    return account


def generate_payment_dates(*, until: date, start: date | None = None) -> int:
    """PAY-1: store the generated payment dates up to `until`; returns how many were added.

    Idempotent. A cycle that already has a stored date within 6 days of its generated date (staff may
    have moved it) is left alone, so regenerating never undoes an edit.
    """
    start = start or settings.PAY_CALENDAR_ANCHOR
    generated = paycalendar.cycle_dates(start, until)
    if not generated:
        return 0
    window = timedelta(days=6)
    with transaction.atomic():
        existing = sorted(
            PaymentDate.objects.filter(date__gte=generated[0] - window, date__lte=generated[-1] + window).values_list(
                "date", flat=True
            )
        )
        missing = [d for d in generated if not any(abs((e - d).days) <= window.days for e in existing)]
        if missing:
            bulk_create_with_history([PaymentDate(date=d, note="") for d in missing], PaymentDate)
            # Now for this transaction's own reads, and after commit for everyone else's.
            paycalendar.invalidate_cache()
            transaction.on_commit(paycalendar.invalidate_cache)
    return len(missing)


def extend_pay_calendar(*, years_ahead: int) -> int:
    """Keep the stored calendar `years_ahead` years ahead of today (the daily beat task)."""
    today = clock.today()
    return generate_payment_dates(
        start=today - paycalendar.CYCLE, until=today + timedelta(days=366 * years_ahead)
    )
