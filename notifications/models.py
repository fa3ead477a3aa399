"""Outgoing emails and text messages: one row per message, claimed by the sending task.

A row is written in the transaction of the change that causes it (rolled back with it) and the
sending task is enqueued on commit (NOT-5). The task claims the row with a conditional UPDATE, so a
task that runs twice sends once; failures are retried with backoff and end as 'failed', visible to
staff in the admin. Rows hold ids, never a secret: links are rebuilt and codes travel in the task.
"""
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dossier.models import Professional
from ramq_portal import writing
from ramq_portal.filecache import FileModel, FileQuerySet


class OutboundChannel(models.TextChoices):
    EMAIL = "courriel", _("Courriel")
    SMS = "sms", _("Message texte")


class OutboundStatus(models.TextChoices):
    QUEUED = "en_file", _("En file d'attente")
    SENDING = "envoi", _("Envoi en cours")
    SENT = "envoye", _("Envoyé")
    CANCELLED = "annule", _("Annulé (devenu inutile)")
    FAILED = "echec", _("Échec")


class OutboundMessage(FileModel, models.Model):
    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, null=True, blank=True, on_delete=models.CASCADE, related_name="outbound_messages")
    channel = models.CharField(_("canal"), max_length=10, choices=OutboundChannel.choices)
    template = models.CharField(_("gabarit"), max_length=60)
    to = models.CharField(_("destinataire"), max_length=254)
    context = models.JSONField(_("contexte"), default=dict, blank=True)
    language = models.CharField(_("langue"), max_length=2, default="fr")
    status = models.CharField(_("état"), max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("créé le"))
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    # Delivery bookkeeping (see notifications.outbox): when a worker took the message, and when the next
    # attempt is due. A queued message long past its attempt, or one taken by a worker that died, is
    # handed to a worker again by the recovery sweep.
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message sortant")
        verbose_name_plural = _("messages sortants")
        permissions = [("resend_outboundmessage", _("Peut envoyer de nouveau un message en échec"))]
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbound_status_idx"),
            models.Index(fields=["next_attempt_at"], name="outbound_unsent_idx",
                         condition=models.Q(status__in=["en_file", "envoi"])),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} #{self.pk}"


class SecureMessage(FileModel, models.Model):
    """A message in the professional's *Messagerie sécurisée* (NOT-2)."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="secure_messages")
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("reçu le"))
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    # NOT-3: a message that brought its own email (a security notice) needs no "new message" notice;
    # the others are announced by the periodic sweep, which records when it handled them.
    notice_due = models.BooleanField(default=True, editable=False)
    notice_handled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Conversations with the Régie: the request that began the thread (a message the professional wrote,
    # or a request whose decision is announced here). A message the professional writes is also one
    # request in the staff queue (`request`, whose status the sent folder shows); a reply names its agent.
    thread = models.ForeignKey("dossier.Request", verbose_name=_("conversation"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="thread_messages")
    request = models.OneToOneField("dossier.Request", verbose_name=_("demande"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="sent_message")
    from_professional = models.BooleanField(_("écrit par le professionnel"), default=False, editable=False)
    author = models.ForeignKey("dossier.User", verbose_name=_("écrit par"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message sécurisé")
        verbose_name_plural = _("messages sécurisés")
        indexes = [
            models.Index(fields=["professional", "from_professional", "-created_at"], name="securemsg_folder_idx"),
            models.Index(fields=["professional"], name="securemsg_notice_due_idx",
                         condition=models.Q(notice_due=True, notice_handled_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.subject


class MessageNoticeRule(FileModel, models.Model):
    """NOT-3: the professional's rule "tell me by email when a message arrives". On by default (no row);
    the email goes to the activated address only (EML-5)."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.OneToOneField(Professional, on_delete=models.CASCADE, related_name="message_notice_rule")
    enabled = models.BooleanField(_("m'aviser par courriel de l'arrivée d'un message"), default=True)
    updated_at = models.DateTimeField(_("modifié le"))

    class Meta:
        verbose_name = _("règle d'avis par courriel")
        verbose_name_plural = _("règles d'avis par courriel")


class Statement(FileModel, models.Model):
    """ETC-1: the statement of account of one account for one payment date (NOT-2). The amounts come from
    the billing system, out of scope: the balance is recorded as given."""

    FILE_OWNERS = ("account__professional_id", "account__memberships__professional_id")  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    account = models.ForeignKey("comptes.BillingAccount", on_delete=models.PROTECT, related_name="statements")
    payment_date = models.DateField(_("date de paiement"))
    balance = models.DecimalField(_("solde"), max_digits=12, decimal_places=2, default=0)
    issued_at = models.DateTimeField(_("produit le"))

    class Meta:
        ordering = ["-payment_date"]
        verbose_name = _("état de compte")
        verbose_name_plural = _("états de compte")
        constraints = [models.UniqueConstraint(fields=["account", "payment_date"], name="one_statement_per_account_and_payment")]

    def __str__(self) -> str:
        return gettext("État de compte du %(date)s, compte %(account)s") % {
            "date": writing.long_date(self.payment_date), "account": self.account.number}


class DepositNotice(FileModel, models.Model):
    """NOT-2, PAI-3: the deposit notice (*avis de dépôt*) of one payment to a transfer payee, with the
    date the money lands. The bank account is recorded masked only."""

    FILE_OWNERS = ("account__professional_id", "account__memberships__professional_id")  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    account = models.ForeignKey("comptes.BillingAccount", on_delete=models.PROTECT, related_name="deposit_notices")
    payment_date = models.DateField(_("date de paiement"))
    deposit_date = models.DateField(_("date du dépôt"))
    bank_account_masked = models.CharField(_("compte bancaire"), max_length=12, blank=True)
    issued_at = models.DateTimeField(_("produit le"))

    class Meta:
        ordering = ["-payment_date"]
        verbose_name = _("avis de dépôt")
        verbose_name_plural = _("avis de dépôt")
        constraints = [models.UniqueConstraint(fields=["account", "payment_date"], name="one_deposit_notice_per_account_and_payment")]

    def __str__(self) -> str:
        return gettext("Avis de dépôt du %(date)s, compte %(account)s") % {
            "date": writing.long_date(self.payment_date), "account": self.account.number}


class PaymentRun(models.Model):
    """The payment run of one payment date (ETC-1, NOT-2): where it stands, for staff and for restarts.
    Batches commit one by one; `last_professional_id` is the last file fully handled."""

    payment_date = models.DateField(_("date de paiement"), unique=True)
    started_at = models.DateTimeField(_("commencée le"))
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    last_professional_id = models.BigIntegerField(default=0, editable=False)
    statements = models.PositiveIntegerField(_("états de compte produits"), default=0)
    deposit_notices = models.PositiveIntegerField(_("avis de dépôt produits"), default=0)
    printed = models.PositiveIntegerField(_("envois postaux"), default=0)

    class Meta:
        ordering = ["-payment_date"]
        verbose_name = _("paiement (production des états de compte)")
        verbose_name_plural = _("paiements (production des états de compte)")

    def __str__(self) -> str:
        return gettext("Paiement du %(date)s") % {"date": writing.long_date(self.payment_date)}


class PrintItem(FileModel, models.Model):
    """The print queue (NOT-4): a correspondence or a statement that goes by post, with the address in
    force on its sending date (the old address until a change takes effect). Staff print and mark it."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="print_items")
    account = models.ForeignKey("comptes.BillingAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="print_items")
    kind = models.CharField(_("type"), max_length=30)
    reason = models.CharField(_("motif de l'envoi postal"), max_length=30)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("contenu"))
    address = models.TextField(_("adresse postale"))
    sending_date = models.DateField(_("date d'envoi"))
    created_at = models.DateTimeField(_("créé le"))
    printed_at = models.DateTimeField(_("imprimé le"), null=True, blank=True)
    printed_by = models.ForeignKey("dossier.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("imprimé par"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("envoi postal")
        verbose_name_plural = _("file d'impression")
        indexes = [models.Index(fields=["created_at"], name="print_queue_idx", condition=models.Q(printed_at__isnull=True))]

    def __str__(self) -> str:
        return gettext("%(subject)s (envoi du %(date)s)") % {"subject": self.subject, "date": writing.long_date(self.sending_date)}
