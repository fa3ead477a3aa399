import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_DOS_4_alice_signs_in_and_sees_her_profil(client, alice, password):
    response = client.post(reverse("login"), {"username": "alice", "password": password}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert alice.professional_number in page
    assert "Tremblay" in page
