"""Time for the whole test process, never the wall clock.

The suite runs at one moment, `MON_DOSSIER_TEST_NOW` (ISO 8601; a naive value is Québec time), by
default `DEFAULT_MOMENT`. time-machine moves every clock of the process that reads the time of day
(`time.time`, `datetime.now`, `timezone.now`, ...), so the portal's clock, django-simple-history's
`history_date`, django-axes' lockouts, sessions and cache expiries all agree. Monotonic clocks are
left alone: timeouts, sleeps and the browser keep real time.

Each test starts at that moment with time flowing; `move_to(moment)` stops time at another moment
for the rest of the test (the `frozen_clock` fixture). A child process (a Celery worker, a producer)
starts at the parent's current moment through `python -m tests.travelled` and `child_env()`.
`scripts/date-matrix.sh` runs the date-sensitive tests under several such moments.
"""
from __future__ import annotations

import os
import time
from datetime import datetime

import time_machine

from ramq_portal.clock import QUEBEC

ENV = "MON_DOSSIER_TEST_NOW"
CHILD_ENV = "MON_DOSSIER_TRAVEL_TO"
DEFAULT_MOMENT = "2027-03-09T10:00:00"  # a Tuesday in Québec, outside any pay-calendar edge

_session: time_machine.travel | None = None
_traveller: time_machine.Traveller | None = None


def parse_moment(value: str) -> datetime:
    """An ISO 8601 moment; naive means Québec time (as a professional reads a date)."""
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=QUEBEC)
    return moment


def session_moment() -> datetime:
    """The moment every test starts at."""
    return parse_moment(os.environ.get(ENV) or DEFAULT_MOMENT)


def start_session() -> None:
    """Travel the whole process to the session's moment (idempotent)."""
    global _session, _traveller
    if _session is None:
        _session = time_machine.travel(session_moment().timestamp(), tick=True)
        _traveller = _session.start()


def stop_session() -> None:
    global _session, _traveller
    if _session is not None:
        _session.stop()
        _session = _traveller = None


def restart() -> None:
    """Back to the session's moment, time flowing: the start of every test."""
    _current().move_to(session_moment().timestamp(), tick=True)


def move_to(moment: datetime, *, tick: bool = False) -> None:
    """Stop (or, with tick, restart) the time of the whole process at an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("move time to an aware datetime (tests.factories.aware)")
    _current().move_to(moment.timestamp(), tick=tick)


def child_env() -> dict[str, str]:
    """Environment that makes `python -m tests.travelled ...` start at this process's moment."""
    return {CHILD_ENV: repr(time.time())}


def _current() -> time_machine.Traveller:
    if _traveller is None:
        raise RuntimeError("time travel starts with the test session (tests/conftest.py)")
    return _traveller
