"""Issue 16: messages to the Régie and requests create work for staff: one file may send 10 an hour and
30 a day online (dossier.requests.ONLINE_LIMITS), whatever the door; over that nothing is sent and the
professional is told. Paper forms entered by staff are not limited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from dossier import requests
from dossier.exceptions import TooManyRequests
from dossier.models import Request
from notifications import messaging
from notifications.models import SecureMessage
from ramq_portal import clock
from tests.factories import aware

pytestmark = pytest.mark.django_db


def test_the_eleventh_message_within_an_hour_is_refused_on_the_page_and_nothing_is_sent(client, alice, frozen_clock):
    frozen_clock(aware(2027, 5, 18, 9, 0))
    client.force_login(alice.user)
    for n in range(10):
        assert client.post(reverse("notifications:write"), {"subject": f"Question {n}", "body": "…"}).status_code == 302
    before = (Request.objects.count(), SecureMessage.objects.count())
    refused = client.post(reverse("notifications:write"), {"subject": "Question 10", "body": "…"})
    assert refused.status_code == 200 and "Rien n&#x27;a été envoyé" in refused.content.decode()
    assert (Request.objects.count(), SecureMessage.objects.count()) == before
    frozen_clock(aware(2027, 5, 18, 10, 1))  # an hour later
    client.force_login(alice.user)
    assert client.post(reverse("notifications:write"), {"subject": "Question 10", "body": "…"}).status_code == 302


def test_thirty_a_day_whatever_the_door(client, alice, frozen_clock):
    start = aware(2027, 5, 18, 8, 0)
    for n in range(30):
        frozen_clock(start + timedelta(minutes=20 * n))  # 3 an hour: under the hourly limit
        messaging.send_to_the_board(professional=alice, subject=f"Q{n}", body="…", by=alice.user)
    with pytest.raises(TooManyRequests):
        messaging.send_to_the_board(professional=alice, subject="Q30", body="…", by=alice.user)
    client.force_login(alice.user)
    response = client.post(reverse("comptes:ask_open_account"), {"collective": "individuel", "name": "Cabinet"}, follow=True)
    assert "Rien n&#x27;a été envoyé" in response.content.decode()
    assert not Request.objects.filter(payload__name="Cabinet").exists()


def test_paper_forms_entered_by_staff_are_not_limited(alice, agent, frozen_clock):
    frozen_clock(aware(2027, 5, 18, 9, 0))
    for n in range(12):
        requests.submit(professional=alice, kind=messaging.MessageToTheBoard.code, payload={"subject": f"Papier {n}"}, by=agent,
                        received_at=clock.now() - timedelta(days=1))
    assert Request.objects.filter(professional=alice).count() == 12
