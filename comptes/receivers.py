from django.dispatch import receiver

from comptes.services import create_personal_account
from comptes.selectors import agency_at_address
from dossier.signals import address_owner_requested, file_opened


@receiver(file_opened)
def _create_personal_account(sender, professional, opened_by, **kwargs):
    """DOS-3: the personal account exists from the moment the file does."""
    create_personal_account(professional=professional, created_by=opened_by)


@receiver(address_owner_requested)
def _billing_agency_at(sender, address, **kwargs):
    """PRO-6: the billing agency whose address it is, for the Profil tab's warning."""
    return agency_at_address(address)
