"""HLP-1: wherever the portal sends someone to a paper form or asks them to contact the Régie, it names
the form (number and title, with the Régie's page that offers it) and shows how to reach the Régie."""
from __future__ import annotations

import html
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from comptes.constants import AccountKind
from comptes.models import AccountMembership
from ramq_portal import clock, regie
from tests import factories

pytestmark = pytest.mark.django_db

BACKEND = "ramq_portal.auth_backends.CachedModelBackend"
NUMBERS = ["418 780-4208", "514 687-3612", "1 888 330-3023"]


def _help_blocks(page: str) -> list[str]:
    return [html.unescape(block) for block in re.findall(r'<div class="regie-help">.*?</ul>\s*</div>', page, flags=re.S)]


def _shows_how_to_reach_the_regie(block: str) -> bool:
    return (all(number in block for number in NUMBERS) and "418 646-8110" in block
            and "C. P. 6600, succ. Terminus" in block and "G1K 7T3" in block
            and {"tel:+14187804208", "tel:+15146873612", "tel:+18883303023"} <= set(re.findall(r'href="(tel:[^"]+)"', block)))


@pytest.fixture
def alice_client(client, alice, pay_calendar):
    client.force_login(alice.user, backend=BACKEND)
    return client


def test_HLP_1_an_individual_administrative_account_names_form_3102_and_3005_and_how_to_reach_the_regie(alice_client, alice):
    account = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A10000001", name="Cabinet Tremblay")
    page = alice_client.get(reverse("comptes:account", args=[account.pk])).content.decode()
    blocks = _help_blocks(page)
    assert len(blocks) == 2 and all(_shows_how_to_reach_the_regie(block) for block in blocks)
    assert "Changement d'adresse – Professionnels de la santé – Dispensateurs de services assurés (3102)" in blocks[0]
    assert "(3005)" in blocks[1] and "(3102)" not in blocks[1]
    assert f'href="{regie.FORMS["3102"].page}"' in blocks[0]


def test_HLP_1_the_help_is_in_english_for_an_english_page(alice_client, alice):
    account = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A10000002", name="Cabinet")
    alice_client.cookies["django_language"] = "en"
    page = alice_client.get(reverse("comptes:account", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    block = _help_blocks(page)[0]
    assert "How to reach the Régie" in block and "Telephone, Toll-free: " in block and "Fax: 418 646-8110" in block
    assert "Change of address – Health professionals – Providers of insured services (3102)" in block
    assert "\u00a0:" not in block


def test_HLP_1_a_collective_account_says_how_to_send_the_letter(alice_client, alice, bob):
    account = factories.BillingAccountFactory(professional=bob, kind=AccountKind.COLLECTIVE, number="C10000001", name="Clinique")
    AccountMembership.objects.create(account=account, professional=alice, joined_at=clock.now())
    page = alice_client.get(reverse("comptes:account", args=[account.pk])).content.decode()
    assert "envoyez une lettre signée par chaque membre" in page
    blocks = _help_blocks(page)
    assert len(blocks) == 2 and _shows_how_to_reach_the_regie(blocks[0]) and "(3005)" in blocks[1]


def test_HLP_1_a_dead_not_me_link_says_how_to_reach_the_regie(client):
    page = client.get(reverse("report_email_change", args=["not-a-valid-key"])).content.decode()
    assert "Communiquez avec la Régie" in page
    assert _shows_how_to_reach_the_regie(_help_blocks(page)[0])


@pytest.mark.parametrize("template", ["mot_de_passe_change", "coordonnees_bancaires"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_HLP_1_an_email_that_says_to_contact_the_regie_gives_its_numbers(alice, template, language):
    context = {"professional": alice, "changed_at": clock.now(), "effective_from": clock.today(), "account_number": "A1"}
    with translation.override(language):
        text = render_to_string(f"notifications/courriel/{template}_body.txt", context)
        html_body = render_to_string(f"notifications/courriel/{template}_body.html", context)
    for body in (text, html.unescape(html_body)):
        assert all(number in body for number in NUMBERS) and "418 646-8110" in body and "G1K 7T3" in body
    assert ("Toll-free: 1 888 330-3023" if language == "en" else "Sans frais\u00a0: 1 888 330-3023") in text


def test_HLP_1_every_form_the_portal_names_is_known_with_its_title_and_page():
    assert set(regie.FORMS) == {"3102", "2914", "2404", "3018", "2788", "3005", "1378"}
    assert all(form.page.startswith("https://www.ramq.gouv.qc.ca/") and str(form.title) for form in regie.FORMS.values())
    assert [phone.tel for phone in regie.TELEPHONES] == ["+14187804208", "+15146873612", "+18883303023"]


def test_HLP_1_the_page_for_those_who_do_not_register_names_form_1378_and_how_to_send_it(client):
    page = client.get(reverse("inscription:not_registering")).content.decode()
    [block] = _help_blocks(page)
    assert "Avis de désengagement, de réengagement ou de non-participation (1378)" in block and _shows_how_to_reach_the_regie(block)


@pytest.mark.parametrize(("language", "words"), [("fr", "tiennent à jour leur dossier"), ("en", "keep their file")])
def test_every_page_has_an_icon_and_a_description_in_its_language(client, language, words):
    """Issue 15: no favicon 404 in the console, a meta description for search engines and previews."""
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    description = re.search(r'<meta name="description" content="([^"]+)">', page)
    assert description and words in html.unescape(description.group(1))
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon and icon.group(1).endswith(".svg")
