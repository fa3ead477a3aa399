"""The pay calendar moves from `comptes` to `calendrier` without touching the database.

The models keep their tables (comptes_paymentdate, comptes_historicalpaymentdate: Meta.db_table), so
only Django's state changes here (comptes/migrations/0007 removes them from `comptes`' state). Their
content types are renamed, so that the permissions the staff groups already hold on them
(dossier/migrations/0003_staff_roles) follow the model, and so do the admin's log entries.
"""
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ["paymentdate", "historicalpaymentdate"]


def _move_content_types(apps, old_label: str, new_label: str) -> None:
    """Rename the content types of MODELS from `old_label` to `new_label`. Should `new_label` ones exist
    already (made by running the new code on this database before migrating it), the old rows, which
    the grants and log entries point to, are kept and the new ones are folded into them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    try:
        LogEntry = apps.get_model("admin", "LogEntry")
    except LookupError:  # the admin's migrations have not run yet: no log entry to carry
        LogEntry = None
    for model in MODELS:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue  # nothing was made for it yet: the content types come after migrate
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is not None:
            for permission in Permission.objects.filter(content_type=new):
                twin = Permission.objects.filter(content_type=old, codename=permission.codename).first()
                if twin is None:
                    permission.content_type = old
                    permission.save(update_fields=["content_type"])
                else:
                    twin.group_set.add(*permission.group_set.all())
                    twin.user_set.add(*permission.user_set.all())
                    permission.delete()
            if LogEntry is not None:
                LogEntry.objects.filter(content_type=new).update(content_type=old)
            new.delete()
        old.app_label = new_label
        old.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forward(apps, schema_editor):
    _move_content_types(apps, "comptes", "calendrier")


def backward(apps, schema_editor):
    _move_content_types(apps, "calendrier", "comptes")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("comptes", "0006_historicalstatementsettings_paper_requested_and_more"),
        # The staff groups get their pay-calendar permissions under `comptes` there: before the rename.
        ("dossier", "0003_staff_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PaymentDate",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="date de paiement")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                    ],
                    options={
                        "verbose_name": "date de paiement",
                        "verbose_name_plural": "calendrier de paiement",
                        "db_table": "comptes_paymentdate",
                        "ordering": ["date"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalPaymentDate",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("date", models.DateField(db_index=True, verbose_name="date de paiement")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(
                            choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("history_user", models.ForeignKey(
                            null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "historical date de paiement",
                        "verbose_name_plural": "historical calendrier de paiement",
                        "db_table": "comptes_historicalpaymentdate",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
