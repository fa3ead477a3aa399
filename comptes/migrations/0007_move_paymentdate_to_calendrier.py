"""The pay calendar now belongs to `calendrier` (calendrier/migrations/0001): `comptes` forgets its models.
Only the state changes; the tables stay, under their names, for `calendrier`."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("comptes", "0006_historicalstatementsettings_paper_requested_and_more"),
        ("calendrier", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="historicalpaymentdate", name="history_user"),
                migrations.DeleteModel(name="PaymentDate"),
                migrations.DeleteModel(name="HistoricalPaymentDate"),
            ],
            database_operations=[],
        ),
    ]
