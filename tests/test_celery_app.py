"""The Celery app: its beat schedule names real tasks, and a task runs with the clock it is given."""
from ramq_portal.celery import app


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
