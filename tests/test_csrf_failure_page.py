"""A form refused by the CSRF check (a page left open too long, cookies blocked) gets the portal's own
page in the person's language, says nothing was saved and what to do, and leads back: to the file for a
professional, to the administration for staff (ramq_portal.views.csrf_failure)."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from notifications.models import SecureMessage


def _strict(language: str | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
def test_a_sign_in_without_its_token_gets_a_french_page_that_says_what_to_do():
    response = _strict().post(reverse("login"), {"username": "alice", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "<title>Formulaire non envoyé" in page
    assert "Rien n'a été enregistré." in page and "rechargez-la" in page
    assert "CSRF" not in page and "Forbidden" not in page
    assert f'href="{reverse("dossier:home")}"' in page


@pytest.mark.django_db
def test_the_page_is_in_english_when_english_is_chosen():
    page = _strict("en").post(reverse("login"), {"username": "alice"}).content.decode()
    assert "<title>Form not sent" in page and "Nothing was saved." in page
    assert "Formulaire" not in page


def test_a_message_sent_without_its_token_is_refused_and_nothing_is_saved(alice):
    client = _strict()
    client.force_login(alice.user)
    before = SecureMessage.objects.count()
    response = client.post(reverse("notifications:write"), {"subject": "Question", "body": "Bonjour"})
    assert response.status_code == 403 and "Formulaire non envoyé" in response.content.decode()
    assert SecureMessage.objects.count() == before


def test_staff_are_led_back_to_the_administration(agent):
    client = _strict()
    client.force_login(agent)
    response = client.post(reverse("admin:logout"))
    page = response.content.decode()
    assert response.status_code == 403
    assert f'href="{reverse("admin:index")}"' in page and "Retour à l'administration" in page
    assert f'href="{reverse("dossier:home")}"' not in page
