from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    PERSONAL = "personnel", _("Compte personnel (Finances personnelles)")
    INDIVIDUAL = "administratif_individuel", _("Compte administratif individuel")
    COLLECTIVE = "administratif_collectif", _("Compte administratif collectif")
