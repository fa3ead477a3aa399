"""Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS (after adding a new key
in front); then the old key can be dropped. Idempotent; prints counts, never values."""
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from ramq_portal import crypto


def encrypted_columns() -> list[tuple[type, str]]:
    """(model, column) of every encrypted field of every installed model: bank account numbers, SINs,
    registration drafts, and the historical tables' copies."""
    return [
        (model, field.attname)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, crypto.EncryptedCharField)
    ]


class Command(BaseCommand):
    help = "Re-encrypt bank account numbers, SINs and registration drafts with the newest key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        for model, column in encrypted_columns():
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
