"""Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS (after adding a new key
in front); then the old key can be dropped. Idempotent; prints counts, never values."""
from django.core.management.base import BaseCommand
from django.db import transaction

from comptes.models import PaymentSettings
from dossier.models import Professional
from ramq_portal import crypto

# (model, encrypted column): the historical tables hold encrypted copies too.
ENCRYPTED = [
    (PaymentSettings, "bank_account"), (PaymentSettings.history.model, "bank_account"),
    (Professional, "sin"), (Professional.history.model, "sin"),
]


class Command(BaseCommand):
    help = "Re-encrypt bank account numbers (and SINs) with the newest key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        for model, column in ENCRYPTED:
            count = 0
            pk_name = model._meta.pk.attname
            with transaction.atomic():
                # values_list decrypts (from_db_value); saving the plaintext encrypts it with the newest key.
                rows = model.objects.select_for_update().exclude(**{column: ""}).values_list(pk_name, column)
                for pk, plaintext in rows.iterator(chunk_size=500):
                    model.objects.filter(**{pk_name: pk}).update(**{column: plaintext})
                    count += 1
            self.stdout.write(f"{model._meta.label}.{column}: {count} value(s) re-encrypted with the newest key.")
        crypto._fernet.cache_clear()
