"""Roles for the request queue (STF-1, STF-3, BEY-7): agents take and decide requests and enter paper
forms; only supervisors approve a bank-detail change entered from a paper form (four eyes)."""
from django.db import migrations

from ramq_portal import roles

AGENT = [("dossier", "change_request"), ("dossier", "add_request")]
SUPERVISOR = AGENT + [("dossier", "approve_request")]


class Migration(migrations.Migration):
    dependencies = [("dossier", "0014_backoffice")]
    operations = [roles.grant({"agent": AGENT, "superviseur": SUPERVISOR})]
