"""The pay calendar's stored dates (PAY-1)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ramq_portal import writing
from ramq_portal.filecache import EVERY_FILE, FileModel, FileQuerySet


class PaymentDate(FileModel, models.Model):
    """A date on which fees are paid (PAY-1): generated every 2 weeks, editable date by date by staff."""

    # The pay calendar: every file's pages give effective dates from it (ramq_portal.filecache).
    FILE_OWNERS = (EVERY_FILE,)
    objects = FileQuerySet.as_manager()

    date = models.DateField(_("date de paiement"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    # The tables keep the names they had when the calendar belonged to `comptes` (moved in
    # calendrier/migrations/0001 without touching the database).
    history = HistoricalRecords(table_name="comptes_historicalpaymentdate")

    class Meta:
        db_table = "comptes_paymentdate"
        ordering = ["date"]
        verbose_name = _("date de paiement")
        verbose_name_plural = _("calendrier de paiement")

    def __str__(self) -> str:
        return writing.long_date(self.date)
