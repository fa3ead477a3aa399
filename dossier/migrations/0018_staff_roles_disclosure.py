"""STF-3: supervisors (who alone see a SIN or a bank account number unmasked, 0003) see the record of who did."""
from django.db import migrations

from ramq_portal import roles


class Migration(migrations.Migration):
    dependencies = [("dossier", "0017_disclosure")]
    operations = [roles.grant({"superviseur": [("dossier", "view_disclosure")]})]
