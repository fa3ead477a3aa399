from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from calendrier import paycalendar
from calendrier.models import PaymentDate


@receiver(post_save, sender=PaymentDate)
@receiver(post_delete, sender=PaymentDate)
def _forget_cached_payment_dates(sender, **kwargs):
    """A payment date moved in the admin: cached answers of the pay calendar are stale."""
    paycalendar.invalidate_cache()
