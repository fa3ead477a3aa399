"""Fixtures of the registration tests: a newcomer whose file was just opened (DOS-2) and who holds the
reference number of the letter, and a client that walks the wizard."""
from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from dossier.constants import RemunerationMode
from dossier.addresses import AddressInput
from dossier.services import open_file
from inscription.models import RegistrationDraft
from tests import factories

USERNAME = "benoit.gagnon"
PASSWORD = "Nouveau-depart-2026"
ANSWERS = [("ecole", "École Sainte-Foy"), ("animal", "Pistache"), ("ville_mere", "Trois-Rivières")]


def open_newcomer(licence="20001", first_name="Benoît", last_name="Gagnon", remuneration_mode=RemunerationMode.FEE_FOR_SERVICE):
    return open_file(
        profession=factories.ProfessionFactory(), licence_number=licence, last_name=last_name, first_name=first_name,
        birth_date=date(1996, 7, 2), language="fr", opened_by=None, remuneration_mode=remuneration_mode,
        address=AddressInput(line1="45, avenue des Pins Ouest", line2="app. 3", city="Montréal", province="QC", postal_code="H2W 1R1"),
    )


@pytest.fixture
def newcomer(db, pay_calendar):
    """Benoît Gagnon, a dentist whose file was just opened: `.professional`, `.reference_number`."""
    return open_newcomer()


def identity(opened, **changes) -> dict:
    p = opened.professional
    data = {"reference_number": opened.reference_number, "last_name": p.last_name, "first_name": p.first_name,
            "birth_date": p.birth_date.isoformat(), "licence_number": p.licence_number, "policy_accepted": "on"}
    data.update(changes)
    return data


def account_data(username=USERNAME, password=PASSWORD, answers=ANSWERS) -> dict:
    data = {"username": username, "password1": password, "password2": password}
    for index, (question, answer) in enumerate(answers):
        data[f"question_{index}"] = question
        data[f"answer_{index}"] = answer
    return data


def enrol(client, opened, username=USERNAME):
    """INS-2 through the two pages; the client ends signed in."""
    first = client.post(reverse("inscription:enrol"), identity(opened))
    assert first.status_code == 302, first.content.decode()[:3000]
    second = client.post(reverse("inscription:enrol_account"), account_data(username=username))
    assert second.status_code == 302 and second["Location"] == reverse("inscription:resume"), second.content.decode()[:3000]
    first_step = client.get(second["Location"], follow=True)
    assert first_step.status_code == 200
    return first_step


def draft_version(professional) -> str:
    return str(RegistrationDraft.objects.get(professional=professional).version)


def address(prefix="", **changes) -> dict:
    data = {"country": "CA", "line1": "45, avenue des Pins Ouest", "line2": "app. 3", "city": "Montréal", "province": "QC",
            "postal_code": "H2W 1R1"}
    data.update(changes)
    return {prefix + key: value for key, value in data.items()}


def step_data(number: int, professional, **changes) -> dict:
    """Valid entries for each step (every optional part skipped)."""
    professional.refresh_from_db()
    account = professional.billing_accounts.get(kind="personnel")
    if number == 1:
        data = {"engaged": "on"}
    elif number == 2:
        data = {}
    elif number == 3:
        phones = list(professional.telephones.all())  # the rows the page shows, posted back unchanged
        data = {"version": professional.correspondence_version, **address(), "email": "", "email_confirm": "", "cell": "",
                "tel-TOTAL_FORMS": str(len(phones) + 1), "tel-INITIAL_FORMS": str(len(phones)), "tel-MIN_NUM_FORMS": "0",
                "tel-MAX_NUM_FORMS": "5", f"tel-{len(phones)}-kind": "", f"tel-{len(phones)}-number": "", f"tel-{len(phones)}-extension": ""}
        for index, phone in enumerate(phones):
            data.update({f"tel-{index}-kind": phone.kind or "autre", f"tel-{index}-number": str(phone.number),
                         f"tel-{index}-extension": phone.extension})
    elif number == 4:
        data = {"version": professional.practice_version, "lieu-TOTAL_FORMS": "1", "lieu-INITIAL_FORMS": "0", "lieu-MIN_NUM_FORMS": "0",
                "lieu-MAX_NUM_FORMS": "100", "lieu-0-name": "Clinique des Pins", "lieu-0-is_main": "on",
                **address("lieu-0-", line1="100, avenue des Pins Ouest", line2=""), "lieu-0-main_telephone": "514 555-0142"}
    elif number == 5:
        data = {"version": account.version, "mode": "cheque", "payment_authorised": "on", "recovery_authorised": "on", "choice": "aucun"}
    elif number == 6:
        data = {"version": account.version, "option": "aucune", **address()}
    data.update({"action": "continuer", "draft_version": draft_version(professional)})
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post_step(client, number: int, professional, **changes):
    return client.post(reverse("inscription:step", args=[number]), step_data(number, professional, **changes))


def walk_to(client, professional, last: int):
    """Continue through steps 1..last with valid entries."""
    for number in range(1, last + 1):
        response = post_step(client, number, professional)
        assert response.status_code == 302, f"step {number}: {response.content.decode()[:4000]}"
