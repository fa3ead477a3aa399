"""Staff roles (STF-3): "agent" and "superviseur", with distinct permissions.

Agents work files (open them, reissue reference numbers, read everything with personal data masked).
Supervisors can do what agents do, and also keep the pay calendar and the professions, and see
personal data unmasked. Later migrations extend these lists as capabilities arrive.
"""
from django.db import migrations

from ramq_portal import roles

AGENT = [
    ("dossier", "view_professional"), ("dossier", "add_professional"), ("dossier", "reissue_reference_number"),
    ("dossier", "view_profession"), ("dossier", "view_telephone"), ("dossier", "view_placeofpractice"),
    ("dossier", "view_correspondenceaddress"),
    ("comptes", "view_billingaccount"), ("comptes", "view_paymentdate"),
]
SUPERVISOR = AGENT + [
    ("dossier", "view_unmasked_personal_data"),
    ("dossier", "add_profession"), ("dossier", "change_profession"),
    ("comptes", "add_paymentdate"), ("comptes", "change_paymentdate"), ("comptes", "delete_paymentdate"),
    ("dossier", "view_user"),
]
ROLES = {"agent": AGENT, "superviseur": SUPERVISOR}


def create_roles(apps, schema_editor):
    roles.create_permissions_now(apps)  # normally created after all migrations; roles need them now
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in codes]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dossier", "0002_professions"),
        ("comptes", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
