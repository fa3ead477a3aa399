"""STF-6: staff see a professional's whole file on one admin page (coordinates in force and pending,
accounts with their settings masked, open requests, messages, latest changes), linked from the
professional's page, in a fixed number of queries whatever the size of the file."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from comptes import services as comptes_services
from dossier import profile
from dossier.addresses import AddressInput
from dossier.constants import RequestStatus
from dossier.models import Request
from notifications.models import SecureMessage
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock, writing
from tests.comptes.test_comptes_access_and_queries import PaymentSettingsFactory, administrative_account

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
MAX_QUERIES = 18  # measured at every size: 3 for the signed-in agent and permissions, 15 for the file


def html(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def overview(professional) -> str:
    return reverse("admin:dossier_professional_overview", args=[professional.pk])


def grow(professional, size):
    """`size` of everything: administrative accounts with payment and an address, open and decided
    requests, secure messages."""
    PaymentSettingsFactory(account=professional.billing_accounts.get())
    for i in range(size):
        account = administrative_account(professional, i)
        with transaction.atomic():
            comptes_services.change_account_address(
                account=account, address=AddressInput(country="CA", line1=f"{i + 1}, rue du Compte", city="Laval", province="QC",
                                                      postal_code="H7N 1A1"),
                effective_from=clock.today(), by=None, reason="test")
        for status in (RequestStatus.RECEIVED, RequestStatus.ACCEPTED):
            Request.objects.create(kind=MessageToTheBoard.code, professional=professional, status=status,
                                   payload={"subject": f"Question {i} ({status})", "body": "…"},
                                   received_at=clock.now(), due_date=clock.today() + timedelta(days=5))
        SecureMessage.objects.create(professional=professional, subject=f"Avis {i}", body="…", created_at=clock.now())


@pytest.mark.parametrize("size", [0, 1, 25])
def test_STF_6_the_whole_file_in_a_fixed_number_of_queries(client, alice, agent, pay_calendar, django_assert_max_num_queries, size):
    grow(alice, size)
    client.force_login(agent)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(overview(alice), **FRENCH)
    assert response.status_code == 200
    page = html(response)
    assert page.count("Ouvrir le compte") == size + 1  # every open account, the personal one too
    assert page.count("Question ") == size  # the open requests only, never the decided ones


def test_STF_6_the_page_shows_the_file_in_words_with_bank_numbers_masked(client, alice, agent, pay_calendar):
    grow(alice, 1)
    bank_accounts = [p.bank_account for p in PaymentSettingsFactory._meta.model.objects.filter(account__professional=alice)
                     if p.bank_account]
    in_force = alice.correspondence_addresses.get()
    result = profile.update_correspondence(
        professional=alice, address=AddressInput(country="CA", line1="77, rue Cartier", city="Québec", province="QC", postal_code="G1R 2B5"),
        declared_agency_address=False, telephones=None, cell=None, email=None, by=alice.user,
        expected_version=alice.correspondence_version)
    moving_day = result.address_effective_from
    assert moving_day > clock.today()  # PRO-5: a dated change, pending
    client.force_login(agent)
    change_page = html(client.get(reverse("admin:dossier_professional_change", args=[alice.pk]), **FRENCH))
    assert f'href="{overview(alice)}"' in change_page  # one click from the professional's page

    page = html(client.get(overview(alice), **FRENCH))
    assert in_force.line1 in page and "77, rue Cartier" in page  # in force and pending
    assert f"En vigueur le {writing.long_date(moving_day)}." in page
    assert "1, rue du Compte" in page  # the administrative account's own address (STF-7)
    assert "celle du dossier" in page  # the personal account's letters go to the file's address
    assert bank_accounts and all(number not in page for number in bank_accounts)  # masked (STF-3)
    assert all(f"•••{number[-3:]}" in page for number in bank_accounts)
    assert "Question 0 (recue)" in page and "Question 0 (acceptee)" not in page
    assert "Avis 0" in page
    history = page.split('id="vue-historique"')[1]  # the latest changes: the pending address, and who made it
    assert f"<td>Adresse de correspondance</td><td>Créé</td><td>{alice.user.get_full_name()}</td>" in history
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", page.split('id="content-main"')[1])  # dates in words, as in the portal


def test_STF_6_a_professional_cannot_open_the_staff_page(client, alice):
    client.force_login(alice.user)
    response = client.get(overview(alice), **FRENCH)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_STF_6_an_unknown_file_is_404_not_500(client, agent):
    client.force_login(agent)
    assert client.get(reverse("admin:dossier_professional_overview", args=[10**9]), **FRENCH).status_code == 404
