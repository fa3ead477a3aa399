"""A fresh database migrates the staff roles of dossier (0009, 0015, 0018) between calendrier 0001 and
comptes 0007, while both apps' states still hold the pay calendar: their `create_permissions_now` made
`comptes` content types for it again, beside the moved ones. Fold them into calendrier's (keeping every
grant and log entry), as 0001 does; on a database where nothing was made twice, this does nothing."""
import importlib

from django.db import migrations

MOVE = importlib.import_module("calendrier.migrations.0001_initial")


def forward(apps, schema_editor):
    MOVE._move_content_types(apps, "comptes", "calendrier")


class Migration(migrations.Migration):

    dependencies = [
        ("calendrier", "0001_initial"),
        ("comptes", "0007_move_paymentdate_to_calendrier"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
