from celery import shared_task

from inscription import services


@shared_task
def remind_and_purge_drafts() -> tuple[int, int]:
    """INS-4: remind, then purge, registration drafts older than the retention period (idempotent)."""
    return services.remind_and_purge_drafts()
