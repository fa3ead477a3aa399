"""Roles for the request queue (STF-1, STF-3, BEY-7): agents take and decide requests and enter paper
forms; only supervisors approve a bank-detail change entered from a paper form (four eyes)."""
from django.db import migrations

AGENT = [("dossier", "change_request"), ("dossier", "add_request")]
SUPERVISOR = AGENT + [("dossier", "approve_request")]


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
    dependencies = [("dossier", "0014_backoffice")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
