"""Agents and supervisors see payment runs, statements and deposit notices, send failed messages again,
and record a request for paper statements (ETC-5)."""
from django.db import migrations

CODES = [
    ("notifications", "view_paymentrun"), ("notifications", "view_statement"), ("notifications", "view_depositnotice"),
    ("notifications", "resend_outboundmessage"), ("comptes", "change_statementsettings"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ("agent", "superviseur"):
        Group.objects.get(name=role).permissions.add(
            *[Permission.objects.get(content_type__app_label=a, codename=c) for a, c in CODES]
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_payment_run"), ("comptes", "0006_historicalstatementsettings_paper_requested_and_more")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
