"""The professions the portal starts with (data, editable in the admin; more may come)."""
from django.db import migrations

PROFESSIONS = [
    # code, French name, English name, profession digit of the professional number
    ("chirurgien-dentiste", "Chirurgien-dentiste", "Dentist", "2"),
    ("chirurgien-buccal", "Spécialiste en chirurgie buccale et maxillo-faciale", "Oral and maxillofacial surgeon", "2"),
    ("optometriste", "Optométriste", "Optometrist", "6"),
]


def add_professions(apps, schema_editor):
    Profession = apps.get_model("dossier", "Profession")
    for code, name_fr, name_en, digit in PROFESSIONS:
        Profession.objects.get_or_create(code=code, defaults={"name_fr": name_fr, "name_en": name_en, "number_digit": digit})


class Migration(migrations.Migration):
    dependencies = [("dossier", "0001_initial")]
    operations = [migrations.RunPython(add_professions, migrations.RunPython.noop)]
