"""The professional's file (DOS-1) and its coordinates.

Values that change on an effective date (the correspondence address) are rows with an
`effective_from` date: the one in force on D is the latest with effective_from <= D; rows after
today are pending changes (see dossier.selectors).
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from localflavor.ca.models import CAPostalCodeField, CAProvinceField
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from ramq_portal import writing
from ramq_portal.crypto import EncryptedCharField
from ramq_portal.records import IndexedHistoricalRecords

from dossier.constants import (
    Channel,
    CorrespondenceKind,
    Language,
    ParticipationStatus,
    RequestStatus,
    RemunerationMode,
    TelephoneKind,
    TokenPurpose,
    TokenState,
)
from dossier import kinds
from dossier.addresses import envelope_lines
from dossier.indexes import PrefixSearchIndex
from ramq_portal.filecache import EVERY_FILE, STAFF_QUEUE, FileModel, FileQuerySet


class User(AbstractUser):
    """A person who signs in: a professional (linked from Professional.user) or a staff member."""

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")


class Profession(FileModel, models.Model):
    """A profession the board pays (data, so that more can come without code)."""

    # Reference data: its name is on every file of the profession (ramq_portal.filecache).
    FILE_OWNERS = (EVERY_FILE,)
    objects = FileQuerySet.as_manager()

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_en = models.CharField(_("nom (anglais)"), max_length=120)
    number_digit = models.CharField(
        _("chiffre de profession"),
        max_length=1,
        help_text=_("Premier chiffre du numéro de professionnel des membres de cette profession."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("profession")
        verbose_name_plural = _("professions")
        constraints = [
            models.CheckConstraint(condition=models.Q(number_digit__regex=r"^[0-9]$"), name="profession_digit_is_digit"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr


class Professional(FileModel, models.Model):
    """The professional's file (DOS-1)."""

    FILE_OWNERS = ("pk", STAFF_QUEUE)  # the files this row shows on, and the staff's queue (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    user = models.OneToOneField(
        User, verbose_name=_("utilisateur"), null=True, blank=True, on_delete=models.PROTECT, related_name="professional"
    )
    profession = models.ForeignKey(Profession, verbose_name=_("profession"), on_delete=models.PROTECT)
    professional_number = models.CharField(_("numéro de professionnel"), max_length=7, unique=True)
    licence_number = models.CharField(_("numéro de permis"), max_length=5)
    last_name = models.CharField(_("nom"), max_length=120)
    first_name = models.CharField(_("prénom"), max_length=120)
    birth_date = models.DateField(_("date de naissance"))
    participation_status = models.CharField(
        _("statut de participation"), max_length=20, choices=ParticipationStatus.choices, default=ParticipationStatus.PARTICIPANT
    )
    # INS-7, form 1378: a change of participation takes effect 30 days after the notice; until then it
    # is pending here and the daily task applies it.
    pending_participation_status = models.CharField(
        _("statut de participation à venir"), max_length=20, choices=ParticipationStatus.choices, blank=True, editable=False
    )
    pending_participation_from = models.DateField(_("en vigueur le"), null=True, blank=True, editable=False)
    remuneration_mode = models.CharField(
        _("mode de rémunération"), max_length=20, choices=RemunerationMode.choices, default=RemunerationMode.FEE_FOR_SERVICE
    )
    language = models.CharField(_("langue de correspondance"), max_length=2, choices=Language.choices, default=Language.FRENCH)
    # Only a hash of the single-use reference number is kept (DOS-2).
    reference_number_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    reference_number_issued_at = models.DateTimeField(_("numéro de référence émis le"), null=True, blank=True, editable=False)
    reference_number_used_at = models.DateTimeField(_("numéro de référence utilisé le"), null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(_("dossier ouvert le"), editable=False)
    # INS-3 step 1: the commitment to practise under the Health Insurance Act, immediate and dated.
    engagement_confirmed_at = models.DateTimeField(_("engagement confirmé le"), null=True, blank=True, editable=False)
    # BEY-8: staff flagged the correspondence address as returned by the post; the professional must
    # confirm or correct the coordinates at the next sign-in.
    returned_mail_at = models.DateTimeField(_("courrier retourné signalé le"), null=True, blank=True, editable=False)
    # ETC-5: a statement addressed to the estate of a deceased professional is always posted.
    deceased_on = models.DateField(_("date du décès"), null=True, blank=True)
    # INS-5: the registration wizard was completed; billing is possible only from then on.
    registered_at = models.DateTimeField(_("inscription à la RAMQ terminée le"), null=True, blank=True, editable=False)
    # Social insurance number (NAS): asked only for fixed-fee remuneration (INS-3); encrypted at rest,
    # shown masked (last 3 digits).
    sin = EncryptedCharField(_("numéro d'assurance sociale"), blank=True)
    sin_last3 = models.CharField(max_length=3, blank=True, editable=False)
    # Email (EML-1..6): one address on file; only an activated one receives notifications (EML-5).
    email = models.EmailField(_("courriel"), blank=True)
    email_activated_at = models.DateTimeField(_("courriel activé le"), null=True, blank=True, editable=False)
    newsletter_opt_out = models.BooleanField(_("ne pas recevoir l'infolettre"), default=False)
    # Cell (CEL-1, CEL-2): unconfirmed until the texted code is typed back.
    cell_number = PhoneNumberField(_("cellulaire"), blank=True)
    cell_confirmed_at = models.DateTimeField(_("cellulaire confirmé le"), null=True, blank=True, editable=False)
    # Optimistic locking, one version per editable section: a stale save is refused, never merged.
    correspondence_version = models.PositiveIntegerField(default=1, editable=False)
    practice_version = models.PositiveIntegerField(default=1, editable=False)
    preferences_version = models.PositiveIntegerField(default=1, editable=False)

    history = IndexedHistoricalRecords(
        excluded_fields=["reference_number_hash", "correspondence_version", "practice_version", "preferences_version"]
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("dossier de professionnel")
        verbose_name_plural = _("dossiers de professionnels")
        permissions = [
            ("reissue_reference_number", _("Peut émettre un nouveau numéro de référence")),
            ("view_unmasked_personal_data", _("Peut voir les NAS et numéros de compte bancaire non masqués")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["profession", "licence_number"], name="unique_licence_per_profession"),
            models.CheckConstraint(condition=models.Q(professional_number__regex=r"^[0-9]{7}$"), name="professional_number_7_digits"),
            models.CheckConstraint(condition=models.Q(licence_number__regex=r"^[0-9]{5}$"), name="licence_number_5_digits"),
        ]
        indexes = [
            models.Index(fields=["reference_number_hash"], name="professional_refhash_idx"),
            # The request queue's searches (STF-1): `=professional_number` is iexact, UPPER(number) = UPPER(term),
            # and `^last_name` istartswith, UPPER(last_name) LIKE 'TERM%'; one search ORs both.
            models.Index(Upper("professional_number"), name="professional_pn_upper_idx"),
            PrefixSearchIndex(Upper("last_name"), name="professional_name_prefix_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.professional_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_sin(self) -> str:
        return f"••• ••• {self.sin_last3}" if self.sin_last3 else ""

    @property
    def has_activated_email(self) -> bool:
        """EML-5: the only condition under which an email notification may be sent."""
        return bool(self.email) and self.email_activated_at is not None

    @property
    def has_confirmed_cell(self) -> bool:
        return bool(self.cell_number) and self.cell_confirmed_at is not None

    @property
    def is_registered(self) -> bool:
        """INS-5: the registration wizard is complete (billing features open)."""
        return self.registered_at is not None

    @property
    def is_enrolled(self) -> bool:
        """Enrolled in the online services (INS-2): has chosen a username and password."""
        return self.user_id is not None


class PostalAddress(models.Model):
    """A postal address: Canadian by default (province and postal code validated), or abroad (PRO-7)."""

    line1 = models.CharField(_("adresse"), max_length=200)
    line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    city = models.CharField(_("ville"), max_length=100)
    province = CAProvinceField(_("province"), blank=True)
    postal_code = CAPostalCodeField(_("code postal"), blank=True)
    region = models.CharField(_("état, région ou code postal étranger"), max_length=100, blank=True)
    country = CountryField(_("pays"), default="CA")

    class Meta:
        abstract = True

    @property
    def is_canadian(self) -> bool:
        return self.country == "CA"

    def lines(self) -> list[str]:
        """The address as printed on an envelope, line by line."""
        return envelope_lines(self)

    @staticmethod
    def canadian_constraint(name: str) -> models.CheckConstraint:
        """PRO-7 in the database: a Canadian address has a province and a postal code."""
        return models.CheckConstraint(condition=~models.Q(country="CA") | (~models.Q(province="") & ~models.Q(postal_code="")), name=name)


class DatedValue(models.Model):
    """A value in force from `effective_from` (see dossier.dated).

    Rows with effective_from after today are pending changes; a cancelled row never takes effect.
    `in_force_recorded_at` is set by the daily task when the row's coming into force is recorded in
    the history; reads never depend on it.
    """

    effective_from = models.DateField(_("en vigueur le"))
    recorded_at = models.DateTimeField(_("enregistré le"))
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    in_force_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class CorrespondenceAddress(FileModel, PostalAddress, DatedValue):
    """A dated correspondence address (PRO-5): in force from `effective_from`."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="correspondence_addresses")
    declared_agency_address = models.BooleanField(_("adresse d'une agence de facturation"), default=False)

    history = IndexedHistoricalRecords(owner="professional")

    class Meta:
        verbose_name = _("adresse de correspondance")
        verbose_name_plural = _("adresses de correspondance")
        ordering = ["professional", "-effective_from", "-recorded_at"]
        indexes = [
            models.Index(fields=["professional", "effective_from"], name="corraddr_prof_eff_idx"),
            models.Index(fields=["effective_from"], name="corraddr_due_idx", condition=models.Q(in_force_recorded_at__isnull=True)),
        ]
        constraints = [PostalAddress.canadian_constraint("canadian_address_has_province_and_postal_code")]

    def __str__(self) -> str:
        return ", ".join(self.lines())


class Telephone(FileModel, models.Model):
    """A correspondence telephone number (PRO-1). A change takes effect at once (PRO-4)."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="telephones")
    kind = models.CharField(_("type"), max_length=10, choices=TelephoneKind.choices, default=TelephoneKind.OFFICE)
    number = PhoneNumberField(_("numéro de téléphone"))
    extension = models.CharField(_("poste"), max_length=10, blank=True)

    history = IndexedHistoricalRecords(owner="professional")

    class Meta:
        verbose_name = _("téléphone")
        verbose_name_plural = _("téléphones")
        ordering = ["professional", "id"]

    def __str__(self) -> str:
        return str(self.number)


class PlaceOfPractice(FileModel, PostalAddress):
    """A place of practice: public coordinates (PRO-2)."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="places_of_practice")
    name = models.CharField(_("nom du lieu"), max_length=200)
    main_telephone = PhoneNumberField(_("téléphone principal"))
    is_main = models.BooleanField(_("lieu de pratique principal"), default=False)

    history = IndexedHistoricalRecords(owner="professional")

    class Meta:
        verbose_name = _("lieu de pratique")
        verbose_name_plural = _("lieux de pratique")
        ordering = ["professional", "-is_main", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["professional"], condition=models.Q(is_main=True), name="one_main_place_per_professional"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CorrespondencePreference(FileModel, DatedValue):
    """PRF-1..3: how one kind of correspondence is sent, in force from `effective_from`."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="preferences")
    kind = models.CharField(_("type de correspondance"), max_length=20, choices=CorrespondenceKind.choices)
    channel = models.CharField(_("moyen de correspondance"), max_length=12, choices=Channel.choices)

    history = IndexedHistoricalRecords(owner="professional")

    class Meta:
        verbose_name = _("préférence de correspondance")
        verbose_name_plural = _("préférences de correspondance")
        ordering = ["professional", "kind", "effective_from", "recorded_at"]
        indexes = [
            models.Index(fields=["professional", "kind", "effective_from"], name="pref_prof_kind_eff_idx"),
            models.Index(fields=["effective_from"], name="pref_due_idx", condition=models.Q(in_force_recorded_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return writing.labelled(self.get_kind_display(), self.get_channel_display())


class VerificationToken(FileModel, models.Model):
    """An email validation link or a cell code (dossier.tokens): expiry, single use, superseded by a
    newer one, attempts counted. Email links are an HMAC of the row (nothing secret stored); cell codes
    are random and stored only as an HMAC."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="verification_tokens")
    purpose = models.CharField(max_length=12, choices=TokenPurpose.choices)
    target = models.CharField(_("adresse ou numéro vérifié"), max_length=254)
    code_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=TokenState.choices, default=TokenState.ACTIVE)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeton de vérification")
        verbose_name_plural = _("jetons de vérification")
        constraints = [
            models.UniqueConstraint(
                fields=["professional", "purpose"], condition=models.Q(state="actif"), name="one_active_token_per_purpose"
            ),
        ]
        indexes = [
            models.Index(fields=["purpose", "expires_at"], name="token_active_idx", condition=models.Q(state="actif")),
            # The limits of dossier.tokens: per file, and per destination.
            models.Index(fields=["professional", "purpose", "created_at"], name="token_file_recent_idx"),
            models.Index(Upper("target"), "purpose", "created_at", name="token_target_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"


class Disclosure(FileModel, models.Model):
    """STF-3: a supervisor saw a personal number unmasked (a SIN, a bank account number; permission
    dossier.view_unmasked_personal_data). Agents never can; each viewing is recorded here, read-only."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    class What(models.TextChoices):
        SIN = "nas", _("Numéro d'assurance sociale")
        BANK_ACCOUNT = "compte_bancaire", _("Numéro de compte bancaire")

    user = models.ForeignKey(User, verbose_name=_("vu par"), on_delete=models.PROTECT, related_name="+")
    professional = models.ForeignKey(Professional, verbose_name=_("professionnel"), on_delete=models.PROTECT, related_name="disclosures")
    what = models.CharField(_("donnée"), max_length=20, choices=What.choices)
    detail = models.CharField(_("précision"), max_length=100, blank=True)
    seen_at = models.DateTimeField(_("vu le"))

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("consultation de donnée personnelle")
        verbose_name_plural = _("consultations de données personnelles")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_what_display()} — {self.professional}"


class SecurityReport(FileModel, models.Model):
    """A professional's report that a change to their file was not made by them (BEY-3), for staff."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="security_reports")
    details = models.CharField(_("détails"), max_length=300)
    reported_at = models.DateTimeField(_("signalé le"))
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    # BEY-3: the emailed link a report came from (a digest of it), so that each link reports once.
    link_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")

    def __str__(self) -> str:
        return f"{self.professional} — {self.details}"


class Request(FileModel, models.Model):
    """Everything staff review (STF-1): one model, the form-specific part in `payload`."""

    FILE_OWNERS = ("professional_id", STAFF_QUEUE)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    kind = models.CharField(_("type de demande"), max_length=20, choices=kinds.choices)
    professional = models.ForeignKey(Professional, verbose_name=_("professionnel"), on_delete=models.PROTECT, related_name="requests")
    payload = models.JSONField(_("contenu"), default=dict, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    received_at = models.DateTimeField(_("reçue le"))
    due_date = models.DateField(_("échéance"))
    agent = models.ForeignKey(User, verbose_name=_("agent"), null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_requests")
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    # BEY-7, four eyes: who prepared the acceptance of a request that needs a second person, and who decided.
    prepared_by = models.ForeignKey(User, verbose_name=_("acceptation préparée par"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    prepared_at = models.DateTimeField(_("préparée le"), null=True, blank=True)
    decided_by = models.ForeignKey(User, verbose_name=_("décidée par"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # What a paper form holds that must be protected at rest (a bank account number): encrypted, kept out
    # of the history, and erased once the request is decided.
    sensitive = EncryptedCharField(blank=True, editable=False)
    # What the decision did, kept as it was then: the before/after difference (BEY-7) and what the
    # notice told (a new account's number...).
    outcome = models.JSONField(_("résultat de la décision"), default=dict, blank=True, editable=False)
    # What makes two requests "the same" (dossier.requests.submit's `identity`), as a digest: at most one
    # such request is open at a time, whatever the timing (one_identical_open_request).
    fingerprint = models.CharField(max_length=64, null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["sensitive"])

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        permissions = [("approve_request", _("Peut approuver un changement de coordonnées bancaires (quatre yeux)"))]
        indexes = [
            models.Index(fields=["status", "due_date"], name="request_status_due_idx"),
            models.Index(fields=["professional", "kind"], name="request_prof_kind_idx"),
            # The queue's order (-received_at, then -pk as the admin adds): its first page reads 50 index entries.
            models.Index(fields=["received_at", "id"], name="request_received_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["professional", "fingerprint"], name="one_identical_open_request",
                condition=models.Q(status__in=["recue", "en_cours"], fingerprint__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{kinds.of(self.kind).label} — {self.professional}"
