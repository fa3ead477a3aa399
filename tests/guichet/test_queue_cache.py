"""STF-1, issue 14: the request queue is kept whole per agent (guichet.admin.RequestAdmin.changelist_view
through ramq_portal.filecache.serve) and never shows an agent a list older than the last change: a new
request, an assignment (a queryset update), a professional's new name, an agent's new name, the next day.
A kept page is never shown to someone who may not see it, and carries each request's own CSRF token."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from dossier import requests
from dossier.models import Request
from notifications.request_kinds import MessageToTheBoard
from tests import factories
from tests.factories import aware

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:dossier_request_changelist"


def ask(professional, subject):
    return requests.submit(professional=professional, kind=MessageToTheBoard.code, payload={"subject": subject}, by=None)


def queue(client, params=None):
    response = client.get(reverse(CHANGELIST), params or {})
    assert response.status_code == 200
    return response


def kept(response) -> bool:
    """Whether the page came from the cache: nothing was rendered for it."""
    return response.context is None


@pytest.fixture
def agent_client(client, agent, alice):
    ask(alice, "Première question")
    client.force_login(agent)
    first = queue(client)
    assert not kept(first)
    return client


def test_STF_1_the_queue_is_kept_and_served_again_with_fewer_queries(agent_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the session, the user's and the groups' permissions
        again = queue(agent_client)
    assert kept(again)
    page = again.content.decode()
    assert "Première question" in page
    assert "<title>Demandes | Mon dossier</title>" in page  # the plain title, as rendered


def test_STF_1_a_new_request_shows_at_once(agent_client, bob):
    ask(bob, "Question arrivée à l’instant")
    page = queue(agent_client).content.decode()
    assert "Question arrivée à l’instant" in page and "Première question" in page


def test_STF_1_an_assignment_shows_at_once_even_made_by_a_queryset_update(agent_client, agent):
    page = queue(agent_client).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    request = Request.objects.get()
    response = agent_client.post(reverse(CHANGELIST), {"action": "assign_to_me", "_selected_action": [request.pk],
                                                       "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Request.objects.get().agent == agent
    queue(agent_client)  # the page that says it is done (a flash message: never kept)
    page = queue(agent_client).content.decode()
    assert '<td class="field-agent nowrap">agnes.agent</td>' in page


def test_STF_1_a_professionals_new_name_and_an_agents_new_name_show_at_once(agent_client, alice, agent):
    assert "Tremblay" in queue(agent_client).content.decode()
    alice.last_name = "Tremblay-Roy"
    alice.save()
    assert "Tremblay-Roy" in queue(agent_client).content.decode()
    agent.first_name = "Agnès"
    agent.save()
    assert "<strong>Agnès</strong>" in queue(agent_client).content.decode()


def test_STF_1_each_agent_has_their_own_page(agent_client, alice, agent):
    Request.objects.update(agent=agent)
    assert "Première question" in queue(agent_client, {"agent": "moi"}).content.decode()
    other = Client()
    other.force_login(factories.StaffFactory(username="autre.agent", role="agent"))
    page = queue(other, {"agent": "moi"}).content.decode()
    assert "Première question" not in page and "autre.agent" in page


def test_STF_1_a_kept_page_is_never_shown_to_someone_who_may_not_see_it(agent_client, agent):
    assert kept(queue(agent_client))
    outsider = Client()
    outsider.force_login(factories.StaffFactory(username="sans.role"))  # staff, in no group
    assert outsider.get(reverse(CHANGELIST)).status_code == 403
    agent.groups.remove(Group.objects.get(name="agent"))  # the agent loses the role: refused at once
    assert agent_client.get(reverse(CHANGELIST)).status_code == 403


def test_STF_1_a_kept_page_carries_this_requests_csrf_token(agent_client, agent):
    first = queue(agent_client).content.decode()
    other = Client(enforce_csrf_checks=True)
    other.force_login(agent)  # a sign-in saves the user: the queue is rendered again, and kept
    assert not kept(queue(other))
    second = queue(other)
    assert kept(second)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second.content.decode()).group(1)
    assert "@@" not in token and token not in first
    request = Request.objects.get()
    response = other.post(reverse(CHANGELIST), {"action": "assign_to_me", "_selected_action": [request.pk], "csrfmiddlewaretoken": token})
    assert response.status_code == 302  # the token works: the CSRF check passed


def test_STF_1_a_request_due_today_is_late_on_the_next_day(client, agent, alice, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    made = ask(alice, "Question du jour")
    due = made.due_date
    frozen_clock(aware(due.year, due.month, due.day, 23, 50))
    client.force_login(agent)
    assert "Question du jour" not in queue(client, {"echeance": "depassee"}).content.decode()
    assert kept(queue(client, {"echeance": "depassee"}))
    frozen_clock(aware(due.year, due.month, due.day, 23, 50) + timedelta(minutes=20))  # past midnight
    client.force_login(agent)  # the session ended meanwhile
    assert "Question du jour" in queue(client, {"echeance": "depassee"}).content.decode()
