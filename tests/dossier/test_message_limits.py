"""Issue 16: the portal cannot be used to send texts or emails to others' numbers or addresses. Codes
and links are limited per file and per destination (dossier.tokens), whatever the door; over the limit
nothing is sent and nothing is saved, and the professional is told next to the field."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from dossier import profile, tokens
from dossier.constants import TokenPurpose
from dossier.exceptions import TooManyMessages
from notifications.sms import LocmemSmsBackend
from tests import factories
from tests.dossier.test_profile_rules import form_data
from tests.factories import aware

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    LocmemSmsBackend.outbox.clear()


def _cell(n: int) -> str:
    return f"+1418555{n:04d}"


def test_changing_the_cell_again_and_again_sends_five_codes_an_hour_then_says_so_next_to_the_field(
    client, alice, frozen_clock, django_capture_on_commit_callbacks,
):
    frozen_clock(aware(2027, 5, 18, 9, 0))
    client.force_login(alice.user)
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("dossier:edit_correspondence"), form_data(alice, cell=_cell(n)))
        assert response.status_code == 302
    assert len(LocmemSmsBackend.outbox) == 5
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("dossier:edit_correspondence"), form_data(alice, cell=_cell(9), line2="Bureau 9"))
    page = refused.content.decode()
    assert refused.status_code == 200 and "Trop de codes de confirmation ont été envoyés récemment" in page
    cell_error = page[page.index('<div id="id_cell_error">'):]  # next to the cell field
    assert "Trop de codes de confirmation" in cell_error[:cell_error.index("</div>")]
    alice.refresh_from_db()
    assert alice.cell_number.as_e164 == _cell(4) and not alice.correspondence_addresses.filter(line2="Bureau 9").exists()
    assert len(LocmemSmsBackend.outbox) == 5
    frozen_clock(aware(2027, 5, 18, 10, 1))  # an hour later, one more
    client.force_login(alice.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("dossier:edit_correspondence"), form_data(alice, cell=_cell(9))).status_code == 302
    assert len(LocmemSmsBackend.outbox) == 6


def test_one_number_gets_at_most_five_codes_a_day_whatever_the_files(alice, frozen_clock):
    frozen_clock(aware(2027, 5, 18, 9, 0))
    victim = _cell(7777)
    others = [factories.ProfessionalFactory() for _ in range(6)]
    for professional in others[:5]:
        tokens.issue(professional=professional, purpose=TokenPurpose.CELL, target=victim, moment=aware(2027, 5, 18, 9, 0), code="123456")
    with pytest.raises(TooManyMessages):
        tokens.issue(professional=others[5], purpose=TokenPurpose.CELL, target=victim, moment=aware(2027, 5, 18, 20, 0), code="123456")
    tokens.issue(professional=others[5], purpose=TokenPurpose.CELL, target=victim, moment=aware(2027, 5, 19, 9, 1), code="123456")


def test_an_address_gets_at_most_five_links_a_day_whatever_the_case(alice, frozen_clock):
    frozen_clock(aware(2027, 5, 18, 9, 0))
    for n, spelling in enumerate(["cible@exemple.ca", "Cible@Exemple.ca", "CIBLE@EXEMPLE.CA", "cible@exemple.CA", "cible@Exemple.ca"]):
        tokens.issue(professional=factories.ProfessionalFactory(), purpose=TokenPurpose.EMAIL, target=spelling, moment=aware(2027, 5, 18, 9, n))
    with pytest.raises(TooManyMessages):
        tokens.issue(professional=factories.ProfessionalFactory(), purpose=TokenPurpose.EMAIL, target="cible@exemple.ca",
                     moment=aware(2027, 5, 18, 9, 30))


def test_a_file_gets_at_most_ten_links_a_day_resends_included(client, alice, frozen_clock, django_capture_on_commit_callbacks):
    start = aware(2027, 5, 18, 8, 0)
    for n in range(10):  # two an hour: under the hourly limit, up to the daily one
        frozen_clock(start + timedelta(minutes=30 * n))
        with django_capture_on_commit_callbacks(execute=True):
            profile.update_correspondence(**_email_change(alice, f"m{n}@exemple.ca"))
    frozen_clock(start + timedelta(hours=6))
    client.force_login(alice.user)
    sent = len(mail.outbox)
    response = client.post(reverse("dossier:resend_email_link"), follow=True)
    assert "Trop de liens de validation ont été envoyés récemment" in response.content.decode()
    assert len(mail.outbox) == sent


def _email_change(professional, email: str) -> dict:
    professional.refresh_from_db()
    return dict(professional=professional, expected_version=professional.correspondence_version, address=None,
                declared_agency_address=False, telephones=None, cell=None, email=email, by=professional.user)
