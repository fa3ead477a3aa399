"""Shared fixtures: named people (Alice has a full file; Bob is another professional who must never
see it; Agnès is an agent, Sylvain a supervisor), the clock, and the pay calendar."""
import os
from datetime import timedelta

import pytest
from django.core.cache import cache

from calendrier.services import generate_payment_dates
from ramq_portal import clock
from tests import factories, timetravel

# The modules whose outcome depends on the date or the time of day: history, tokens, the pay calendar
# and dated changes, reminders, sweeps, sessions and lockouts. They carry the marker `dates`, which
# scripts/date-matrix.sh runs at the moments where dates break (year end, leap day, DST changes,
# payment dates, the eve of a holiday). A test of another module may carry `@pytest.mark.dates` itself.
DATE_SENSITIVE = (
    "tests/calendrier/test_paycalendar.py",
    "tests/comptes/test_comptes_rules.py",
    "tests/dossier/test_backoffice.py",
    "tests/dossier/test_backoffice_guards.py",
    "tests/dossier/test_history_pages.py",
    "tests/dossier/test_profile_rules.py",
    "tests/dossier/test_returned_mail.py",
    "tests/dossier/test_roles_history.py",
    "tests/dossier/test_sign_in.py",
    "tests/inscription/test_enrolment.py",
    "tests/inscription/test_wizard_rules.py",
    "tests/notifications/test_messaging.py",
    "tests/notifications/test_notices.py",
    "tests/notifications/test_outbox.py",
    "tests/notifications/test_payment_run.py",
    "tests/notifications/test_routing.py",
)


def pytest_configure(config):
    """The whole process lives at the session's moment, never the wall clock (tests/timetravel.py)."""
    missing = [path for path in DATE_SENSITIVE if not (config.rootpath / path).is_file()]
    if missing:
        raise pytest.UsageError(f"tests/conftest.py DATE_SENSITIVE names modules that do not exist: {missing}")
    timetravel.start_session()


def pytest_unconfigure(config):
    timetravel.stop_session()


def _date_sensitive(node) -> bool:
    """Whether a test's outcome may depend on the moment it runs at (see DATE_SENSITIVE); a test
    pinned to its own moment (marker `moment`) gives the same result at every moment."""
    if node.get_closest_marker("moment") is not None:
        return False
    return node.nodeid.split("::", 1)[0] in DATE_SENSITIVE or node.get_closest_marker("dates") is not None


def pytest_addoption(parser):
    parser.addoption(
        "--moments", default="",
        help="run each date-sensitive test once at each of these moments instead of the session's "
             "(ISO 8601, separated by commas; naive is Québec time): scripts/date-matrix.sh",
    )


def pytest_generate_tests(metafunc):
    moments = [moment.strip() for moment in metafunc.config.getoption("moments").split(",") if moment.strip()]
    if moments and _date_sensitive(metafunc.definition):
        metafunc.parametrize("_matrix_moment", [timetravel.parse_moment(m) for m in moments], indirect=True,
                             ids=[f"at-{m.replace(':', '')}" for m in moments])


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _date_sensitive(item):
            item.add_marker(pytest.mark.dates)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (`CI` set, as `.ci/run` does) a skipped test is a failure: CI has PostgreSQL, Redis,
    Chromium and docker-compose, so a skip there means a check silently did not run."""
    report = yield
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may be skipped: {reason}"
    return report


def pytest_report_header(config):
    return f"time: every test starts at {timetravel.session_moment().isoformat()} ({timetravel.ENV})"


@pytest.fixture(autouse=True)
def _matrix_moment(request):
    """The moment of the date matrix this test runs at (`--moments`), or None."""
    return getattr(request, "param", None)


@pytest.fixture(autouse=True)
def _session_moment_and_empty_cache(request, _matrix_moment):
    """Every test starts at the session's moment (or its moment of the date matrix), time flowing,
    with an empty cache (sessions, pay calendar); it ends with the cache emptied again.

    A test about fixed dates whose data (made by its fixtures) must be older than those dates starts
    at its own moment instead: `@pytest.mark.moment(aware(2027, 5, 18, 9, 0))`, time flowing."""
    marker = request.node.get_closest_marker("moment")
    if marker is not None:
        timetravel.move_to(marker.args[0], tick=True)
    elif _matrix_moment is not None:
        timetravel.move_to(_matrix_moment, tick=True)
    else:
        timetravel.restart()
    cache.clear()
    yield
    cache.clear()
    timetravel.restart()


@pytest.fixture
def frozen_clock():
    """Stop time for the whole process at a moment: `frozen_clock(factories.aware(2027, 5, 19))`."""
    return timetravel.move_to


@pytest.fixture
def pay_calendar(db):
    """The stored pay calendar from the anchor to two years past today."""
    generate_payment_dates(until=clock.today() + timedelta(days=2 * 366))


def _professional_with_file(username: str, first_name: str, last_name: str):
    professional = factories.ProfessionalFactory(
        user=factories.UserFactory(username=username, first_name=first_name, last_name=last_name),
        first_name=first_name, last_name=last_name,
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
    # Named, not drawn by Faker: a drawn "Tremblay" in the header would read as Alice's file (DOS-5).
    return factories.StaffFactory(username="agnes.agent", first_name="Agnès", last_name="Agent", role="agent")


@pytest.fixture
def supervisor(db):
    return factories.StaffFactory(username="sylvain.superviseur", first_name="Sylvain", last_name="Superviseur", role="superviseur")


@pytest.fixture
def password():
    return factories.PASSWORD
