"""BEY-8: staff flag a correspondence address as returned by the post; at the next sign-in the
professional confirms or corrects the coordinates before anything else."""
from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from dossier.models import Professional
from tests import factories

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def flag(agent, alice):
    staff = Client()
    staff.force_login(agent, backend="ramq_portal.auth_backends.CachedModelBackend")
    staff.post(reverse("admin:dossier_professional_changelist"), {"action": "flag_returned_mail", "_selected_action": [alice.pk]})
    return Professional.objects.get(pk=alice.pk)


def sign_in(alice) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": alice.user.username, "password": factories.PASSWORD}).status_code == 302
    return client


def test_BEY_8_staff_flag_returned_mail_and_the_history_says_who(alice, agent):
    flagged = flag(agent, alice)
    assert flagged.returned_mail_at is not None
    assert flagged.history.filter(history_user=agent, history_change_reason="Courrier retourné signalé").exists()


def test_BEY_8_at_the_next_sign_in_every_page_asks_to_confirm_first(alice, agent, pay_calendar):
    flag(agent, alice)
    client = sign_in(alice)
    for url in (reverse("dossier:home"), reverse("dossier:profil"), reverse("comptes:accounts"), reverse("notifications:inbox")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("dossier:confirm_coordinates"), url
    page = text(client.get(reverse("dossier:confirm_coordinates")))
    assert "nous a été retournée par la poste" in page and alice.correspondence_addresses.get().line1 in page
    assert client.get(reverse("dossier:edit_correspondence")).status_code == 200  # correcting stays possible


def test_BEY_8_confirming_lifts_it(alice, agent):
    flag(agent, alice)
    client = sign_in(alice)
    assert client.post(reverse("dossier:confirm_coordinates")).status_code == 302
    assert client.get(reverse("dossier:profil")).status_code == 200
    professional = Professional.objects.get(pk=alice.pk)
    assert professional.returned_mail_at is None
    assert professional.history.filter(history_change_reason="Coordonnées confirmées après un courrier retourné").exists()


def test_BEY_8_correcting_the_coordinates_lifts_it(alice, agent, pay_calendar):
    flag(agent, alice)
    client = sign_in(alice)
    professional = Professional.objects.get(pk=alice.pk)
    phone = professional.telephones.get()
    data = {"version": professional.correspondence_version, "country": "CA", "line1": "7, rue Corrigée", "line2": "", "city": "Québec",
            "province": "QC", "postal_code": "G1R 2B5", "cell": "", "email": "", "email_confirm": "",
            "tel-TOTAL_FORMS": "2", "tel-INITIAL_FORMS": "1", "tel-MIN_NUM_FORMS": "0", "tel-MAX_NUM_FORMS": "5",
            "tel-0-kind": phone.kind or "autre", "tel-0-number": str(phone.number), "tel-0-extension": "",
            "tel-1-kind": "", "tel-1-number": "", "tel-1-extension": ""}
    assert client.post(reverse("dossier:edit_correspondence"), data).status_code == 302
    assert Professional.objects.get(pk=alice.pk).returned_mail_at is None
    assert client.get(reverse("dossier:profil")).status_code == 200


def test_BEY_8_nobody_else_is_asked(alice, bob, agent):
    flag(agent, alice)
    client = sign_in(bob)
    assert client.get(reverse("dossier:profil")).status_code == 200
    assert client.get(reverse("dossier:confirm_coordinates"))["Location"] == reverse("dossier:profil")


def test_BEY_8_a_professional_cannot_flag_anything(alice, bob):
    client = sign_in(bob)
    response = client.post(reverse("admin:dossier_professional_changelist"), {"action": "flag_returned_mail", "_selected_action": [alice.pk]})
    assert response.status_code == 302 and Professional.objects.get(pk=alice.pk).returned_mail_at is None
