"""ETC-1: a statement of account for each account at every payment."""
from datetime import date
from decimal import Decimal

import pytest

from comptes.constants import AccountKind
from comptes.models import BillingAccount
from notifications import payment_run
from notifications.models import Statement
from notifications.tasks import payment_run as payment_run_task
from ramq_portal import clock
from tests import factories
from tests.factories import aware

pytestmark = pytest.mark.django_db


def test_ETC_1_each_open_account_gets_one_statement_per_payment_and_a_rerun_issues_nothing(alice, bob):
    extra = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A7", name="Lévis")
    closed = factories.BillingAccountFactory(professional=bob, kind=AccountKind.INDIVIDUAL, number="A8", name="Fermé", closed_at=clock.now())
    issued = payment_run.issue_statements(payment_date=date(2027, 5, 20), balances={extra.pk: Decimal("-12.50")}, batch_size=2)
    assert issued == 3
    assert payment_run.issue_statements(payment_date=date(2027, 5, 20), batch_size=2) == 0
    assert set(Statement.objects.values_list("account", flat=True)) == set(
        BillingAccount.objects.exclude(pk=closed.pk).values_list("pk", flat=True)
    )
    assert Statement.objects.get(account=extra).balance == Decimal("-12.50")
    assert payment_run.issue_statements(payment_date=date(2027, 6, 3)) == 3  # every 2 weeks, a new one


def test_ETC_1_the_daily_task_issues_only_on_a_payment_date(alice, pay_calendar, frozen_clock):
    frozen_clock(aware(2027, 5, 19, 1, 30))
    assert payment_run_task() == 0
    frozen_clock(aware(2027, 5, 20, 1, 30))
    assert payment_run_task() == 1
    assert payment_run_task() == 0
