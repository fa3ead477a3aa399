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


class PaymentMode(models.TextChoices):
    """PAI-1: cheque by default."""

    CHEQUE = "cheque", _("Chèque")
    TRANSFER = "virement", _("Virement bancaire")


class StatementOption(models.TextChoices):
    """ETC-2: exactly one of three."""

    AGENCY = "agence", _("Ma facturation est prise en charge par une agence existante")
    SELF_BILLING = "developpeur", _("Je prends en charge moi-même ma facturation avec un développeur de logiciels")
    NONE = "aucune", _("Je ne m'accrédite pas pour le moment")


class ReceptionMode(models.TextChoices):
    """ETC-4, with an agency or a developer."""

    TELECOM = "telecommunication", _("Télécommunication")
    SECURE_MESSAGING = "messagerie", _("Messagerie sécurisée (poste lorsqu'applicable)")


class MandataryRelation(models.TextChoices):
    EMPLOYEE = "employe", _("Employé")
    SPOUSE = "conjoint", _("Conjoint")
    AGENCY_EMPLOYEE = "employe_agence", _("Employé d'une agence de facturation")
    OTHER = "autre", _("Autre")


class AccountRequest:
    """Codes of the requests made in the Comptes tab (CPT-2, CPT-3), kinds registered in comptes.request_kinds."""

    OPEN_INDIVIDUAL = "ouvrir_individuel"
    OPEN_COLLECTIVE = "ouvrir_collectif"
    JOIN_COLLECTIVE = "joindre_collectif"
    COLLECTIVE_ADDRESS = "adresse_collectif"
