from celery import shared_task
from django.conf import settings

from calendrier import services


@shared_task
def extend_pay_calendar() -> int:
    """Daily: keep payment dates generated ahead (idempotent)."""
    return services.extend_pay_calendar(years_ahead=settings.PAY_CALENDAR_YEARS_AHEAD)
