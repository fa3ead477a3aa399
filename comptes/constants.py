from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    PERSONAL = "personnel", _("Compte personnel (Finances personnelles)")
    INDIVIDUAL = "administratif_individuel", _("Compte administratif individuel")
    COLLECTIVE = "administratif_collectif", _("Compte administratif collectif")


class AgencyType(models.TextChoices):
    """ETC-3: accreditation is possible with an ATD or an ISE; a DIS only when it is one's own."""

    ATD = "ATD", _("Agence commerciale de traitement de données (ATD)")
    ISE = "ISE", _("Agence privée d'un regroupement de professionnels (ISE)")
    DIS = "DIS", _("Agence privée d'un professionnel (DIS)")
