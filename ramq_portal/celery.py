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
        "task": "calendrier.tasks.extend_pay_calendar",
        "schedule": crontab(hour=2, minute=15),
    },
    "bring-dated-changes-into-force": {
        "task": "dossier.tasks.bring_dated_changes_into_force",
        # Just after midnight in Québec, and again every hour in case a run was missed.
        "schedule": crontab(minute=5),
    },
    "clear-expired-sessions": {
        "task": "dossier.tasks.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=20),
    },
    "expire-email-links": {
        "task": "dossier.tasks.expire_email_links",
        "schedule": crontab(minute="*/15"),
    },
    "payment-run": {
        "task": "notifications.tasks.payment_run",
        # Every hour: a payment date runs early in its day; a run missed or stopped (no broker, worker
        # killed) is finished at the next hour; a finished one is never run again.
        "schedule": crontab(minute=30),
    },
    "send-email-reminders": {
        "task": "dossier.tasks.send_email_reminders",
        "schedule": crontab(minute="*/30"),
    },
    "remind-and-purge-registration-drafts": {
        "task": "inscription.tasks.remind_and_purge_drafts",
        "schedule": crontab(hour=3, minute=10),
    },
    "recover-outbound-messages": {
        "task": "notifications.tasks.recover_outbound_messages",
        "schedule": crontab(minute="*/5"),
    },
    "send-new-message-notices": {
        "task": "notifications.tasks.send_new_message_notices",
        "schedule": crontab(minute="*/10"),
    },
}
