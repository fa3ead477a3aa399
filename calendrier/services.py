"""Writes to the pay calendar."""
from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from calendrier import paycalendar
from calendrier.models import PaymentDate
from ramq_portal import clock


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
