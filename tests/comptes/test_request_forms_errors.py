"""Issue 15: the request forms of the *Comptes de facturation* tab (CPT-2: open an administrative account,
join a group's collective account) and of a collective account's page (CPT-3: its new address, by
secure message) refuse bad input on the page itself, as every form of the portal does: the page again
(400; 429 when the file sent too many requests lately) with the form as sent, the error beside its field
(aria-invalid, aria-describedby) and in the summary at the top of the form, "Erreur : " at the start of
the title, and nothing saved. Sent, they still redirect with a message (POST, redirect, GET).

Those pages are kept whole in the file's page cache (ramq_portal.filecache): a page sent back with errors
is never stored there, and never served from it.
"""
from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from comptes import accounts
from comptes import services as comptes_services
from comptes.constants import AccountKind
from comptes.models import AccountMembership
from dossier import requests
from dossier.models import Request
from ramq_portal import clock
from tests import factories
from tests.french_messages import _collapse
from tests.fuzzing import shown_errors

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NBSP = "\u00a0"
ERROR_TITLE = f"<title>Erreur{NBSP}: "
TAB = reverse("comptes:accounts")
OPEN = reverse("comptes:ask_open_account")
JOIN = reverse("comptes:ask_join_collective")
DUPLICATE = "Une demande identique attend déjà le traitement de la Régie."
UNKNOWN_GROUP = "Aucun compte collectif actif ne porte ce numéro de regroupement."
ALREADY_MEMBER = "Vous faites déjà partie de ce regroupement : aucune demande n'est nécessaire."
TOO_MANY = "Vous avez envoyé beaucoup de demandes et de messages à la Régie aujourd'hui."
ADDRESS = {"country": "CA", "line1": "77, rue Cartier", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5"}


class Inputs(HTMLParser):
    """The attributes of each <input> of a page, by the input's id."""

    def __init__(self, content: str):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict] = {}
        self.feed(content)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("id"):
            self.by_id[attrs["id"]] = attrs


def page(response) -> str:
    return response.content.decode()


def assert_sent_back(response, *, field: str, error: str, status: int = 400) -> None:
    """The page again with the form as sent: the error beside `field` (an input's id, or a radio group's
    auto id) and in the summary at the top of the form, "Erreur" in the title, no flash message."""
    assert response.status_code == status, (response.status_code, response.get("Location"))
    content = page(response)
    errors, error = shown_errors(response), _collapse(error)  # as shown_errors reads it (spaces collapsed)
    assert errors.fields.get(f"{field}_error") == [error], errors.fields
    assert len(errors.summaries) == 1 and any(error in line for line in errors.summaries[0]), errors.summaries
    assert not errors.messages and not list(get_messages(response.wsgi_request))
    assert ERROR_TITLE in content
    assert content.index('id="erreurs"') < content.index(f'id="{field}_error"')  # the summary at the top of the form
    control = Inputs(content).by_id.get(field)
    if control is not None:  # a text field: tied to its error (a radio group's fieldset is, by radio_field.html)
        assert control.get("aria-invalid") == "true"
        assert f"{field}_error" in control.get("aria-describedby", "").split()


def assert_no_error_shown(response) -> None:
    assert response.status_code == 200
    content = page(response)
    assert ERROR_TITLE not in content and 'id="erreurs"' not in content and "_error" not in content


@pytest.fixture
def signed_in(client, alice, pay_calendar):
    client.force_login(alice.user)
    return client


@pytest.fixture
def group(bob):
    """Bob's collective account, group 55555: Alice does not belong to it."""
    return factories.BillingAccountFactory(professional=bob, kind=AccountKind.COLLECTIVE, number="C0000055555",
                                           name="Regroupement Gagnon", group_number="55555")


# --- CPT-2: open an administrative account ------------------------------------------------------------------------


def test_CPT_2_an_account_request_without_a_name_comes_back_with_the_error_beside_the_name(signed_in, alice):
    response = signed_in.post(OPEN, {"collective": "collectif", "name": "  "}, **FRENCH)
    assert_sent_back(response, field="id_name", error="Indiquez le nom du compte ou du regroupement.")
    assert "checked" in Inputs(page(response)).by_id["id_collective_1"]  # the type chosen is kept
    assert not Request.objects.filter(professional=alice).exists()


def test_CPT_2_an_account_request_without_a_type_keeps_the_name_typed(signed_in, alice):
    response = signed_in.post(OPEN, {"name": "Clinique de Chicoutimi"}, **FRENCH)
    assert_sent_back(response, field="id_collective", error="Choisissez le type de compte.")
    assert 'aria-describedby="id_collective_error"' in page(response)  # the radio group's fieldset
    assert Inputs(page(response)).by_id["id_name"]["value"] == "Clinique de Chicoutimi"
    assert not Request.objects.filter(professional=alice).exists()


def test_CPT_2_an_identical_account_request_pending_is_refused_beside_the_name(signed_in, alice):
    accounts.ask_to_open_account(professional=alice, collective=False, name="Clinique de Lévis", by=alice.user)
    response = signed_in.post(OPEN, {"collective": "individuel", "name": "Clinique de Lévis"}, **FRENCH)
    assert_sent_back(response, field="id_name", error=DUPLICATE)
    assert Inputs(page(response)).by_id["id_name"]["value"] == "Clinique de Lévis"
    assert Request.objects.filter(professional=alice).count() == 1


def test_CPT_2_a_valid_account_request_still_redirects_with_a_message(signed_in, alice):
    response = signed_in.post(OPEN, {"collective": "individuel", "name": "Clinique de Lévis"}, **FRENCH)
    assert response.status_code == 302 and response["Location"] == TAB
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Votre demande a été transmise à la Régie. Vous en verrez le statut ici."]
    assert Request.objects.filter(professional=alice, payload__name="Clinique de Lévis").count() == 1


# --- CPT-2: join a group's collective account ---------------------------------------------------------------------


def test_CPT_2_an_unknown_group_number_comes_back_with_the_error_beside_the_number(signed_in, alice, group):
    response = signed_in.post(JOIN, {"group_number": "99999"}, **FRENCH)
    assert_sent_back(response, field="id_group_number", error=UNKNOWN_GROUP)
    assert Inputs(page(response)).by_id["id_group_number"]["value"] == "99999"
    assert not Request.objects.filter(professional=alice).exists()


def test_CPT_2_a_closed_group_is_unknown_too(signed_in, alice, group):
    group.closed_at = clock.now()
    group.save()
    response = signed_in.post(JOIN, {"group_number": "55555"}, **FRENCH)
    assert_sent_back(response, field="id_group_number", error=UNKNOWN_GROUP)
    assert not Request.objects.filter(professional=alice).exists()


def test_CPT_2_a_group_number_missing_or_not_a_number_is_refused_beside_it(signed_in, alice):
    response = signed_in.post(JOIN, {"group_number": ""}, **FRENCH)
    assert_sent_back(response, field="id_group_number", error="Indiquez le numéro du regroupement.")
    response = signed_in.post(JOIN, {"group_number": "5000-01"}, **FRENCH)
    assert_sent_back(response, field="id_group_number", error="Le numéro de regroupement ne contient que des chiffres (5 à 12).")
    assert Inputs(page(response)).by_id["id_group_number"]["value"] == "5000-01"
    assert not Request.objects.filter(professional=alice).exists()


def test_CPT_2_a_member_asking_to_join_her_own_group_is_told_beside_the_number(signed_in, alice, group):
    AccountMembership.objects.create(account=group, professional=alice, joined_at=clock.now())
    response = signed_in.post(JOIN, {"group_number": "55555"}, **FRENCH)
    assert_sent_back(response, field="id_group_number", error=ALREADY_MEMBER)
    assert not Request.objects.filter(professional=alice).exists()


def test_CPT_2_an_identical_join_request_pending_is_refused_beside_the_number(signed_in, alice, group):
    accounts.ask_to_join_collective(professional=alice, group_number="55555", by=alice.user)
    response = signed_in.post(JOIN, {"group_number": "55555"}, **FRENCH)
    assert_sent_back(response, field="id_group_number", error=DUPLICATE)
    assert Request.objects.filter(professional=alice).count() == 1


def test_CPT_2_the_join_error_is_in_english_with_Error_in_the_title(signed_in, group):
    response = signed_in.post(JOIN, {"group_number": "99999"}, **ENGLISH)
    assert response.status_code == 400
    content = page(response)
    assert "<title>Error: " in content and "No active collective account has this group number." in content


# --- Too many requests lately (issue 16): shown on the form, status 429 -----------------------------------------


@pytest.mark.parametrize(("url", "data"), [(OPEN, {"collective": "individuel", "name": "Cabinet"}), (JOIN, {"group_number": "55555"})],
                         ids=["open", "join"])
def test_CPT_2_too_many_requests_are_told_at_the_top_of_the_form_and_nothing_is_sent(signed_in, alice, group, monkeypatch, url, data):
    monkeypatch.setattr(requests, "ONLINE_LIMITS", ((timedelta(hours=1), 0),))
    response = signed_in.post(url, data, **FRENCH)
    assert response.status_code == 429
    errors = shown_errors(response)
    assert len(errors.summaries) == 1 and any(TOO_MANY in line for line in errors.summaries[0]), errors.summaries
    assert ERROR_TITLE in page(response)
    typed = next(iter(data.values())) if url == JOIN else data["name"]
    assert f'value="{typed}"' in page(response)
    assert not Request.objects.filter(professional=alice).exists()


# --- The page cache: an error page is never stored nor served ------------------------------------------------------


@pytest.mark.parametrize(("url", "data"), [(OPEN, {"collective": "individuel", "name": ""}), (JOIN, {"group_number": "99999"})],
                         ids=["open", "join"])
def test_CPT_2_the_tab_sent_back_with_errors_is_never_cached(signed_in, group, url, data):
    assert_no_error_shown(signed_in.get(TAB, **FRENCH))  # the tab, now kept whole in the cache
    refused = signed_in.post(url, data, **FRENCH)
    assert refused.status_code == 400 and 'id="erreurs"' in page(refused)  # not the kept page
    assert_no_error_shown(signed_in.get(TAB, **FRENCH))
    assert_no_error_shown(signed_in.get(TAB, **FRENCH))  # from the cache now: still no error


def test_CPT_2_the_tab_first_rendered_after_an_error_is_the_clean_one(signed_in, group):
    """No page kept before the refused POST: the GET after it renders the tab afresh, without the error."""
    assert signed_in.post(JOIN, {"group_number": "99999"}, **FRENCH).status_code == 400
    assert_no_error_shown(signed_in.get(TAB, **FRENCH))
    assert_no_error_shown(signed_in.get(TAB, **FRENCH))


def test_the_tab_sent_back_with_errors_leads_the_language_switch_back_to_the_tab(signed_in):
    """The form's own URL takes only a POST: switching the language from the error page goes to the tab."""
    content = page(signed_in.post(JOIN, {"group_number": "1"}, **FRENCH))
    assert f'name="next" value="{TAB}"' in content


# --- CPT-3: a collective account's new address, by secure message ----------------------------------------------


@pytest.fixture
def alone(alice):
    """A collective account where Alice is alone: its page offers the address form."""
    return comptes_services.open_administrative_account(professional=alice, collective=True, name="Seule", by=None)


def address_url(account) -> str:
    return reverse("comptes:ask_collective_address", args=[account.pk])


def test_CPT_3_an_address_request_pending_is_refused_at_the_top_of_the_form_keeping_the_address(signed_in, alice, alone):
    data = {**ADDRESS, "date_of_change": clock.today().isoformat()}
    assert signed_in.post(address_url(alone), data, **FRENCH).status_code == 302
    response = signed_in.post(address_url(alone), {**data, "line1": "9, rue Neuve"}, **FRENCH)
    assert response.status_code == 400
    errors = shown_errors(response)
    assert len(errors.summaries) == 1 and DUPLICATE in errors.summaries[0], errors.summaries
    assert ERROR_TITLE in page(response)
    assert Inputs(page(response)).by_id["id_line1"]["value"] == "9, rue Neuve"
    assert Request.objects.filter(professional=alice).count() == 1


def test_CPT_3_a_past_date_is_refused_beside_it_and_the_account_page_is_not_cached_with_it(signed_in, alice, alone):
    account_page = reverse("comptes:account", args=[alone.pk])
    assert_no_error_shown(signed_in.get(account_page, **FRENCH))
    past = (clock.today() - timedelta(days=1)).isoformat()
    response = signed_in.post(address_url(alone), {**ADDRESS, "date_of_change": past}, **FRENCH)
    assert_sent_back(response, field="id_date_of_change",
                     error=f"La date du changement ne peut pas être passée{NBSP}: indiquez aujourd'hui ou une date à venir.")
    assert Inputs(page(response)).by_id["id_date_of_change"]["value"] == past
    assert f'name="next" value="{account_page}"' in page(response)  # the language switch leads back to the account
    assert not Request.objects.filter(professional=alice).exists()
    assert_no_error_shown(signed_in.get(account_page, **FRENCH))
    assert_no_error_shown(signed_in.get(account_page, **FRENCH))


def test_CPT_3_too_many_requests_are_told_on_the_address_form(signed_in, alice, alone, monkeypatch):
    monkeypatch.setattr(requests, "ONLINE_LIMITS", ((timedelta(hours=1), 0),))
    response = signed_in.post(address_url(alone), {**ADDRESS, "date_of_change": clock.today().isoformat()}, **FRENCH)
    assert response.status_code == 429
    errors = shown_errors(response)
    assert len(errors.summaries) == 1 and any(TOO_MANY in line for line in errors.summaries[0]), errors.summaries
    assert not Request.objects.filter(professional=alice).exists()


def test_CPT_3_once_another_member_joined_the_address_needs_a_letter(signed_in, alice, bob, alone):
    """The form is no longer offered then: back to the account page, which says how to ask by letter."""
    AccountMembership.objects.create(account=alone, professional=bob, joined_at=clock.now())
    response = signed_in.post(address_url(alone), {**ADDRESS, "date_of_change": clock.today().isoformat()}, **FRENCH)
    assert response.status_code == 302 and response["Location"] == reverse("comptes:account", args=[alone.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Ce compte collectif a maintenant d'autres membres{NBSP}: le changement d'adresse se fait par une lettre signée par "
        "chaque membre."]
    assert not Request.objects.filter(professional=alice).exists()
