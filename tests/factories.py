"""factory-boy factories for every model."""
from datetime import date, datetime, timedelta

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from calendrier.models import PaymentDate
from comptes.constants import AccountKind, AgencyType
from comptes.models import BillingAccount, BillingAgency, FinancialInstitution, SoftwareDeveloper
from dossier import numbers
from dossier.models import CorrespondenceAddress, PlaceOfPractice, Profession, Professional, Telephone, User
from ramq_portal import clock

PASSWORD = "Mot-de-passe-2026"


# The fixtures' own surnames (tests/conftest.py): Alice Tremblay's and Bob Gagnon's. The access tests
# (DOS-5) look for Alice's surname on every page another person opens, so a drawn name must never be one.
FIXTURE_LAST_NAMES = frozenset({"Tremblay", "Gagnon"})


class DrawnLastName(factory.Faker):
    """A Québec surname drawn by Faker (seeded per test), never one of the fixtures' own."""

    def __init__(self):
        super().__init__("last_name", locale="fr_CA")

    def evaluate(self, instance, step, extra):
        while (name := super().evaluate(instance, step, dict(extra))) in FIXTURE_LAST_NAMES:
            pass
        return name


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = DrawnLastName()
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class ProfessionFactory(DjangoModelFactory):
    class Meta:
        model = Profession
        django_get_or_create = ("code",)

    code = "chirurgien-dentiste"
    name_fr = "Chirurgien-dentiste"
    name_en = "Dentist"
    number_digit = "2"


class ProfessionalFactory(DjangoModelFactory):
    class Meta:
        model = Professional

    user = factory.SubFactory(UserFactory)
    profession = factory.SubFactory(ProfessionFactory)
    licence_number = factory.Sequence(lambda n: f"{50000 + n % 50000:05d}")
    professional_number = factory.LazyAttribute(
        lambda o: numbers.professional_number(profession_digit=o.profession.number_digit, licence_number=o.licence_number)
    )
    last_name = DrawnLastName()
    first_name = factory.Faker("first_name", locale="fr_CA")
    birth_date = date(1985, 6, 1)
    opened_at = factory.LazyFunction(clock.now)
    reference_number_hash = factory.LazyFunction(lambda: numbers.hash_reference_number(numbers.new_reference_number()))
    # A professional with an account has finished the registration wizard (INS-5) unless a test says otherwise.
    registered_at = factory.LazyAttribute(lambda o: clock.now() if o.user else None)
    engagement_confirmed_at = factory.LazyAttribute(lambda o: o.registered_at)


class CorrespondenceAddressFactory(DjangoModelFactory):
    class Meta:
        model = CorrespondenceAddress

    professional = factory.SubFactory(ProfessionalFactory)
    effective_from = factory.LazyFunction(lambda: clock.today() - timedelta(days=30))
    recorded_at = factory.LazyFunction(clock.now)
    # Already in force: its coming into force is recorded, as dossier.dated.record does.
    in_force_recorded_at = factory.LazyAttribute(lambda o: o.recorded_at if o.effective_from <= clock.today() else None)
    line1 = factory.Sequence(lambda n: f"{n + 1}, rue Principale")
    city = "Québec"
    province = "QC"
    postal_code = "G1R 2B5"
    country = "CA"


class TelephoneFactory(DjangoModelFactory):
    class Meta:
        model = Telephone

    professional = factory.SubFactory(ProfessionalFactory)
    number = factory.Sequence(lambda n: f"+1418555{n % 10000:04d}")


class PlaceOfPracticeFactory(DjangoModelFactory):
    class Meta:
        model = PlaceOfPractice

    professional = factory.SubFactory(ProfessionalFactory)
    name = factory.Sequence(lambda n: f"Clinique dentaire {n}")
    line1 = factory.Sequence(lambda n: f"{n + 10}, boulevard Laurier")
    city = "Québec"
    province = "QC"
    postal_code = "G1V 2L8"
    main_telephone = factory.Sequence(lambda n: f"+1418556{n % 10000:04d}")
    is_main = False


class BillingAccountFactory(DjangoModelFactory):
    class Meta:
        model = BillingAccount

    professional = factory.SubFactory(ProfessionalFactory)
    kind = AccountKind.PERSONAL
    number = factory.LazyAttribute(lambda o: o.professional.professional_number)
    name = "Finances personnelles"
    opened_at = factory.LazyFunction(clock.now)


class PaymentDateFactory(DjangoModelFactory):
    class Meta:
        model = PaymentDate
        django_get_or_create = ("date",)

    date = date(2027, 5, 20)


class FinancialInstitutionFactory(DjangoModelFactory):
    class Meta:
        model = FinancialInstitution
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{(n % 900) + 100:03d}")
    name = factory.Sequence(lambda n: f"Banque {n}")


class SoftwareDeveloperFactory(DjangoModelFactory):
    class Meta:
        model = SoftwareDeveloper

    number = factory.Sequence(lambda n: f"{10000 + n:05d}")
    name = factory.Sequence(lambda n: f"Logiciel {n}")


class BillingAgencyFactory(DjangoModelFactory):
    class Meta:
        model = BillingAgency

    transmission_number = factory.Sequence(lambda n: f"{20000 + n:05d}")
    name = factory.Sequence(lambda n: f"Facturation {n}")
    agency_type = AgencyType.ATD
    line1 = factory.Sequence(lambda n: f"{n + 100}, rue de l'Agence")
    city = "Montréal"
    province = "QC"
    postal_code = "H2X 3J6"


def aware(year, month, day, hour=12, minute=0) -> datetime:
    """An aware Québec moment, for freezing the clock."""
    return datetime(year, month, day, hour, minute, tzinfo=clock.QUEBEC)
