"""Roles for the Profil tab: staff switch the newsletter off (EML-6), follow up reports (BEY-3), see
outgoing messages; supervisors keep billing agencies (reference data)."""
from django.db import migrations

from ramq_portal import roles

AGENT = [
    ("dossier", "change_professional"), ("dossier", "view_correspondencepreference"),
    ("dossier", "view_securityreport"), ("dossier", "change_securityreport"),
    ("notifications", "view_outboundmessage"), ("comptes", "view_billingagency"),
]
SUPERVISOR = AGENT + [("comptes", "add_billingagency"), ("comptes", "change_billingagency")]


class Migration(migrations.Migration):
    dependencies = [
        ("dossier", "0006_country_field"),
        ("comptes", "0004_country_field"),
        ("notifications", "0001_initial"),
    ]
    operations = [roles.grant({"agent": AGENT, "superviseur": SUPERVISOR})]
