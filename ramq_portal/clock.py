"""The one clock of the portal: every "now" and "today" comes from here, in Québec time.

Nothing captures "today" at import time (PAY-3). Tests never replace this module: they move the time
of the whole process (tests/timetravel.py), so the libraries that read the time themselves
(django-simple-history, django-axes, sessions) agree with it.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

QUEBEC = ZoneInfo("America/Toronto")


def now() -> datetime:
    """The current moment, aware, in Québec time."""
    return timezone.now().astimezone(QUEBEC)


def today() -> date:
    """Today's date in Québec."""
    return now().date()


def add(moment: datetime, elapsed: timedelta) -> datetime:
    """The moment `elapsed` after (before, if negative) `moment`, in Québec time.

    Counted in real elapsed time: Python adds a timedelta to a Québec time on the wall clock, so a
    10-minute code issued at 01:55 on the November DST change would live 70 minutes, and a lease
    checked in the hour after the March change would end an hour early. Every lifetime, lease, delay
    and retention of the portal is computed here.
    """
    if timezone.is_naive(moment):
        raise ValueError("naive datetimes are not accepted; use ramq_portal.clock.now()")
    return (moment.astimezone(UTC) + elapsed).astimezone(QUEBEC)


def quebec_date(moment: datetime | date) -> date:
    """The Québec calendar date of a moment (a date is returned as is)."""
    if isinstance(moment, datetime):
        if timezone.is_naive(moment):
            raise ValueError("naive datetimes are not accepted; use ramq_portal.clock.now()")
        return moment.astimezone(QUEBEC).date()
    return moment
