"""The one clock of the portal: every "now" and "today" comes from here, in Québec time.

Tests move it with `freeze(...)`; nothing captures "today" at import time (PAY-3).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from typing import Iterator
from zoneinfo import ZoneInfo

from django.utils import timezone

QUEBEC = ZoneInfo("America/Toronto")

_frozen: datetime | None = None


def now() -> datetime:
    """The current moment, aware, in Québec time."""
    moment = _frozen if _frozen is not None else timezone.now()
    return moment.astimezone(QUEBEC)


def today() -> date:
    """Today's date in Québec."""
    return now().date()


def quebec_date(moment: datetime | date) -> date:
    """The Québec calendar date of a moment (a date is returned as is)."""
    if isinstance(moment, datetime):
        if timezone.is_naive(moment):
            raise ValueError("naive datetimes are not accepted; use ramq_portal.clock.now()")
        return moment.astimezone(QUEBEC).date()
    return moment


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at an aware moment (None unfreezes). For tests and drills only."""
    global _frozen
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("freeze the clock with an aware datetime")
    _frozen = moment


@contextmanager
def freeze(moment: datetime) -> Iterator[None]:
    previous = _frozen
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)
