import pytest
from django.urls import reverse

from tests.inscription.conftest import draft_version, enrol, walk_to


@pytest.mark.django_db
def test_INS_5_the_whole_journey_through_the_client(client, newcomer):
    enrol(client, newcomer)
    walk_to(client, newcomer.professional, 6)
    page = client.get(reverse("inscription:summary"))
    assert page.status_code == 200, page.content.decode()[:3000]
    done = client.post(reverse("inscription:summary"), {"draft_version": draft_version(newcomer.professional)})
    assert done.status_code == 302 and done["Location"] == reverse("inscription:done"), done.content.decode()[:3000]
    newcomer.professional.refresh_from_db()
    assert newcomer.professional.registered_at is not None
    assert client.get(reverse("inscription:done")).status_code == 200
    assert client.get(reverse("comptes:accounts")).status_code == 200
