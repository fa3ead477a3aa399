"""NOT-4, PRF-1..3, ETC-4, ETC-5: the routing service decides post or secure messaging, and posted items
go to the print queue with the address in force on the sending date."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from comptes.accounts import default_statement_settings
from comptes.models import StatementSettings
from dossier.constants import Channel, CorrespondenceKind
from dossier.models import CorrespondencePreference
from notifications import routing
from notifications.models import PrintItem, SecureMessage, Statement
from ramq_portal import clock
from tests import factories

pytestmark = pytest.mark.django_db


def prefer(professional, kind, channel, effective_from):
    return CorrespondencePreference.objects.create(professional=professional, kind=kind, channel=channel, effective_from=effective_from,
                                                   recorded_at=clock.now())


def test_NOT_4_PRF_1_kinds_that_cannot_be_chosen_always_go_by_post(alice):
    prefer(alice, CorrespondenceKind.LEGAL_NOTICES, Channel.SECURE_MESSAGING, clock.today() - timedelta(days=30))
    decision = routing.send(professional=alice, kind=CorrespondenceKind.LEGAL_NOTICES, subject="Avis", body="…")
    assert decision.by_post and not decision.by_secure_messaging
    assert PrintItem.objects.get(professional=alice).reason == routing.Reason.ALWAYS_BY_POST
    assert not SecureMessage.objects.filter(professional=alice).exists()


def test_NOT_4_PRF_2_without_a_preference_enrolled_professionals_get_secure_messaging_others_post(alice, pay_calendar):
    assert routing.decide(professional=alice, kind=CorrespondenceKind.PAYMENTS, on=clock.today()).by_secure_messaging
    not_enrolled = factories.ProfessionalFactory(user=None)
    factories.CorrespondenceAddressFactory(professional=not_enrolled)
    decision = routing.decide(professional=not_enrolled, kind=CorrespondenceKind.PAYMENTS, on=clock.today())
    assert decision.by_post and not decision.by_secure_messaging and decision.reason == routing.Reason.DEFAULT


def test_NOT_4_PRF_3_the_preference_in_force_on_the_sending_date_counts_not_the_pending_one(alice):
    today = clock.today()
    prefer(alice, CorrespondenceKind.BILLING, Channel.POST, today - timedelta(days=10))
    prefer(alice, CorrespondenceKind.BILLING, Channel.SECURE_MESSAGING, today + timedelta(days=9))  # pending
    assert routing.decide(professional=alice, kind=CorrespondenceKind.BILLING, on=today).by_post
    assert routing.decide(professional=alice, kind=CorrespondenceKind.BILLING, on=today + timedelta(days=9)).by_secure_messaging


def test_NOT_4_PRO_5_a_letter_goes_to_the_address_in_force_on_its_sending_date(alice):
    today = clock.today()
    old = alice.correspondence_addresses.get()
    factories.CorrespondenceAddressFactory(professional=alice, line1="99, rue Nouvelle", effective_from=today + timedelta(days=9))
    prefer(alice, CorrespondenceKind.AGREEMENT, Channel.POST, today - timedelta(days=1))
    routing.send(professional=alice, kind=CorrespondenceKind.AGREEMENT, subject="Votre entente", body="…")
    routing.send(professional=alice, kind=CorrespondenceKind.AGREEMENT, subject="Votre entente, plus tard", body="…",
                 on=today + timedelta(days=9))
    now_item, later_item = PrintItem.objects.order_by("sending_date")
    assert old.line1 in now_item.address and "99, rue Nouvelle" not in now_item.address
    assert "99, rue Nouvelle" in later_item.address
    assert alice.full_name in now_item.address


@pytest.fixture
def statement(alice):
    account = alice.billing_accounts.get()
    default_statement_settings(account=account, address=None, by=None)
    StatementSettings.objects.filter(account=account).update(line1="500, rue de l'État", city="Québec", province="QC", postal_code="G1R 2B5")
    return Statement.objects.create(account=account, payment_date=clock.today(), balance=Decimal("1250.00"), issued_at=clock.now())


def test_ETC_4_a_statement_goes_to_secure_messaging(statement):
    decision = routing.send_statement(statement=statement)
    assert decision.by_secure_messaging and not decision.by_post
    assert SecureMessage.objects.filter(professional=statement.account.professional, subject__startswith="État de compte").exists()
    assert not PrintItem.objects.exists()


@pytest.mark.parametrize("case", ["negative balance", "estate", "paper requested"])
def test_ETC_5_three_cases_force_the_statement_by_post_to_the_statement_address(statement, case):
    professional = statement.account.professional
    if case == "negative balance":
        statement.balance = Decimal("-42.10")
    elif case == "estate":
        professional.deceased_on = statement.payment_date - timedelta(days=3)
        professional.save()
    else:
        StatementSettings.objects.filter(account=statement.account).update(paper_requested=True)
    statement.account.refresh_from_db()
    decision = routing.send_statement(statement=Statement.objects.select_related("account__professional").get(pk=statement.pk)
                                      if case != "negative balance" else statement)
    assert decision.by_post
    item = PrintItem.objects.get()
    assert "500, rue de l'État" in item.address and item.account == statement.account
    assert item.reason == {"negative balance": routing.Reason.NEGATIVE_BALANCE, "estate": routing.Reason.ESTATE,
                           "paper requested": routing.Reason.PAPER_REQUESTED}[case]


def test_NOT_5_nothing_is_queued_for_a_change_that_is_rolled_back(alice):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        routing.send(professional=alice, kind=CorrespondenceKind.LEGAL_NOTICES, subject="Avis", body="…")
        raise RuntimeError("rolled back")
    assert not PrintItem.objects.exists()


def test_NOT_4_staff_work_the_print_queue(alice, agent):
    routing.send(professional=alice, kind=CorrespondenceKind.TAX_SLIPS, subject="Relevé fiscal", body="…")
    staff = Client()
    staff.force_login(agent, backend="ramq_portal.auth_backends.CachedModelBackend")
    assert "Relevé fiscal" in staff.get(reverse("admin:notifications_printitem_changelist")).content.decode()
    item = PrintItem.objects.get()
    staff.post(reverse("admin:notifications_printitem_changelist"), {"action": "mark_printed", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.printed_at is not None and item.printed_by == agent
