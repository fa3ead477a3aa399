"""Agents and supervisors see enrolments and unfinished registrations (read-only)."""
from django.db import migrations

from ramq_portal import roles

CODES = [("inscription", "view_enrolment"), ("inscription", "view_registrationdraft")]


class Migration(migrations.Migration):
    dependencies = [("inscription", "0001_initial"), ("dossier", "0011_registration")]
    operations = [roles.grant({"agent": CODES, "superviseur": CODES})]
