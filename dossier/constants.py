from django.db import models
from django.utils.translation import gettext_lazy as _


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
