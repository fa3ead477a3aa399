"""How to reach the Régie, and the paper forms the portal sends people to (HLP-1).

From the Régie's own pages (SPEC seeds 000 to 003): its telephone numbers, fax and postal address,
and each form's number, title and the page of the Régie that offers it. Shown by
`{% regie_help "3102" %}` (ramq_portal/templatetags/regie.py) wherever the portal sends someone to a
form or asks them to contact the Régie, and written in the emails that ask it.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Telephone:
    where: Promise
    number: str  # as written in Québec: 418 780-4208

    @property
    def tel(self) -> str:
        """The `tel:` link of the number (E.164)."""
        digits = "".join(ch for ch in self.number if ch.isdigit())
        return "+" + (digits if len(digits) == 11 else "1" + digits)


TELEPHONES = (
    Telephone(_("Québec"), "418 780-4208"),
    Telephone(_("Montréal"), "514 687-3612"),
    Telephone(_("Sans frais"), "1 888 330-3023"),
)
FAX = "418 646-8110"
POSTAL_ADDRESS = (
    "Régie de l'assurance maladie du Québec",
    "C. P. 6600, succ. Terminus",
    "Québec (Québec)  G1K 7T3",
)

_UPDATE_PAGE = "https://www.ramq.gouv.qc.ca/fr/professionnels/chirurgiens-dentistes/administration-pratique/Pages/maj-dossier.aspx"
_ACCOUNTS_PAGE = "https://www.ramq.gouv.qc.ca/fr/professionnels/chirurgiens-dentistes/administration-pratique/compte-administratif/"
_REGISTRATION_PAGE = ("https://www.ramq.gouv.qc.ca/fr/professionnels/chirurgiens-dentistes/evenements-carriere/"
                      "je-debute-ma-profession/Pages/inscription-regie.aspx")


@dataclass(frozen=True)
class PaperForm:
    number: str
    title: Promise
    page: str  # the Régie's page that offers the form


FORMS = {form.number: form for form in (
    PaperForm("3102", _("Changement d'adresse – Professionnels de la santé – Dispensateurs de services assurés"), _UPDATE_PAGE),
    PaperForm("2914", _("Autorisation de paiement par virement bancaire"), _ACCOUNTS_PAGE),
    PaperForm("2404", _("Demande d'accréditation et renseignements pour la facturation informatisée"), _ACCOUNTS_PAGE),
    PaperForm("3018", _("Demande d'accréditation et renseignements pour la facturation informatisée – Professionnel hors Québec"), _ACCOUNTS_PAGE),
    PaperForm("2788", _("Mandat – Agence commerciale de traitement de données"), _ACCOUNTS_PAGE),
    PaperForm("3005", _("Consentement des professionnels de la santé autorisant un tiers à signer leurs relevés d'honoraires ou leurs demandes de paiement"), _ACCOUNTS_PAGE),
    PaperForm("1378", _("Avis de désengagement, de réengagement ou de non-participation"), _REGISTRATION_PAGE),
)}


def forms(*numbers: str) -> list[PaperForm]:
    """The forms of these numbers, in that order (KeyError for a form the portal does not know)."""
    return [FORMS[number] for number in numbers]
