from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from comptes import paycalendar
from comptes.models import PaymentDate

from comptes.services import create_personal_account
from dossier.signals import file_opened


@receiver(file_opened)
def _create_personal_account(sender, professional, opened_by, **kwargs):
    """DOS-3: the personal account exists from the moment the file does."""
    create_personal_account(professional=professional, created_by=opened_by)


@receiver(post_save, sender=PaymentDate)
@receiver(post_delete, sender=PaymentDate)
def _forget_cached_payment_dates(sender, **kwargs):
    """A payment date moved in the admin: cached answers of the pay calendar are stale."""
    paycalendar.invalidate_cache()
