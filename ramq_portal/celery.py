"""The Celery application: worker and beat read their settings from Django's (CELERY_*)."""
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramq_portal.settings")

app = Celery("ramq_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")

app.autodiscover_tasks()

# Periodic sweeps (beat). Long waits are sweeps over the database, never ETA tasks days ahead.
app.conf.beat_schedule = {
    "extend-pay-calendar": {
        "task": "comptes.tasks.extend_pay_calendar",
        "schedule": crontab(hour=2, minute=15),
    },
}
