"""Roles for the billing tab: agents see reference data and payment details (masked) and record
mandataries (form 3005); supervisors keep institutions and developers."""
from django.db import migrations

AGENT = [
    ("comptes", "view_financialinstitution"), ("comptes", "view_softwaredeveloper"), ("comptes", "view_paymentsettings"),
    ("comptes", "view_mandatary"), ("comptes", "add_mandatary"), ("comptes", "change_mandatary"),
    ("comptes", "view_statementsettings"), ("dossier", "view_request"),
]
SUPERVISOR = AGENT + [
    ("comptes", "add_financialinstitution"), ("comptes", "change_financialinstitution"),
    ("comptes", "add_softwaredeveloper"), ("comptes", "change_softwaredeveloper"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in {"agent": AGENT, "superviseur": SUPERVISOR}.items():
        Group.objects.get(name=role).permissions.add(
            *[Permission.objects.get(content_type__app_label=a, codename=c) for a, c in codes]
        )


class Migration(migrations.Migration):
    dependencies = [("dossier", "0008_historicalrequest_request"), ("comptes", "0005_financialinstitution_historicalaccountmembership_and_more")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
