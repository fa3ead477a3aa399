"""INS-3, INS-4: a step of the wizard as first shown (GET), and the summary, come from the file's page
cache (ramq_portal.filecache) while neither the file nor the draft changes. What the professional or
the Régie saves shows at once, a page with errors is never cached, a warning is said on every visit,
the wizard still resumes at the step last shown, and nobody ever sees another professional's page."""
from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from calendrier import paycalendar
from comptes.constants import AccountKind, PaymentMode
from comptes.models import BillingAccount
from dossier.models import Professional
from inscription.models import RegistrationDraft
from ramq_portal import clock
from tests import factories
from tests.inscription.conftest import PASSWORD, draft_version, enrol, open_newcomer, post_step, step_data, walk_to

pytestmark = pytest.mark.django_db

START = factories.aware(2026, 11, 24, 9, 0)
SUMMARY = 7


@pytest.fixture
def registrant(client, newcomer, frozen_clock):
    """Benoît, enrolled and signed in at 9:00 on 24 November 2026, at step 1 of the wizard."""
    frozen_clock(START)
    enrol(client, newcomer)
    return newcomer.professional


@pytest.fixture
def institution(db):
    return factories.FinancialInstitutionFactory(number="815", name="Fédération des caisses Desjardins du Québec")


def url(number: int) -> str:
    return reverse("inscription:summary") if number == SUMMARY else reverse("inscription:step", args=[number])


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def without_tokens(page: str) -> str:
    """The page with its CSRF tokens blanked: they are masked afresh on every request."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', page)


def shown_twice(client, number: int) -> str:
    """The step shown (it becomes the current step), then shown again: the second time is cached."""
    client.get(url(number))
    return text(client.get(url(number)))


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5, 6, SUMMARY])
def test_a_page_shown_again_comes_from_the_cache_without_a_query(client, registrant, institution, number,
                                                                   django_assert_num_queries):
    walk_to(client, registrant, min(number, 6) - 1 if number != SUMMARY else 6)
    first = shown_twice(client, number)
    with django_assert_num_queries(0):
        again = text(client.get(url(number)))
    assert without_tokens(again) == without_tokens(first)
    assert f'name="draft_version" value="{draft_version(registrant)}"' in again or number == SUMMARY


@pytest.mark.parametrize("number", [1, 3, 6, SUMMARY])
def test_a_page_shown_again_is_sent_whole_without_rendering_a_template(client, registrant, institution, number):
    """Issue 14: the shell too comes from the cache (the page is kept whole), not only the step's
    content; the language and the display mode are each a page of their own."""
    walk_to(client, registrant, min(number, 6) - 1 if number != SUMMARY else 6)
    first = shown_twice(client, number)
    again = client.get(url(number))
    assert again.templates == []
    assert without_tokens(text(again)) == without_tokens(first)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url(number))
    assert english.templates != [] and 'lang="en"' in text(english)


def test_the_csrf_token_of_a_cached_page_is_this_requests_and_is_accepted(client, registrant):
    walk_to(client, registrant, 1)
    shown_twice(client, 2)
    page = text(client.get(url(2)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert "@@" not in page
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    data = step_data(2, registrant, csrfmiddlewaretoken=token)
    assert strict.post(url(2), data).status_code == 302


def test_what_the_professional_saves_shows_at_once_on_a_cached_step(client, registrant):
    walk_to(client, registrant, 3)
    assert "45, avenue des Pins Ouest" in shown_twice(client, 3)
    assert post_step(client, 3, registrant, line1="12, rue Nouvelle").status_code == 302
    page = text(client.get(url(3)))
    assert "12, rue Nouvelle" in page and f'name="draft_version" value="{draft_version(registrant)}"' in page


def test_what_the_regie_changes_in_the_file_shows_at_once_on_a_cached_step(client, registrant):
    assert "Votre dossier indique le statut" not in shown_twice(client, 1)
    Professional.objects.filter(pk=registrant.pk).update(participation_status="non_participant")
    assert "Votre dossier indique le statut «\u00a0Non participant\u00a0»" in text(client.get(url(1)))


def test_a_page_with_errors_is_never_cached_nor_served_from_the_cache(client, registrant):
    clean = shown_twice(client, 1)
    version = draft_version(registrant)
    error = "Veuillez corriger les erreurs suivantes."
    refused = text(client.post(url(1), step_data(1, registrant, engaged=None)))
    assert error in refused and error not in clean
    assert draft_version(registrant) == version  # nothing saved on bad input
    for _ in range(2):
        assert error not in text(client.get(url(1)))


def test_another_registrant_never_sees_this_ones_page(client, registrant):
    assert "Benoît" in shown_twice(client, 1)
    other = open_newcomer(licence="20002", first_name="Chloé", last_name="Tremblay")
    other_client = Client()
    enrol(other_client, other, username="chloe.tremblay")
    for _ in range(3):
        page = text(other_client.get(url(1)))
        assert "Chloé" in page and "Benoît" not in page
        assert "Benoît" in text(client.get(url(1)))


def test_the_wizard_resumes_at_the_step_last_shown_even_from_the_cache(client, registrant):
    walk_to(client, registrant, 3)
    shown_twice(client, 2)
    client.get(url(3))
    client.get(url(2))
    assert RegistrationDraft.objects.get(professional=registrant).current_step == 2
    assert client.get(reverse("inscription:resume"))["Location"] == url(2)


def test_back_to_the_summary_is_a_page_of_its_own(client, registrant):
    walk_to(client, registrant, 6)
    shown_twice(client, 3)
    back = text(client.get(url(3) + "?retour=recapitulatif"))
    assert 'name="retour" value="recapitulatif"' in back and "Continuer vers le récapitulatif" in back
    assert 'name="retour"' not in text(client.get(url(3)))


def test_a_date_that_passed_is_said_on_every_visit_of_the_step(client, registrant, institution, frozen_clock):
    walk_to(client, registrant, 4)
    assert post_step(client, 5, registrant, mode=PaymentMode.TRANSFER, institution=str(institution.pk), transit="12345",
                     account_number="1234567", personal_account_confirmed="on", password=PASSWORD).status_code == 302
    shown_twice(client, 5)
    frozen_clock(factories.aware(2027, 1, 20, 9))  # weeks later: the payment date shown has passed
    client.force_login(registrant.user, backend="ramq_portal.auth_backends.CachedModelBackend")
    for _ in range(2):
        assert "est passée" in text(client.get(url(5)))


def test_a_collective_account_closed_since_shows_although_it_is_another_files(client, registrant):
    holder = factories.ProfessionalFactory()
    collective = factories.BillingAccountFactory(professional=holder, kind=AccountKind.COLLECTIVE, number="88888",
                                                 name="Regroupement des Pins", group_number="12345")
    walk_to(client, registrant, 4)
    assert post_step(client, 5, registrant, choice="joindre", group_number="12345").status_code == 302
    assert post_step(client, 6, registrant).status_code == 302
    shown_twice(client, SUMMARY)
    shown_twice(client, 5)
    BillingAccount.objects.filter(pk=collective.pk).update(closed_at=clock.now())
    assert "Aucun compte collectif actif" in text(client.get(url(5)))
    summary = client.get(url(SUMMARY), follow=True)
    assert summary.redirect_chain[-1][0] == url(5) and "Aucun compte collectif actif" in text(summary)


def test_once_registered_the_cached_pages_lead_to_mon_dossier(client, registrant):
    walk_to(client, registrant, 6)
    shown_twice(client, SUMMARY)
    shown_twice(client, 6)
    assert client.post(url(SUMMARY), {"draft_version": draft_version(registrant)}).status_code == 302
    for number in (6, SUMMARY):
        assert client.get(url(number))["Location"] == reverse("dossier:profil")


# The queries of a page built afresh, right after the previous step was saved (the step, already the
# current one, is not cached yet): the file with its draft, then what the step shows of the file.
FRESH_QUERIES = {1: 1, 2: 1, 3: 4, 4: 4, 5: 4, 6: 3, SUMMARY: 6}


@pytest.mark.parametrize("number", sorted(FRESH_QUERIES))
def test_a_page_built_afresh_reads_the_file_and_its_draft_in_one_query(client, registrant, institution, number,
                                                                         django_assert_max_num_queries):
    walk_to(client, registrant, number - 1)
    if number == 1:
        client.get(url(2))  # the draft is not at step 1 any more...
        client.get(url(1))  # ...and is again, by this write: the next page is built afresh
    paycalendar.next_payment_date(clock.now())  # the pay calendar's own cache, which the test's fixtures emptied
    with django_assert_max_num_queries(FRESH_QUERIES[number]):
        assert client.get(url(number)).status_code == 200
