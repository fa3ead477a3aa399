"""Every page of a professional's file is served in a small, fixed number of SQL queries."""
import pytest
from django.urls import reverse

from comptes.constants import AccountKind
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = ["dossier:profil", "comptes:accounts", "notifications:inbox"]


def grow(professional, size):
    for i in range(size):
        factories.TelephoneFactory(professional=professional)
        factories.PlaceOfPracticeFactory(professional=professional)
        factories.CorrespondenceAddressFactory(professional=professional)
        factories.BillingAccountFactory(
            professional=professional, kind=AccountKind.INDIVIDUAL, number=f"A{professional.pk:05d}{i:04d}", name=f"Compte {i}"
        )


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("size", [0, 50])
def test_pages_of_the_file_take_a_fixed_number_of_queries(client, alice, pay_calendar, django_assert_max_num_queries, name, size):
    grow(alice, size)
    client.force_login(alice.user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_the_profil_page_shows_all_50_places_and_telephones(client, alice):
    grow(alice, 50)
    client.force_login(alice.user)
    page = client.get(reverse("dossier:profil")).content.decode()
    assert page.count('class="place"') == 51
