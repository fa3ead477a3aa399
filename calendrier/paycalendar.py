"""The pay calendar: one module answers every date question of the portal (PAY-1..3, PAI-3).

Rules, written down once:

* Payment dates (PAY-1) are the stored `PaymentDate` rows. They are generated every 14 days from
  settings.PAY_CALENDAR_ANCHOR (a Thursday); a generated date that is not a business day moves to the
  previous business day. Staff may move any date in the admin. Where no date is stored yet (the
  calendar was not extended far enough), the same generation rule answers, so reads never fail.
* Business days (PAY-3) are Monday to Friday, except Québec statutory holidays (the `holidays`
  library, Canada, subdivision QC, with observed days).
* The next payment date of a moment is the first payment date on or after its Québec date: on a
  payment date, that day's payment is the next one.
* Cut-off of dated changes (PAY-2): a change recorded on Québec date D takes effect on the first payment
  date strictly after D. A change made on a payment date itself therefore waits for the following
  payment: that day's payment run is already under way with the data as it stood.
* Deposit date (PAI-3): the third business day after the payment date (a Thursday payment is deposited
  on the following Tuesday, later when a holiday intervenes).
* Cheque window (PAI-3): mailed on the payment date, received 5 to 7 days later.

Every function takes the moment to answer for; callers pass `clock.now()` or `clock.today()`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import secrets
from bisect import bisect_left

import holidays
from django.conf import settings
from django.core.cache import cache

from calendrier.models import PaymentDate
from ramq_portal.clock import quebec_date

CYCLE = timedelta(days=14)
DEPOSIT_BUSINESS_DAYS = 3
CHEQUE_DAYS_MIN = 5
CHEQUE_DAYS_MAX = 7


@lru_cache(maxsize=256)
def _quebec_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("CA", subdiv="QC", years=year).keys())


def is_holiday(day: date) -> bool:
    return day in _quebec_holidays(day.year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_business_days(day: date, count: int) -> date:
    """The `count`-th business day after `day` (count >= 1)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    current = day
    remaining = count
    while remaining:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def previous_business_day_or_same(day: date) -> date:
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def cycle_dates(start: date, end: date, *, anchor: date | None = None) -> list[date]:
    """The generated payment dates whose nominal (unshifted) date lies in [start, end]."""
    anchor = anchor or settings.PAY_CALENDAR_ANCHOR
    offset = (start - anchor).days
    cycles = -((-offset) // CYCLE.days)  # ceiling division: first cycle on or after start
    nominal = anchor + cycles * CYCLE
    dates = []
    while nominal <= end:
        dates.append(previous_business_day_or_same(nominal))
        nominal += CYCLE
    return dates


def _generated_on_or_after(day: date) -> date:
    # A nominal date may move back up to a few days for holidays: look one cycle early.
    for candidate in cycle_dates(day - CYCLE, day + 2 * CYCLE):
        if candidate >= day:
            return candidate
    raise AssertionError("a payment date exists in every 14-day window")  # pragma: no cover


def _first_payment_on_or_after(day: date) -> date:
    """The stored calendar is the truth while it covers `day`; past its end, the generation rule answers."""
    dates = _stored_dates()
    index = bisect_left(dates, day)
    return dates[index] if index < len(dates) else _generated_on_or_after(day)


def _stored_dates() -> list[date]:
    """Every stored payment date, sorted (a few dozen a year), cached under a version that any change
    to the stored calendar bumps (calendrier.receivers, calendrier.services.generate_payment_dates): one
    query when the cache is cold, none after."""
    key = f"paycalendar:{_cache_version()}:dates"
    dates = cache.get(key)
    if dates is None:
        dates = list(PaymentDate.objects.order_by("date").values_list("date", flat=True))
        cache.set(key, dates, timeout=CACHE_SECONDS)
    return dates


CACHE_SECONDS = 6 * 3600
_VERSION_KEY = "paycalendar:version"


def _cache_version() -> str:
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = secrets.token_hex(4)
        cache.set(_VERSION_KEY, version, timeout=None)
    return version


def invalidate_cache() -> None:
    """Forget every cached answer: the stored calendar changed."""
    cache.set(_VERSION_KEY, secrets.token_hex(4), timeout=None)


def next_payment_date(moment: datetime | date) -> date:
    """The first payment date on or after the Québec date of `moment`."""
    return _first_payment_on_or_after(quebec_date(moment))


def effective_date(moment: datetime | date) -> date:
    """PAY-2: when a dated change recorded at `moment` takes effect (first payment date after its date)."""
    return _first_payment_on_or_after(quebec_date(moment) + timedelta(days=1))


def deposit_date(payment_date: date) -> date:
    """PAI-3: a transfer lands on the 3rd business day after the payment date."""
    return add_business_days(payment_date, DEPOSIT_BUSINESS_DAYS)


def cheque_window(payment_date: date) -> tuple[date, date]:
    """PAI-3: a cheque mailed on the payment date arrives 5 to 7 days later."""
    return payment_date + timedelta(days=CHEQUE_DAYS_MIN), payment_date + timedelta(days=CHEQUE_DAYS_MAX)


@dataclass(frozen=True)
class NextPayment:
    payment_date: date
    deposit_date: date
    cheque_from: date
    cheque_to: date


def next_payment(moment: datetime | date) -> NextPayment:
    """Everything the pages show about the next payment of `moment`."""
    payday = next_payment_date(moment)
    cheque_from, cheque_to = cheque_window(payday)
    return NextPayment(payday, deposit_date(payday), cheque_from, cheque_to)


# Bank details (PAI-4): the payment file of a payment date is prepared this many business days before
# it; a new bank account recorded later than that waits for the following payment ("up to 2 weeks").
BANK_CHANGE_LEAD_BUSINESS_DAYS = 3


def bank_change_effective_date(moment: datetime | date) -> date:
    """PAI-4: the first payment date that a new bank account recorded at `moment` will be paid into."""
    day = quebec_date(moment)
    candidate = _first_payment_on_or_after(day + timedelta(days=1))
    while _business_days_between(day, candidate) < BANK_CHANGE_LEAD_BUSINESS_DAYS:
        candidate = _first_payment_on_or_after(candidate + timedelta(days=1))
    return candidate


def _business_days_between(start: date, end: date) -> int:
    """Business days strictly after `start`, up to and including `end`'s eve."""
    return sum(1 for i in range(1, (end - start).days) if is_business_day(start + timedelta(days=i)))
