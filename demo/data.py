"""Demo data of `make run`: named people, their files, and the pay calendar. Idempotent.

The passwords are demo-only and printed by `make run`; they are never created outside `load_demo_data`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction

from calendrier.models import PaymentDate
from calendrier.services import generate_payment_dates
from comptes.constants import AccountKind, PaymentMode, ReceptionMode, StatementOption
from comptes.models import (
    AccountMembership,
    BillingAccount,
    BillingAgency,
    FinancialInstitution,
    PaymentSettings,
    SoftwareDeveloper,
    StatementSettings,
)
from dossier import numbers, services
from dossier.addresses import AddressInput
from dossier.constants import RemunerationMode, TelephoneKind
from dossier.models import PlaceOfPractice, Profession, Professional, Telephone, User
from notifications import payment_run
from notifications.models import PaymentRun
from ramq_portal import clock

DEMO_REFERENCE_NUMBER = "DEMO-2345-WXYZ"
DEMO_REFERENCE_NUMBER_FIXED_FEES = "DEMO-3456-XYZA"


@dataclass(frozen=True)
class DemoProfessional:
    username: str | None
    password: str | None
    profession: str
    licence: str
    first_name: str
    last_name: str
    birth_date: date
    remuneration_mode: str
    address: AddressInput
    description: str
    reference_number: str = ""  # for a professional not yet enrolled (INS-1)


PROFESSIONALS = [
    DemoProfessional(
        "dentiste.demo", "Dentiste-2026", "chirurgien-dentiste", "10001", "Alice", "Tremblay", date(1985, 3, 14),
        RemunerationMode.FEE_FOR_SERVICE,
        AddressInput(line1="1200, rue Saint-Jean", city="Québec", province="QC", postal_code="G1R 1S2"),
        "dentiste inscrite, dossier complet",
    ),
    DemoProfessional(
        None, None, "chirurgien-dentiste", "10002", "Benoît", "Gagnon", date(1996, 7, 2),
        RemunerationMode.FEE_FOR_SERVICE,
        AddressInput(line1="45, avenue des Pins Ouest", line2="app. 3", city="Montréal", province="QC", postal_code="H2W 1R1"),
        f"dentiste non inscrit, numéro de référence {DEMO_REFERENCE_NUMBER}",
        DEMO_REFERENCE_NUMBER,
    ),
    DemoProfessional(
        "chirurgien.demo", "Chirurgien-2026", "chirurgien-buccal", "10003", "Chantal", "Roy", date(1978, 11, 23),
        RemunerationMode.HOURLY,
        AddressInput(line1="300, boulevard René-Lévesque", city="Sherbrooke", province="QC", postal_code="J1H 1A1"),
        "spécialiste en chirurgie buccale et maxillo-faciale inscrite",
    ),
    DemoProfessional(
        "optometriste.demo", "Optometriste-2026", "optometriste", "10004", "David", "Côté", date(1990, 1, 30),
        RemunerationMode.FIXED_FEES,
        AddressInput(line1="88, rue Racine Est", city="Saguenay", province="QC", postal_code="G7H 1R5"),
        "optométriste inscrit",
    ),
    DemoProfessional(
        None, None, "optometriste", "10005", "Élise", "Bergeron", date(1994, 5, 9),
        RemunerationMode.FIXED_FEES,
        AddressInput(line1="12, rue des Érables", city="Rimouski", province="QC", postal_code="G5L 1A1"),
        f"optométriste non inscrite, à honoraires fixes (NAS demandé), numéro de référence {DEMO_REFERENCE_NUMBER_FIXED_FEES}",
        DEMO_REFERENCE_NUMBER_FIXED_FEES,
    ),
]

STAFF = [
    ("agent.demo", "Agent-2026", "agent", "Émilie", "Bouchard"),
    ("superviseur.demo", "Superviseur-2026", "superviseur", "François", "Lavoie"),
]


def sign_ins() -> list[tuple[str, str, str]]:
    """(who, username or reference number, password) for the README and `make run`."""
    rows = []
    for demo in PROFESSIONALS:
        if demo.username:
            rows.append((demo.description, demo.username, demo.password))
        else:
            rows.append((demo.description, f"référence {demo.reference_number}", "—"))
    for username, password, role, first, last in STAFF:
        rows.append((f"{role} ({first} {last}), /admin/", username, password))
    return rows


INSTITUTIONS = [
    ("001", "Banque de Montréal"), ("002", "Banque Scotia"), ("003", "Banque Royale du Canada"),
    ("004", "Banque Toronto-Dominion"), ("006", "Banque Nationale du Canada"), ("010", "Banque CIBC"),
    ("815", "Fédération des caisses Desjardins du Québec"), ("829", "Caisses populaires de l'Ontario"),
]
DEVELOPERS = [("70001", "Logiciels Dentaires Québec"), ("70002", "OptoFacture"), ("70003", "Santé Numérique Inc.")]
AGENCIES = [
    # transmission number, name, type, address
    ("11111", "Facturation Pro ATD", "ATD", ("500, Grande Allée Est", "Québec", "G1R 2J7")),
    ("22222", "Regroupement dentaire de la Capitale", "ISE", ("200, boulevard Charest Est", "Québec", "G1K 3H1")),
    ("33333", "Agence privée Dre Roy", "DIS", ("300, boulevard René-Lévesque", "Sherbrooke", "J1H 1A1")),
]
DEMO_GROUP_NUMBER = "500001"


@transaction.atomic
def load() -> None:
    today = clock.today()
    generate_payment_dates(until=today + timedelta(days=2 * 366))
    _load_reference_data()
    for demo in PROFESSIONALS:
        _load_professional(demo)
    BillingAgency.objects.filter(transmission_number="33333", owner__isnull=True).update(
        owner=Professional.objects.get(licence_number="10003", profession__code="chirurgien-buccal")
    )
    for username, password, role, first, last in STAFF:
        if not User.objects.filter(username=username).exists():
            user = User.objects.create_user(username=username, password=password, first_name=first, last_name=last, is_staff=True)
            user.groups.add(Group.objects.get(name=role))
    _load_last_payment(today)


def _load_last_payment(today) -> None:
    """The last payment run (NOT-2): statements, with invented balances, and the dentist's deposit notice.
    Once: a second load changes nothing."""
    last = PaymentDate.objects.filter(date__lte=today).order_by("-date").values_list("date", flat=True).first()
    if last is not None and not PaymentRun.objects.filter(payment_date=last).exists():
        # The demo's accounts were open long before (a run concerns the accounts open on its date).
        before = datetime.combine(last - timedelta(days=60), time(9), tzinfo=clock.QUEBEC)
        BillingAccount.objects.filter(opened_at__gt=before).update(opened_at=before)
        payment_run.issue(payment_date=last, balances=payment_run.demo_balances)


def _load_professional(demo: DemoProfessional) -> None:
    profession = Profession.objects.get(code=demo.profession)
    professional = Professional.objects.filter(profession=profession, licence_number=demo.licence).first()
    if professional is not None:
        return
    opened = services.open_file(
        profession=profession, licence_number=demo.licence, last_name=demo.last_name, first_name=demo.first_name,
        birth_date=demo.birth_date, language="fr", address=demo.address, opened_by=None,
        remuneration_mode=demo.remuneration_mode,
    )
    professional = opened.professional
    if demo.username is None:
        # A known reference number, so that the demo can enrol; real ones are random (DOS-2).
        Professional.objects.filter(pk=professional.pk).update(
            reference_number_hash=numbers.hash_reference_number(demo.reference_number)
        )
        return
    user = User.objects.create_user(
        username=demo.username, password=demo.password, first_name=demo.first_name, last_name=demo.last_name
    )
    now = clock.now()
    Professional.objects.filter(pk=professional.pk).update(
        user=user, reference_number_used_at=now, engagement_confirmed_at=now, registered_at=now
    )
    Telephone.objects.create(professional=professional, kind=TelephoneKind.OFFICE, number="+14185550100", extension="12")
    Telephone.objects.create(professional=professional, kind=TelephoneKind.HOME, number="+14185550199")
    PlaceOfPractice.objects.create(
        professional=professional, name=f"Clinique {demo.last_name}", is_main=True, line1=demo.address.line1,
        city=demo.address.city, province="QC", postal_code=demo.address.postal_code, main_telephone="+14185550100",
    )
    if demo.username == "dentiste.demo":
        _load_billing(professional)


def _load_reference_data() -> None:
    """Financial institutions, software developers and one agency of each type (ETC-3)."""
    for number, name in INSTITUTIONS:
        FinancialInstitution.objects.get_or_create(number=number, defaults={"name": name})
    for number, name in DEVELOPERS:
        SoftwareDeveloper.objects.get_or_create(number=number, defaults={"name": name})
    for number, name, kind, (line1, city, postal) in AGENCIES:
        BillingAgency.objects.get_or_create(
            transmission_number=number,
            defaults={"name": name, "agency_type": kind, "line1": line1, "city": city, "province": "QC", "postal_code": postal},
        )


def _load_billing(professional) -> None:
    """The full-file dentist: transfer to a bank account, an agency, a collective account (CPT-2)."""
    personal = BillingAccount.objects.get(professional=professional, kind=AccountKind.PERSONAL)
    now = clock.now()
    PaymentSettings.objects.create(
        account=personal, mode=PaymentMode.TRANSFER, institution=FinancialInstitution.objects.get(number="815"), transit="30012",
        bank_account="1234567", bank_account_last3="567", personal_account_confirmed=True,
        effective_from=now.date() - timedelta(days=60), recorded_at=now, in_force_recorded_at=now,
    )
    StatementSettings.objects.filter(account=personal).update(
        option=StatementOption.AGENCY, agency=BillingAgency.objects.get(transmission_number="11111"),
        reception_mode=ReceptionMode.TELECOM, mandate_accepted=True,
    )
    collective = BillingAccount.objects.create(
        professional=professional, kind=AccountKind.COLLECTIVE, number=f"C{DEMO_GROUP_NUMBER}", name="Clinique dentaire Saint-Jean",
        group_number=DEMO_GROUP_NUMBER, opened_at=now,
    )
    AccountMembership.objects.create(account=collective, professional=professional, joined_at=now)
    address = professional.correspondence_addresses.first()
    StatementSettings.objects.create(
        account=collective, option=StatementOption.NONE, updated_at=now,
        **AddressInput.of(address).as_dict(),
    )
