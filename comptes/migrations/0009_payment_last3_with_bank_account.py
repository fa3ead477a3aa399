"""The last 3 digits of a bank account number are kept in clear beside the encrypted number, so that no
page decrypts a number to show it masked (issue 14). Rows written before the rule was enforced get
theirs from the number (decrypted once, here), in the payment settings and in their history; then the
database keeps the two together."""

from django.db import migrations, models


def fill_last3(apps, schema_editor):
    for name in ("PaymentSettings", "HistoricalPaymentSettings"):
        model = apps.get_model("comptes", name)
        missing = model.objects.filter(bank_account_last3="").exclude(bank_account="")
        for row in missing.only("pk", "bank_account").iterator(chunk_size=1000):
            model.objects.filter(pk=row.pk).update(bank_account_last3=row.bank_account[-3:])
        model.objects.filter(bank_account="").exclude(bank_account_last3="").update(bank_account_last3="")


class Migration(migrations.Migration):

    dependencies = [
        ('comptes', '0008_account_address'),
    ]

    operations = [
        migrations.RunPython(fill_last3, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='paymentsettings',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('bank_account', ''), ('bank_account_last3', '')), models.Q(models.Q(('bank_account', ''), _negated=True), ('bank_account_last3__regex', '^[0-9]{3}$')), _connector='OR'), name='bank_account_last3_with_bank_account'),
        ),
    ]
