"""Periodic sweeps of the Profil tab. Each is idempotent: running it twice changes nothing more."""
from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from dossier import profile
from dossier.request_kinds import apply_pending_participation
from ramq_portal import clock


@shared_task
def expire_email_links() -> int:
    """EML-4: links past their 5 days are marked expired (one set-based UPDATE)."""
    return profile.expire_email_links()


@shared_task
def send_email_reminders() -> int:
    """BEY-3: day-4 reminders, once per link."""
    return profile.send_email_reminders()


@shared_task
def bring_dated_changes_into_force() -> int:
    """PRO-5, PRF-3: record the changes whose effective date has come (as done by the system); INS-7:
    a participation change (form 1378) takes effect on its date."""
    return profile.bring_dated_changes_into_force() + apply_pending_participation(today=clock.today())


@shared_task
def clear_expired_sessions() -> int:
    """Sessions are kept in the database too (issue 16: they survive a Redis outage): the expired ones
    are deleted once a day, as Django's `clearsessions` does."""
    return Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]
