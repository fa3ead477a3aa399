from django.dispatch import receiver

from comptes.services import create_personal_account
from dossier.signals import file_opened


@receiver(file_opened)
def _create_personal_account(sender, professional, opened_by, **kwargs):
    """DOS-3: the personal account exists from the moment the file does."""
    create_personal_account(professional=professional, created_by=opened_by)
