from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ParticipationStatus(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    NON_PARTICIPANT = "non_participant", _("Non participant")
    DISENGAGED = "desengage", _("Désengagé")


class RemunerationMode(models.TextChoices):
    FEE_FOR_SERVICE = "acte", _("À l'acte")
    FIXED_FEES = "honoraires_fixes", _("Honoraires fixes")
    HOURLY = "tarif_horaire", _("Tarif horaire")


class Language(models.TextChoices):
    FRENCH = "fr", _("Français")
    ENGLISH = "en", _("Anglais")


class TelephoneKind(models.TextChoices):
    HOME = "domicile", _("Domicile")
    OFFICE = "bureau", _("Bureau")
    OTHER = "autre", _("Autre")


STAFF_ROLE_AGENT = "agent"
STAFF_ROLE_SUPERVISOR = "superviseur"


class CorrespondenceKind(models.TextChoices):
    """Kinds of correspondence (PRF-1). The first four may be routed by preference."""

    AGREEMENT = "entente", _("Votre entente")
    BILLING = "facturation", _("Votre facturation")
    PAYMENTS = "paiements", _("Vos paiements")
    RECOVERY = "recouvrement", _("Un recouvrement dont vous faites l'objet")
    LEGAL_NOTICES = "avis_legaux", _("Avis et décisions ayant une portée juridique")
    TAX_SLIPS = "releves_fiscaux", _("Relevés fiscaux")


# PRF-1: these kinds are always sent by post and cannot be chosen.
ALWAYS_BY_POST = frozenset({CorrespondenceKind.LEGAL_NOTICES, CorrespondenceKind.TAX_SLIPS})
CHOOSABLE_KINDS = [kind for kind in CorrespondenceKind if kind not in ALWAYS_BY_POST]


class Channel(models.TextChoices):
    POST = "poste", pgettext_lazy("moyen de correspondance", "Poste")
    SECURE_MESSAGING = "messagerie", _("Messagerie sécurisée")


class EmailStatus(models.TextChoices):
    NONE = "aucun", _("Aucun courriel")
    AWAITING = "en_attente", _("En attente de validation")
    ACTIVATED = "active", _("Activé")
    EXPIRED = "expire", _("Lien de validation expiré")


class TokenPurpose(models.TextChoices):
    EMAIL = "courriel", _("Validation du courriel")
    CELL = "cellulaire", _("Confirmation du cellulaire")


class TokenState(models.TextChoices):
    ACTIVE = "actif", _("Actif")
    USED = "utilise", _("Utilisé")
    SUPERSEDED = "remplace", _("Remplacé par un plus récent")
    EXPIRED = "expire", _("Expiré")
    TARGET_CHANGED = "cible_modifiee", _("Adresse ou numéro modifié")
    LOCKED = "bloque", _("Bloqué après trop d'essais")
    # Issue 16: the text message could not be sent (the provider refused it, or the worker died with the
    # code, which is never stored): the professional is told to ask for a new code.
    NOT_SENT = "non_envoye", _("Non envoyé")


class RequestStatus(models.TextChoices):
    RECEIVED = "recue", _("Reçue")
    IN_PROGRESS = "en_cours", _("En traitement")
    ACCEPTED = "acceptee", _("Acceptée")
    REFUSED = "refusee", _("Refusée")
