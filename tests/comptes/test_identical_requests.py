"""Issue 16: twenty identical account-opening requests sent at the same moment made five rows. The rule
"an identical request is already waiting" (CPT-2) is now kept by the database: one identical request
open at a time, whatever the timing; once decided, a new one may be sent."""
from __future__ import annotations

from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from comptes import accounts
from comptes.constants import AccountRequest
from comptes.exceptions import DuplicateRequest
from dossier import requests
from dossier.constants import RequestStatus
from dossier.exceptions import IdenticalRequestOpen
from dossier.models import Request

pytestmark = pytest.mark.django_db


def test_two_requests_that_both_passed_the_check_make_one_row(alice):
    """As when both are sent at the same moment: each saw no open request before writing."""
    with mock.patch.object(requests, "open_request_exists", return_value=False):
        accounts.ask_to_open_account(professional=alice, collective=False, name="Cabinet Tremblay", by=alice.user)
        with pytest.raises(DuplicateRequest):
            accounts.ask_to_open_account(professional=alice, collective=False, name="Cabinet Tremblay", by=alice.user)
        accounts.ask_to_join_collective(professional=alice, group_number="500009", by=alice.user)
        with pytest.raises(DuplicateRequest):
            accounts.ask_to_join_collective(professional=alice, group_number="500009", by=alice.user)
    assert Request.objects.filter(professional=alice, payload__name="Cabinet Tremblay").count() == 1
    assert Request.objects.filter(professional=alice, payload__group_number="500009").count() == 1


def test_another_name_or_another_professional_is_another_request(alice, bob):
    accounts.ask_to_open_account(professional=alice, collective=False, name="Cabinet A", by=alice.user)
    accounts.ask_to_open_account(professional=alice, collective=False, name="Cabinet B", by=alice.user)
    accounts.ask_to_open_account(professional=alice, collective=True, name="Cabinet A", by=alice.user)
    accounts.ask_to_open_account(professional=bob, collective=False, name="Cabinet A", by=bob.user)
    assert Request.objects.count() == 4


def test_the_database_refuses_a_second_identical_open_request_and_accepts_one_after_the_decision(alice):
    first = requests.submit(professional=alice, kind=AccountRequest.OPEN_INDIVIDUAL, payload={"name": "X"}, by=None, identity={"name": "X"})
    with pytest.raises(IdenticalRequestOpen):
        requests.submit(professional=alice, kind=AccountRequest.OPEN_INDIVIDUAL, payload={"name": "X"}, by=None, identity={"name": "X"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.create(professional=alice, kind=first.kind, payload={}, status=RequestStatus.IN_PROGRESS,
                               received_at=first.received_at, due_date=first.due_date, fingerprint=first.fingerprint)
    Request.objects.filter(pk=first.pk).update(status=RequestStatus.REFUSED)
    requests.submit(professional=alice, kind=AccountRequest.OPEN_INDIVIDUAL, payload={"name": "X"}, by=None, identity={"name": "X"})
    # Requests without an identity (a message to the Régie, a paper form) are never merged.
    for _ in range(2):
        requests.submit(professional=alice, kind=AccountRequest.OPEN_INDIVIDUAL, payload={"name": "X"}, by=None)
    assert Request.objects.filter(professional=alice).count() == 4
