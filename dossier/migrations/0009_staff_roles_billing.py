"""Roles for the billing tab: agents see reference data and payment details (masked) and record
mandataries (form 3005); supervisors keep institutions and developers."""
from django.db import migrations

from ramq_portal import roles

AGENT = [
    ("comptes", "view_financialinstitution"), ("comptes", "view_softwaredeveloper"), ("comptes", "view_paymentsettings"),
    ("comptes", "view_mandatary"), ("comptes", "add_mandatary"), ("comptes", "change_mandatary"),
    ("comptes", "view_statementsettings"), ("dossier", "view_request"),
]
SUPERVISOR = AGENT + [
    ("comptes", "add_financialinstitution"), ("comptes", "change_financialinstitution"),
    ("comptes", "add_softwaredeveloper"), ("comptes", "change_softwaredeveloper"),
]


class Migration(migrations.Migration):
    dependencies = [("dossier", "0008_historicalrequest_request"), ("comptes", "0005_financialinstitution_historicalaccountmembership_and_more")]
    operations = [roles.grant({"agent": AGENT, "superviseur": SUPERVISOR})]
