"""Billing accounts and the pay calendar."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from comptes.constants import AccountKind, AgencyType
from dossier.models import PostalAddress, Professional


class PaymentDate(models.Model):
    """A date on which fees are paid (PAY-1): generated every 2 weeks, editable date by date by staff."""

    date = models.DateField(_("date de paiement"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("date de paiement")
        verbose_name_plural = _("calendrier de paiement")

    def __str__(self) -> str:
        return self.date.isoformat()


class BillingAccount(models.Model):
    """A billing account: the personal account (CPT-1), or an administrative one (CPT-2)."""

    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="billing_accounts")
    kind = models.CharField(_("type de compte"), max_length=30, choices=AccountKind.choices)
    number = models.CharField(_("numéro de compte"), max_length=12, unique=True)
    name = models.CharField(_("nom du compte"), max_length=200)
    opened_at = models.DateTimeField(_("ouvert le"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["professional", "kind", "number"]
        verbose_name = _("compte de facturation")
        verbose_name_plural = _("comptes de facturation")
        constraints = [
            models.UniqueConstraint(
                fields=["professional"], condition=models.Q(kind=AccountKind.PERSONAL), name="one_personal_account_per_professional"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.name}"

    @property
    def is_personal(self) -> bool:
        return self.kind == AccountKind.PERSONAL


class BillingAgency(PostalAddress):
    """A billing agency (reference data kept in the admin), identified by its transmission number."""

    transmission_number = models.CharField(_("numéro de transmission"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    agency_type = models.CharField(_("type d'agence"), max_length=3, choices=AgencyType.choices)
    owner = models.ForeignKey(
        Professional, verbose_name=_("professionnel propriétaire (DIS)"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="own_agencies",
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agence de facturation")
        verbose_name_plural = _("agences de facturation")
        indexes = [models.Index(fields=["postal_code"], name="agency_postal_code_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.transmission_number})"
