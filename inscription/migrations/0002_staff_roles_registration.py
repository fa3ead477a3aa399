"""Agents and supervisors see enrolments and unfinished registrations (read-only)."""
from django.db import migrations

CODES = [("inscription", "view_enrolment"), ("inscription", "view_registrationdraft")]


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
    dependencies = [("inscription", "0001_initial"), ("dossier", "0011_registration")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
