"""Roles for the Profil tab: staff switch the newsletter off (EML-6), follow up reports (BEY-3), see
outgoing messages; supervisors keep billing agencies (reference data)."""
from django.db import migrations

AGENT = [
    ("dossier", "change_professional"), ("dossier", "view_correspondencepreference"),
    ("dossier", "view_securityreport"), ("dossier", "change_securityreport"),
    ("notifications", "view_outboundmessage"), ("comptes", "view_billingagency"),
]
SUPERVISOR = AGENT + [("comptes", "add_billingagency"), ("comptes", "change_billingagency")]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in {"agent": AGENT, "superviseur": SUPERVISOR}.items():
        group = Group.objects.get(name=role)
        group.permissions.add(*[Permission.objects.get(content_type__app_label=a, codename=c) for a, c in codes])


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in {"agent": AGENT, "superviseur": SUPERVISOR}.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(*[Permission.objects.get(content_type__app_label=a, codename=c) for a, c in codes])


class Migration(migrations.Migration):
    dependencies = [
        ("dossier", "0006_country_field"),
        ("comptes", "0004_country_field"),
        ("notifications", "0001_initial"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
