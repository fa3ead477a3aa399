"""Agents and supervisors work the print queue: they see it and mark items printed."""
from django.db import migrations

CODES = [("notifications", "view_printitem"), ("notifications", "change_printitem")]


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
    dependencies = [("notifications", "0004_printitem"), ("dossier", "0012_historicalprofessional_deceased_on_and_more")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
