import unicodedata

from django.http import Http404

from comptes.models import BillingAccount, BillingAgency
from dossier.models import Professional, User


def billing_accounts_for_user(user: User) -> tuple[Professional, list[BillingAccount]]:
    """The signed-in professional's file and billing accounts, personal first (DOS-5: 404 otherwise)."""
    professional = Professional.objects.filter(user_id=user.pk).first()
    if professional is None:
        raise Http404
    accounts = list(BillingAccount.objects.filter(professional=professional).order_by("kind", "number"))
    return professional, accounts


def _normalize(value: str) -> str:
    """Upper case, no accents, no punctuation, single spaces: '12, rue St-Jean' ~ '12 RUE ST JEAN'."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def agency_at_address(address) -> BillingAgency | None:
    """PRO-6: the billing agency on file whose address matches `address` (normalised), if any."""
    postal = _normalize(address.postal_code).replace(" ", "")
    if not postal:
        return None
    wanted = (_normalize(address.line1), _normalize(address.line2), postal)
    for agency in BillingAgency.objects.filter(postal_code__in=[address.postal_code, postal, f"{postal[:3]} {postal[3:]}"]):
        if (_normalize(agency.line1), _normalize(agency.line2), _normalize(agency.postal_code).replace(" ", "")) == wanted:
            return agency
    return None
