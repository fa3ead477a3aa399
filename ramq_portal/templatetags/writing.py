"""The filters that write dates and amounts the portal's way (ramq_portal/writing.py), built into every
template (settings.TEMPLATES' `builtins`): `{{ day|long_date }}`, `{{ day|long_date:"weekday" }}`,
`{{ day|day_month }}`, `{{ moment|long_datetime }}`, `{{ value|amount }}`, `{% if name|elides %}`."""
from __future__ import annotations

from django import template

from ramq_portal import writing

register = template.Library()


@register.filter
def long_date(value, option: str = "") -> str:
    if value in (None, ""):
        return ""
    return writing.long_date(value, weekday=option == "weekday")


@register.filter
def day_month(value) -> str:
    return "" if value in (None, "") else writing.day_month(value)


@register.filter
def long_datetime(value) -> str:
    return "" if value in (None, "") else writing.long_datetime(value)


@register.filter
def amount(value) -> str:
    return "" if value in (None, "") else writing.amount(value)


@register.filter
def elides(value) -> bool:
    """`{% if name|elides %}`: whether a French "de" before it is written "d'" (writing.elides)."""
    return writing.elides(str(value or ""))
