"""Dated values (PRO-5, PRF-3, BEY-1): a value in force from an effective date.

The database is the truth: the value in force on D is the latest non-cancelled row with
effective_from <= D, so reads are right even if no task ran on the effective date. Rows after today
are pending changes; a new change replaces the pending one of the same slot; the professional may
cancel a pending change until it takes effect.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, Iterable, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_noop

from ramq_portal import clock

Row = TypeVar("Row", bound=models.Model)

IN_FORCE_REASON = gettext_noop("Entrée en vigueur")


@dataclass(frozen=True)
class InForce(Generic[Row]):
    in_force: Row | None
    pending: Row | None


def split(rows: Iterable[Row], day: date) -> InForce[Row]:
    """The row in force on `day` and the pending one, from the rows of one slot (any order)."""
    in_force = pending = None
    for row in sorted(rows, key=lambda r: (r.effective_from, r.recorded_at)):
        if row.cancelled_at is not None:
            continue
        if row.effective_from <= day:
            in_force = row
        else:
            pending = row
    return InForce(in_force=in_force, pending=pending)


def cancel_pending(queryset: models.QuerySet, *, today: date, moment: datetime, by) -> int:
    """Cancel the pending rows of `queryset` (effective after today). Caller holds the transaction."""
    count = 0
    for row in queryset.filter(effective_from__gt=today, cancelled_at__isnull=True):
        row.cancelled_at = moment
        row._history_user = by
        row._change_reason = gettext_noop("Changement en attente annulé")
        row.save(update_fields=["cancelled_at"])
        count += 1
    return count


def record(row: Row, *, today: date, moment: datetime, by, reason: str) -> Row:
    """Save a new dated row. A row in force at once is marked as recorded in force right away."""
    row.recorded_at = moment
    if row.effective_from <= today:
        row.in_force_recorded_at = moment
    row._history_user = by
    row._change_reason = reason
    row.save()
    return row


# The dated models whose rows' coming into force the daily task records in the history (as done by the
# system): the file's own, and those an app above registers from its AppConfig.ready (the accounts').
IN_FORCE_MODELS: list[type[models.Model]] = []


def comes_into_force(model: type[models.Model]) -> type[models.Model]:
    """Have the daily task record the coming into force of this dated model's rows."""
    if model not in IN_FORCE_MODELS:
        IN_FORCE_MODELS.append(model)
    return model


def bring_into_force(model: type[models.Model], *, batch_size: int = 500) -> int:
    """Record in the history, as done by the system, every row whose effective date has come.

    Safe when run twice, late, or concurrently: each row is claimed under a row lock (skipped by a
    concurrent run) and only while `in_force_recorded_at` is still empty.
    """
    moment = clock.now()
    today = moment.date()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update(skip_locked=True)
                .filter(in_force_recorded_at__isnull=True, cancelled_at__isnull=True, effective_from__lte=today)
                .order_by("pk")[:batch_size]
            )
            for row in rows:
                row.in_force_recorded_at = moment
                row._history_user = None
                row._change_reason = IN_FORCE_REASON
                row.save(update_fields=["in_force_recorded_at"])
        total += len(rows)
        if len(rows) < batch_size:
            return total
