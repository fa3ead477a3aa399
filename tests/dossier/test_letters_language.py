"""Issue 15: letters (DOS-2) and emails are dated and worded in the professional's correspondence language,
whoever prints or sends them; a French "de" before a vowel is elided ("dossier d'optométriste")."""
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dossier.models import Profession
from notifications import outbox
from notifications.models import OutboundMessage
from ramq_portal import clock
from tests import factories

NBSP = "\u00a0"


# --- elision ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "french", "english"), [
    ("optometriste", "Votre dossier d'optométriste a été ouvert", "Your optometrist file has been opened"),
    ("chirurgien-dentiste", "Votre dossier de chirurgien-dentiste a été ouvert", "Your dentist file has been opened"),
    ("chirurgien-buccal", "Votre dossier de spécialiste en chirurgie buccale et maxillo-faciale a été ouvert",
     "Your oral and maxillofacial surgeon file has been opened"),
])
def test_the_number_letter_elides_de_before_a_vowel(client, agent, code, french, english):
    client.force_login(agent)
    for language, expected in (("fr", french), ("en", english)):
        professional = factories.ProfessionalFactory(profession=Profession.objects.get(code=code), language=language)
        page = client.get(reverse("admin:dossier_professional_number_letter", args=[professional.pk])).content.decode()
        assert expected in page.replace("&#x27;", "'")


def test_a_name_after_de_is_elided(client, agent):
    client.force_login(agent)
    for first, last, expected in [("Élise", "Bergeron", "Dossier complet d'Élise Bergeron"),
                                  ("Alice", "Tremblay", "Dossier complet d'Alice Tremblay"),
                                  ("Bob", "Gagnon", "Dossier complet de Bob Gagnon")]:
        professional = factories.ProfessionalFactory(first_name=first, last_name=last)
        page = client.get(reverse("admin:dossier_professional_overview", args=[professional.pk]), HTTP_ACCEPT_LANGUAGE="fr")
        assert expected in page.content.decode().replace("&#x27;", "'")


# --- letters and emails in the recipient's language --------------------------------------------------

@pytest.mark.parametrize(("staff", "recipient", "dated", "subject", "chrome"), [
    ("en", "fr", "Québec, le 1er septembre 2026", f"Objet{NBSP}: votre numéro de professionnel", "Back to the file"),
    ("fr", "en", "Québec, September 1, 2026", "Subject: your professional number", "Retour au dossier"),
])
def test_DOS_2_a_letter_is_dated_and_worded_in_the_professional_language_not_the_staff_member(
        client, agent, frozen_clock, staff, recipient, dated, subject, chrome):
    frozen_clock(factories.aware(2026, 9, 1, 10))
    professional = factories.ProfessionalFactory(language=recipient)
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = staff
    page = client.get(reverse("admin:dossier_professional_number_letter", args=[professional.pk])).content.decode()
    assert dated in page and subject in page
    assert chrome in page  # the staff's own part of the page stays in the staff member's language
    assert f'lang="{recipient}"' in page


@pytest.mark.parametrize(("language", "subject", "dated"), [
    ("fr", f"Mon dossier{NBSP}: vos coordonnées bancaires ont été modifiées", "au paiement du 1er septembre 2026."),
    ("en", "My file: your bank details were changed", "September 1, 2026"),
])
def test_an_email_is_written_in_its_language_and_its_subject_keeps_the_non_breaking_space(alice, language, subject, dated):
    message = OutboundMessage.objects.create(
        professional=alice, channel="courriel", template="coordonnees_bancaires", to="alice@example.com", language=language,
        context={"account_number": "2500031", "effective_from": "2026-09-01"}, created_at=clock.now(), next_attempt_at=clock.now())
    with translation.override("en" if language == "fr" else "fr"):  # whoever triggers the sending
        rendered = outbox.render(message)
    assert rendered.subject == subject
    assert dated in rendered.text and dated in rendered.html
