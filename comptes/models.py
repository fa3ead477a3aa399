"""Billing accounts, their payment and statement settings, mandataries and reference data."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from comptes.constants import AccountKind, AgencyType, MandataryRelation, PaymentMode, ReceptionMode, StatementOption
from dossier.models import DatedValue, PostalAddress, Professional, User
from ramq_portal.crypto import EncryptedCharField
from ramq_portal.filecache import EVERY_FILE, FileModel, FileQuerySet
from ramq_portal.records import IndexedHistoricalRecords


class BillingAccount(FileModel, models.Model):
    """A billing account: the personal account (CPT-1), or an administrative one (CPT-2)."""

    FILE_OWNERS = ("professional_id", "memberships__professional_id")  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="billing_accounts")
    kind = models.CharField(_("type de compte"), max_length=30, choices=AccountKind.choices)
    number = models.CharField(_("numéro de compte"), max_length=12, unique=True)
    name = models.CharField(_("nom du compte"), max_length=200)
    opened_at = models.DateTimeField(_("ouvert le"))
    # Collective accounts (CPT-2): the group's number and its members besides the holder.
    group_number = models.CharField(_("numéro de regroupement"), max_length=12, blank=True)
    members = models.ManyToManyField(Professional, through="AccountMembership", related_name="collective_accounts", blank=True)
    closed_at = models.DateTimeField(_("fermé le"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = IndexedHistoricalRecords(owner="professional")

    class Meta:
        ordering = ["professional", "kind", "number"]
        verbose_name = _("compte de facturation")
        verbose_name_plural = _("comptes de facturation")
        constraints = [
            models.UniqueConstraint(
                fields=["professional"], condition=models.Q(kind=AccountKind.PERSONAL), name="one_personal_account_per_professional"
            ),
            # CPT-1: the personal account can never be closed.
            models.CheckConstraint(
                condition=~models.Q(kind=AccountKind.PERSONAL) | models.Q(closed_at__isnull=True), name="personal_account_never_closed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.name}"

    @property
    def is_personal(self) -> bool:
        return self.kind == AccountKind.PERSONAL


class FinancialInstitution(FileModel, models.Model):
    """A Canadian financial institution (reference data kept in the admin)."""

    # Reference data: listed on the payment forms of every file (ramq_portal.filecache).
    FILE_OWNERS = (EVERY_FILE,)
    objects = FileQuerySet.as_manager()

    number = models.CharField(_("numéro d'institution"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("institution financière")
        verbose_name_plural = _("institutions financières")
        constraints = [models.CheckConstraint(condition=models.Q(number__regex=r"^[0-9]{3}$"), name="institution_3_digits")]

    def __str__(self) -> str:
        return f"{self.number} — {self.name}"


class SoftwareDeveloper(FileModel, models.Model):
    """A software developer recognised for billing (reference data kept in the admin)."""

    # Reference data: shown on the statement pages of every file that uses it (ramq_portal.filecache).
    FILE_OWNERS = (EVERY_FILE,)
    objects = FileQuerySet.as_manager()

    number = models.CharField(_("numéro de développeur"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    is_active = models.BooleanField(_("actif"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("développeur de logiciels")
        verbose_name_plural = _("développeurs de logiciels")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class BillingAgency(FileModel, PostalAddress):
    """A billing agency (reference data kept in the admin), identified by its transmission number."""

    # Reference data: shown on the pages of every file whose accounts use it (ramq_portal.filecache).
    FILE_OWNERS = (EVERY_FILE,)
    objects = FileQuerySet.as_manager()

    transmission_number = models.CharField(_("numéro de transmission"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    agency_type = models.CharField(_("type d'agence"), max_length=3, choices=AgencyType.choices)
    owner = models.ForeignKey(
        Professional, verbose_name=_("professionnel propriétaire (DIS)"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="own_agencies",
    )
    is_active = models.BooleanField(_("active"), default=True)
    developer = models.ForeignKey(
        SoftwareDeveloper, verbose_name=_("développeur (facturation autonome)"), null=True, blank=True, on_delete=models.PROTECT
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agence de facturation")
        verbose_name_plural = _("agences de facturation")
        indexes = [models.Index(fields=["postal_code"], name="agency_postal_code_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.transmission_number})"


class AccountMembership(FileModel, models.Model):
    """A professional's membership in a collective account (CPT-2)."""

    FILE_OWNERS = ("professional_id", "account__professional_id")  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="memberships")
    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(_("membre depuis"))

    history = IndexedHistoricalRecords(owner="professional")

    class Meta:
        verbose_name = _("membre d'un compte collectif")
        verbose_name_plural = _("membres de comptes collectifs")
        constraints = [models.UniqueConstraint(fields=["account", "professional"], name="one_membership_per_account")]


class PaymentSettings(FileModel, DatedValue):
    """*Coordonnées de paiement* of an account (PAI-1..5): dated, since a new bank account takes effect at
    the next payment (PAI-4). The account number is encrypted at rest and shown masked, from its last 3
    digits kept in clear beside it (written with it by comptes.accounts.change_payment): pages and the
    admin load the rows without the number (`.defer("bank_account")`), so that showing an account
    decrypts nothing; only the service comparing bank details and the recorded viewing
    (dossier.disclosure) read it."""

    FILE_OWNERS = ("account__professional_id", "account__memberships__professional_id")  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="payment_settings")
    mode = models.CharField(_("mode de paiement"), max_length=10, choices=PaymentMode.choices, default=PaymentMode.CHEQUE)
    institution = models.ForeignKey(FinancialInstitution, verbose_name=_("institution financière"), null=True, blank=True, on_delete=models.PROTECT)
    transit = models.CharField(_("numéro de succursale (transit)"), max_length=5, blank=True)
    bank_account = EncryptedCharField(_("numéro de compte bancaire"), blank=True)
    bank_account_last3 = models.CharField(max_length=3, blank=True, editable=False)
    personal_account_confirmed = models.BooleanField(_("compte personnel, à mon nom"), default=False)

    history = IndexedHistoricalRecords()

    class Meta:
        verbose_name = _("coordonnées de paiement")
        verbose_name_plural = _("coordonnées de paiement")
        ordering = ["account", "effective_from", "recorded_at"]
        indexes = [models.Index(fields=["account", "effective_from"], name="payset_account_eff_idx")]
        constraints = [
            # The last 3 digits are what every page, the admin and the deposit notices show, so that a
            # display never decrypts the number: they are there exactly when the number is.
            models.CheckConstraint(
                condition=(models.Q(bank_account="") & models.Q(bank_account_last3=""))
                | (~models.Q(bank_account="") & models.Q(bank_account_last3__regex=r"^[0-9]{3}$")),
                name="bank_account_last3_with_bank_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.masked_account}".strip()

    @property
    def masked_account(self) -> str:
        return f"•••{self.bank_account_last3}" if self.bank_account_last3 else ""


class StatementSettings(FileModel, PostalAddress):
    """*Coordonnées d'état de compte* of an account (ETC-2..5): immediate (ETC-6). The statement address
    is always required (ETC-5)."""

    FILE_OWNERS = ("account__professional_id", "account__memberships__professional_id")  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    account = models.OneToOneField(BillingAccount, on_delete=models.CASCADE, related_name="statement_settings")
    option = models.CharField(_("accréditation"), max_length=12, choices=StatementOption.choices, default=StatementOption.NONE)
    agency = models.ForeignKey(BillingAgency, verbose_name=_("agence"), null=True, blank=True, on_delete=models.PROTECT)
    reception_mode = models.CharField(_("mode de réception"), max_length=20, choices=ReceptionMode.choices, blank=True)
    mandate_accepted = models.BooleanField(_("mandat accepté (ATD)"), default=False)
    # ETC-5: the professional asked for the statement by post as well.
    paper_requested = models.BooleanField(_("état de compte papier demandé"), default=False)
    updated_at = models.DateTimeField(_("modifié le"))

    history = IndexedHistoricalRecords()

    class Meta:
        verbose_name = _("coordonnées d'état de compte")
        verbose_name_plural = _("coordonnées d'état de compte")

    def __str__(self) -> str:
        return str(self.account)


class AccountAddress(FileModel, PostalAddress, DatedValue):
    """STF-7: the correspondence address of an administrative account, dated like the file's (PRO-5) and
    distinct from the statement address (ETC-5). The personal account has none: its letters go to the
    file's correspondence address. Changed by staff only, on form 3102 or a collective account's letter
    (CPT-3); the letter states the date of the change."""

    FILE_OWNERS = ("account__professional_id", "account__memberships__professional_id")  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="correspondence_addresses")

    history = IndexedHistoricalRecords()

    class Meta:
        verbose_name = _("adresse de correspondance du compte")
        verbose_name_plural = _("adresses de correspondance des comptes")
        ordering = ["account", "-effective_from", "-recorded_at"]
        indexes = [
            models.Index(fields=["account", "effective_from"], name="acctaddr_account_eff_idx"),
            models.Index(fields=["effective_from"], name="acctaddr_due_idx", condition=models.Q(in_force_recorded_at__isnull=True)),
        ]
        constraints = [PostalAddress.canadian_constraint("account_address_canadian_has_province_and_postal_code")]

    def __str__(self) -> str:
        return ", ".join(self.lines())


class Mandatary(FileModel, models.Model):
    """MAN-1: a person mandated to sign invoices for an account (form 3005, recorded by staff). An agency
    is never a mandatary; its employees may be, named one by one."""

    FILE_OWNERS = ("account__professional_id", "account__memberships__professional_id")  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="mandataries")
    first_name = models.CharField(_("prénom"), max_length=120)
    last_name = models.CharField(_("nom"), max_length=120)
    relation = models.CharField(_("lien"), max_length=20, choices=MandataryRelation.choices)
    agency = models.ForeignKey(BillingAgency, verbose_name=_("agence employeuse"), null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(_("inscrit le"))
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(_("fin du mandat"), null=True, blank=True)

    history = IndexedHistoricalRecords()

    class Meta:
        ordering = ["account", "last_name", "first_name"]
        verbose_name = _("mandataire")
        verbose_name_plural = _("mandataires")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(relation="employe_agence") | models.Q(agency__isnull=False), name="agency_employee_names_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
