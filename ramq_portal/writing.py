"""How the portal writes dates, amounts and "label: value" in a sentence, in the active language
(issue 15). Every page, letter, email, text message and admin screen goes through these functions (the
templates through the filters of `ramq_portal.templatetags.writing`, built into every template).

French as the Office québécois de la langue française writes it: "1er septembre 2026" (the first day
of a month is an ordinal), "1 369,68 $" (a non-breaking space between thousands and before the
dollar sign, a decimal comma), a non-breaking space before a colon. English: "September 1, 2026",
"$1,369.68", no space before a colon.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import get_language, pgettext

from ramq_portal import clock

NBSP = "\u00a0"
CENT = Decimal("0.01")
# A French "de" becomes "d'" before these (a profession, a name): "dossier d'optométriste".
_ELIDING = frozenset("aàâäeéèêëiîïoôöuùûüyÿæœ")


def is_french(language: str | None = None) -> bool:
    """Whether `language` (by default the active one) is French."""
    return (language or get_language() or settings.LANGUAGE_CODE).startswith("fr")


def _day(day: date) -> str:
    return "1er" if day.day == 1 and is_french() else str(day.day)


def day_month(day: date | datetime) -> str:
    """"1er septembre" / "September 1": a day of the month named without its year."""
    day = clock.quebec_date(day)
    month = str(MONTHS[day.month])
    return f"{_day(day)} {month}" if is_french() else f"{month} {day.day}"


def long_date(day: date | datetime, *, weekday: bool = False) -> str:
    """A date as the portal writes it in a sentence: "1er septembre 2026" / "September 1, 2026"; with
    `weekday`, "mardi 1er septembre 2026" / "Tuesday, September 1, 2026". A moment is dated in Québec."""
    day = clock.quebec_date(day)
    text = f"{day_month(day)} {day.year}" if is_french() else f"{day_month(day)}, {day.year}"
    if weekday:
        name = str(WEEKDAYS[day.weekday()])
        text = f"{name} {text}" if is_french() else f"{name}, {text}"
    return text


def long_datetime(moment: datetime) -> str:
    """A moment in Québec time: "1er septembre 2026, 14:05" / "September 1, 2026, 14:05"."""
    moment = moment.astimezone(clock.QUEBEC)
    return f"{long_date(moment)}, {moment:%H:%M}"


def amount(value, *, language: str | None = None) -> str:
    """An amount of dollars: "1 369,68 $" / "$1,369.68" (negative: "-1 369,68 $" / "-$1,369.68"), in
    `language` (by default the active one)."""
    value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(value):,.2f}".split(".")
    if is_french(language):
        return f"{sign}{units.replace(',', NBSP)},{cents}{NBSP}$"
    return f"{sign}${units}.{cents}"


def separator() -> str:
    """The one translatable "label: value" separator: a non-breaking space before the colon in French."""
    return pgettext("label-value separator", " : ")  # the character itself: makemessages does not read the \u00a0 escape


def labelled(label, value) -> str:
    """"label : value" (French) / "label: value" (English)."""
    return f"{label}{separator()}{value}"


def elides(word: str) -> bool:
    """Whether a French "de" (or "le", "que") before `word` becomes "d'": a vowel or a y (h is left
    alone: many names and words begin with an aspirated h)."""
    return bool(word) and word[0].lower() in _ELIDING
