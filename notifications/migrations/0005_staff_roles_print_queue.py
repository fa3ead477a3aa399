"""Agents and supervisors work the print queue: they see it and mark items printed."""
from django.db import migrations

from ramq_portal import roles

CODES = [("notifications", "view_printitem"), ("notifications", "change_printitem")]


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_printitem"), ("dossier", "0012_historicalprofessional_deceased_on_and_more")]
    operations = [roles.grant({"agent": CODES, "superviseur": CODES})]
