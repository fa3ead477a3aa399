"""STF-1, issue 14: the request queue writes its rows itself (guichet.queue), more cheaply than Django's
admin, and must write exactly what Django's admin would: the same cells, classes, links (with the
filters kept), checkbox and labels, in both languages; any list it does not know is left to Django.
Its SQL does not grow with the queue: one page of 50 rows takes as many queries as a page of 3."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from comptes.request_kinds import BankTransferForm, CoordinatesForm, JoinCollective, OpenIndividualAccount
from dossier import requests
from dossier.constants import RequestStatus
from dossier.models import Request
from guichet import queue
from guichet.admin import RequestAdmin
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock, filecache
from tests import factories
from tests.factories import aware

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:dossier_request_changelist"
# Today's queue page, before and after guichet.queue: the user's and the groups' permissions, the staff
# of the agent filter, the capped count, the page (and the session, in the test settings).
QUEUE_QUERIES = 6


def django_rows(changelist) -> list[str]:
    return ["".join(items_for_result(changelist, obj, None)) for obj in changelist.result_list]


def our_rows(changelist) -> list[str]:
    return ["".join(row) for row in queue.rows(changelist)]


@pytest.fixture
def varied_queue(alice, agent, frozen_clock):
    """Requests of several kinds and statuses, late and on time, assigned or not, for a professional
    and an agent whose names need escaping, and a request whose summary is blank."""
    frozen_clock(aware(2027, 3, 1, 9, 7))
    tricky = factories.ProfessionalFactory(first_name="Zoé <b>", last_name="O'Brien & Fils")
    odd_agent = factories.StaffFactory(username='agent"<x>', role="agent")
    made = [
        requests.submit(professional=alice, kind=CoordinatesForm.code, payload={}, by=None),
        requests.submit(professional=tricky, kind=MessageToTheBoard.code, payload={"subject": "Taux & <délais>"}, by=None),
        requests.submit(professional=tricky, kind=MessageToTheBoard.code, payload={"subject": "   "}, by=None),
        requests.submit(professional=alice, kind=OpenIndividualAccount.code, payload={"name": "Lévis \"sud\""}, by=None),
    ]
    frozen_clock(aware(2027, 3, 25, 23, 59))
    made += [
        requests.submit(professional=alice, kind=BankTransferForm.code, payload={"account_id": 0}, by=None),
        requests.submit(professional=tricky, kind=JoinCollective.code, payload={"group_number": "12"}, by=None),
    ]
    Request.objects.filter(pk=made[0].pk).update(agent=agent, status=RequestStatus.IN_PROGRESS)
    Request.objects.filter(pk=made[1].pk).update(agent=odd_agent, status=RequestStatus.IN_PROGRESS)
    Request.objects.filter(pk=made[3].pk).update(status=RequestStatus.ACCEPTED, decided_at=clock.now())
    Request.objects.filter(pk=made[4].pk).update(status=RequestStatus.REFUSED, decided_at=clock.now())
    frozen_clock(aware(2027, 5, 3, 10, 0))  # the first ones are late by now
    return made


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("params", [{}, {"echeance": "depassee"}, {"o": "-5.2"}, {"agent": "moi"}, {"q": "O'Brien"},
                                    {"status": "en_cours", "kind": MessageToTheBoard.code}])
def test_STF_1_the_queue_rows_are_exactly_those_djangos_admin_writes(client, agent, varied_queue, language, params):
    client.force_login(agent)
    response = client.get(reverse(CHANGELIST), params, headers={"accept-language": language})
    changelist = response.context["cl"]
    assert changelist.result_list
    with translation.override(language):
        expected = django_rows(changelist)
        assert our_rows(changelist) == expected
    page = response.content.decode()
    assert all(f"<tr>{row}</tr>" in page for row in expected)


def test_STF_1_the_rows_say_late_open_requests_and_escape_what_the_professional_wrote(client, agent, varied_queue):
    client.force_login(agent)
    page = client.get(reverse(CHANGELIST), {"echeance": "depassee"}).content.decode()
    assert '<td class="field-due">15 mars 2027 — en retard</td>' in page
    assert "Taux &amp; &lt;délais&gt;" in page and "<délais>" not in page
    assert "O&#x27;Brien &amp; Fils" in page and '<td class="field-agent nowrap">agent&quot;&lt;x&gt;</td>' in page
    assert "?_changelist_filters=echeance%3Ddepassee" in page  # the request's page keeps the filter


def test_STF_1_a_list_the_queue_does_not_know_is_written_by_django(client, agent, varied_queue, monkeypatch):
    monkeypatch.setattr(RequestAdmin, "list_display", [*RequestAdmin.list_display, "pk"])
    client.force_login(agent)
    changelist = client.get(reverse(CHANGELIST)).context["cl"]
    assert "pk" in changelist.list_display
    with translation.override("fr"):
        assert our_rows(changelist) == django_rows(changelist)


def queue_queries(client, agent) -> int:
    """The queries of the queue's page as rendered (not as kept: guichet's whole-page cache is told the
    queue changed, as any write to a request would)."""
    client.force_login(agent)
    client.get(reverse(CHANGELIST))  # the session and the caches warm
    filecache.bump([filecache.STAFF_QUEUE])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["cl"].result_list)


def test_STF_1_the_queue_takes_as_many_queries_for_50_rows_as_for_3(client, agent, django_assert_max_num_queries):
    staff = [factories.StaffFactory(username=f"agent{n}", role="agent") for n in range(3)]
    files = [factories.ProfessionalFactory() for _ in range(3)]
    for n in range(3):
        requests.submit(professional=files[n], kind=MessageToTheBoard.code, payload={"subject": f"Question {n}"}, by=None)
    small, shown = queue_queries(client, agent)
    assert shown == 3
    files += [factories.ProfessionalFactory() for _ in range(57)]
    for n, professional in enumerate(files):
        made = requests.submit(professional=professional, kind=[CoordinatesForm, BankTransferForm, MessageToTheBoard][n % 3].code,
                               payload={"subject": "Question"}, by=None, received_at=clock.now() - timedelta(days=n))
        Request.objects.filter(pk=made.pk).update(agent=staff[n % 3], status=RequestStatus.IN_PROGRESS)
    large, shown = queue_queries(client, agent)
    assert shown == RequestAdmin.list_per_page == 50
    assert large == small <= QUEUE_QUERIES
    with django_assert_max_num_queries(QUEUE_QUERIES):
        client.get(reverse(CHANGELIST))
