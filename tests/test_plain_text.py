"""Issue 16: control and bidirectional characters are refused, with a clear message next to the field
and nothing saved, in every free-text field (ramq_portal.text): the professional's forms, the wizard,
a message to the Régie, the paper forms and the admin."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from django.urls import reverse

from comptes.models import FinancialInstitution
from dossier.models import PlaceOfPractice
from notifications.models import SecureMessage
from ramq_portal.text import REFUSED_CATEGORIES, invisible_characters
from tests.dossier.test_profile_rules import form_data

pytestmark = pytest.mark.django_db

HOSTILE = ["\x1b[31m", "\u202e", "\u200b", "\u2066", "\ufeff", "\u2028", "\x00", "\x85"]
PLAIN = st.text(st.characters(exclude_categories=tuple(REFUSED_CATEGORIES)), max_size=30)


@given(PLAIN, st.sampled_from(HOSTILE), PLAIN)
def test_an_invisible_character_is_found_wherever_it_hides(before, hostile, after):
    assert invisible_characters(before + after) == []
    found = invisible_characters(before + hostile + after)
    assert found and all(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in found)


def test_a_message_keeps_its_line_breaks_and_tabs():
    assert invisible_characters("Bonjour,\r\n\tmerci.", multiline=True) == []
    assert invisible_characters("Bonjour,\r\n\tmerci.") == ["\r", "\n", "\t"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_correspondence_address_refuses_it_next_to_the_field_and_saves_nothing(client, alice, hostile):
    client.force_login(alice.user)
    response = client.post(reverse("dossier:edit_correspondence"), form_data(alice, line1=f"12, rue{hostile} Principale"))
    page = response.content.decode()
    assert response.status_code == 200
    error = page[page.index('<div id="id_line1_error">'):]
    assert "caractère invisible ou de contrôle" in error[:error.index("</div>")]
    assert not alice.correspondence_addresses.filter(line1__contains="Principale").exists()


def test_a_message_to_the_regie_refuses_a_bidi_override_and_sends_nothing(client, alice):
    client.force_login(alice.user)
    before = SecureMessage.objects.count()
    response = client.post(reverse("notifications:write"), {"subject": "Facture", "body": "Montant : 100\u202e001 $"})
    assert response.status_code == 200 and "U+202E" in response.content.decode()
    assert SecureMessage.objects.count() == before
    sent = client.post(reverse("notifications:write"), {"subject": "Facture", "body": "Ligne 1\r\nLigne 2"})
    assert sent.status_code == 302


def test_the_practice_form_refuses_a_zero_width_space_in_a_place_name(client, alice):
    client.force_login(alice.user)
    place = alice.places_of_practice.get()
    data = {"version": alice.practice_version, "lieu-TOTAL_FORMS": "1", "lieu-INITIAL_FORMS": "1", "lieu-MIN_NUM_FORMS": "0",
            "lieu-MAX_NUM_FORMS": "100", "lieu-0-id": place.pk, "lieu-0-name": "Clinique\u200bdu Parc", "lieu-0-is_main": "on",
            "lieu-0-country": "CA", "lieu-0-line1": place.line1, "lieu-0-city": place.city, "lieu-0-province": place.province,
            "lieu-0-postal_code": place.postal_code, "lieu-0-main_telephone": str(place.main_telephone)}
    response = client.post(reverse("dossier:edit_practice"), data)
    assert response.status_code == 200 and "U+200B" in response.content.decode()
    assert not PlaceOfPractice.objects.filter(name__contains="du Parc").exists()


def test_the_admin_refuses_it_too(admin_client):
    response = admin_client.post(reverse("admin:comptes_financialinstitution_add"), {"number": "999", "name": "Banque\u202e du Nord"})
    assert response.status_code == 200 and "caractère invisible ou de contrôle" in response.content.decode()
    assert not FinancialInstitution.objects.filter(number="999").exists()
