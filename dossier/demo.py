"""Demo data of `make run`: named people, their files, and the pay calendar. Idempotent.

The passwords are demo-only and printed by `make run`; they are never created outside `load_demo_data`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db import transaction

from comptes.services import generate_payment_dates
from dossier import numbers, services
from dossier.constants import RemunerationMode, TelephoneKind
from dossier.models import PlaceOfPractice, Profession, Professional, Telephone, User
from ramq_portal import clock

DEMO_REFERENCE_NUMBER = "DEMO-2345-WXYZ"


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
    address: services.AddressInput
    description: str


PROFESSIONALS = [
    DemoProfessional(
        "dentiste.demo", "Dentiste-2026", "chirurgien-dentiste", "10001", "Alice", "Tremblay", date(1985, 3, 14),
        RemunerationMode.FEE_FOR_SERVICE,
        services.AddressInput(line1="1200, rue Saint-Jean", city="Québec", province="QC", postal_code="G1R 1S2"),
        "dentiste inscrite, dossier complet",
    ),
    DemoProfessional(
        None, None, "chirurgien-dentiste", "10002", "Benoît", "Gagnon", date(1996, 7, 2),
        RemunerationMode.FEE_FOR_SERVICE,
        services.AddressInput(line1="45, avenue des Pins Ouest", line2="app. 3", city="Montréal", province="QC", postal_code="H2W 1R1"),
        f"dentiste non inscrit, numéro de référence {DEMO_REFERENCE_NUMBER}",
    ),
    DemoProfessional(
        "chirurgien.demo", "Chirurgien-2026", "chirurgien-buccal", "10003", "Chantal", "Roy", date(1978, 11, 23),
        RemunerationMode.HOURLY,
        services.AddressInput(line1="300, boulevard René-Lévesque", city="Sherbrooke", province="QC", postal_code="J1H 1A1"),
        "spécialiste en chirurgie buccale et maxillo-faciale inscrite",
    ),
    DemoProfessional(
        "optometriste.demo", "Optometriste-2026", "optometriste", "10004", "David", "Côté", date(1990, 1, 30),
        RemunerationMode.FIXED_FEES,
        services.AddressInput(line1="88, rue Racine Est", city="Saguenay", province="QC", postal_code="G7H 1R5"),
        "optométriste inscrit",
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
            rows.append((demo.description, "—", "—"))
    for username, password, role, first, last in STAFF:
        rows.append((f"{role} ({first} {last}), /admin/", username, password))
    return rows


@transaction.atomic
def load() -> None:
    today = clock.today()
    generate_payment_dates(until=today + timedelta(days=2 * 366))
    for demo in PROFESSIONALS:
        _load_professional(demo)
    for username, password, role, first, last in STAFF:
        if not User.objects.filter(username=username).exists():
            user = User.objects.create_user(username=username, password=password, first_name=first, last_name=last, is_staff=True)
            user.groups.add(Group.objects.get(name=role))


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
            reference_number_hash=numbers.hash_reference_number(DEMO_REFERENCE_NUMBER)
        )
        return
    user = User.objects.create_user(
        username=demo.username, password=demo.password, first_name=demo.first_name, last_name=demo.last_name
    )
    Professional.objects.filter(pk=professional.pk).update(user=user, reference_number_used_at=clock.now())
    Telephone.objects.create(professional=professional, kind=TelephoneKind.OFFICE, number="+14185550100", extension="12")
    Telephone.objects.create(professional=professional, kind=TelephoneKind.HOME, number="+14185550199")
    PlaceOfPractice.objects.create(
        professional=professional, name=f"Clinique {demo.last_name}", is_main=True, line1=demo.address.line1,
        city=demo.address.city, province="QC", postal_code=demo.address.postal_code, main_telephone="+14185550100",
    )
