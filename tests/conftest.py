"""Shared fixtures: named people (Alice has a full file; Bob is another professional who must never
see it; Agnès is an agent, Sylvain a supervisor), the clock, and the pay calendar."""
from datetime import timedelta

import pytest
from django.core.cache import cache

from comptes.services import generate_payment_dates
from ramq_portal import clock
from tests import factories


@pytest.fixture(autouse=True)
def _unfrozen_clock_and_empty_cache():
    """Every test starts and ends with the real clock and an empty cache (sessions, pay calendar)."""
    clock.set_now(None)
    cache.clear()
    yield
    clock.set_now(None)
    cache.clear()


@pytest.fixture
def frozen_clock():
    """Freeze the portal's clock: `frozen_clock(factories.aware(2027, 5, 19))`."""
    return clock.set_now


@pytest.fixture
def pay_calendar(db):
    """The stored pay calendar from the anchor to two years past today."""
    generate_payment_dates(until=clock.today() + timedelta(days=2 * 366))


def _professional_with_file(username: str, first_name: str, last_name: str):
    professional = factories.ProfessionalFactory(
        user=factories.UserFactory(username=username), first_name=first_name, last_name=last_name
    )
    factories.CorrespondenceAddressFactory(professional=professional, line1=f"{len(username)}, rue des {last_name}")
    factories.TelephoneFactory(professional=professional)
    factories.PlaceOfPracticeFactory(professional=professional, is_main=True, name=f"Clinique {last_name}")
    factories.BillingAccountFactory(professional=professional)
    return professional


@pytest.fixture
def alice(db):
    """Alice Tremblay, a registered dentist with a full file."""
    return _professional_with_file("alice", "Alice", "Tremblay")


@pytest.fixture
def bob(db):
    """Bob Gagnon, another registered dentist: he must never see Alice's file."""
    return _professional_with_file("bob", "Bob", "Gagnon")


@pytest.fixture
def agent(db):
    return factories.StaffFactory(username="agnes.agent", role="agent")


@pytest.fixture
def supervisor(db):
    return factories.StaffFactory(username="sylvain.superviseur", role="superviseur")


@pytest.fixture
def password():
    return factories.PASSWORD
