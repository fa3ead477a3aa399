"""Staff roles (STF-3) in migrations: each capability's migration gives the "agent" and "superviseur"
groups the permissions it needs (dossier/migrations/0003 creates the groups).

    operations = [roles.grant({"agent": AGENT, "superviseur": SUPERVISOR})]

Permissions are normally created after all migrations have run; a role needs them at once, so they are
created first. Reversing the migration takes them back.
"""
from __future__ import annotations

from django.db import migrations

Codes = list[tuple[str, str]]  # (app label, permission codename)


def create_permissions_now(apps) -> None:
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permissions(apps, codes: Codes) -> list:
    Permission = apps.get_model("auth", "Permission")
    return [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in codes]


def grant(codes_by_role: dict[str, Codes]) -> migrations.RunPython:
    def forward(apps, schema_editor):
        create_permissions_now(apps)
        Group = apps.get_model("auth", "Group")
        for role, codes in codes_by_role.items():
            Group.objects.get(name=role).permissions.add(*_permissions(apps, codes))

    def backward(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        for role, codes in codes_by_role.items():
            group = Group.objects.filter(name=role).first()
            if group is not None:
                group.permissions.remove(*_permissions(apps, codes))

    return migrations.RunPython(forward, backward)
