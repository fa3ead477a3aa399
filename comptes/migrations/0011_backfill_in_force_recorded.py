"""The daily task now records the accounts' dated rows coming into force (comptes/history_sources.py).
Rows already in force when it starts are marked as recorded when they were written, without a history
record: the first run must not date today, as done by the system, every change made before it."""
from django.db import migrations
from django.db.models import F

from ramq_portal import clock


def backfill(apps, schema_editor):
    today = clock.today()
    for name in ("PaymentSettings", "AccountAddress"):
        model = apps.get_model("comptes", name)
        model.objects.filter(in_force_recorded_at__isnull=True, cancelled_at__isnull=True, effective_from__lte=today).update(
            in_force_recorded_at=F("recorded_at")
        )


class Migration(migrations.Migration):
    dependencies = [("comptes", "0010_history_indexes")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
