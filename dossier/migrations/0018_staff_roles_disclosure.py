"""STF-3: supervisors (who alone see a SIN or a bank account number unmasked, 0003) see the record of who did."""
from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name="superviseur").permissions.add(
        *[Permission.objects.get(content_type__app_label="dossier", codename=c) for c in ("view_disclosure",)]
    )


class Migration(migrations.Migration):
    dependencies = [("dossier", "0017_disclosure")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
