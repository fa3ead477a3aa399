"""Agents and supervisors see payment runs, statements and deposit notices, send failed messages again,
and record a request for paper statements (ETC-5)."""
from django.db import migrations

from ramq_portal import roles

CODES = [
    ("notifications", "view_paymentrun"), ("notifications", "view_statement"), ("notifications", "view_depositnotice"),
    ("notifications", "resend_outboundmessage"), ("comptes", "change_statementsettings"),
]


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_payment_run"), ("comptes", "0006_historicalstatementsettings_paper_requested_and_more")]
    operations = [roles.grant({"agent": CODES, "superviseur": CODES})]
