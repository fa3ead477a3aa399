"""Project-level guarantees: migrations match the models, demo data loads idempotently."""
from io import StringIO

import pytest
from django.core.management import call_command

from comptes.models import BillingAccount, PaymentDate
from dossier import demo, numbers
from dossier.models import Professional, User


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db
def test_demo_data_loads_twice_without_changing_anything():
    call_command("load_demo_data", stdout=StringIO())
    counts = (Professional.objects.count(), User.objects.count(), BillingAccount.objects.count(), PaymentDate.objects.count())
    hashes = list(Professional.objects.order_by("pk").values_list("reference_number_hash", flat=True))
    call_command("load_demo_data", stdout=StringIO())
    assert counts == (Professional.objects.count(), User.objects.count(), BillingAccount.objects.count(), PaymentDate.objects.count())
    assert hashes == list(Professional.objects.order_by("pk").values_list("reference_number_hash", flat=True))


@pytest.mark.django_db
def test_DOS_1_demo_data_has_a_file_for_each_profession_and_the_required_people():
    demo.load()
    assert set(Professional.objects.values_list("profession__code", flat=True)) == {
        "chirurgien-dentiste", "chirurgien-buccal", "optometriste",
    }
    not_enrolled = Professional.objects.get(user__isnull=True, licence_number="10002")
    assert not_enrolled.reference_number_hash == numbers.hash_reference_number(demo.DEMO_REFERENCE_NUMBER)
    fixed_fees = Professional.objects.get(user__isnull=True, licence_number="10005")
    assert fixed_fees.reference_number_hash == numbers.hash_reference_number(demo.DEMO_REFERENCE_NUMBER_FIXED_FEES)
    assert User.objects.get(username="agent.demo").groups.filter(name="agent").exists()
    assert User.objects.get(username="superviseur.demo").groups.filter(name="superviseur").exists()
    full = Professional.objects.get(user__username="dentiste.demo")
    assert full.telephones.count() == 2 and full.places_of_practice.filter(is_main=True).exists()
