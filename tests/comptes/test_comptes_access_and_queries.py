"""Who may open what in the *Comptes de facturation* tab (DOS-5, CPT-2), and how many SQL queries each
page of the tab takes.

Access. Every URL pattern of the `comptes` namespace that takes an account id is found in
`comptes.urls` (a new one is covered without editing this file) and requested with Alice's account ids
(her personal account and an administrative one):

* by Bob, another professional: 404 for every method the view accepts (GET and POST), and a 405 that
  does not depend on the account (the same for a nonexistent id) for the method it refuses;
* by nobody signed in: sent to the sign-in page, with the way back;
* by an agent (staff): 404; staff see files through the admin only;

and nothing is ever saved by those requests (payment and statement settings, agencies, requests, secure
messages, history). An account where Alice is only a member of a collective account (Bob holds it) is
shown to her, but its edit pages send her back to the account with a French message and save nothing.

Queries. Every page of the tab, with 0, 1 and 30 administrative accounts (each with payment and
statement settings), is served in at most 6 queries.
"""
from __future__ import annotations

from datetime import timedelta

import factory
import pytest
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse
from factory.django import DjangoModelFactory

from calendrier import paycalendar
from comptes import urls as comptes_urls
from comptes.constants import AccountKind, AgencyType, PaymentMode, ReceptionMode, StatementOption
from comptes.models import (
    AccountMembership,
    BillingAccount,
    BillingAgency,
    PaymentSettings,
    StatementSettings,
)
from dossier.models import Request
from notifications.models import OutboundMessage, SecureMessage
from ramq_portal import clock
from tests import factories

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA"}
MAX_QUERIES = 6
ONLY_HOLDER = "Seul le titulaire du compte peut modifier ces coordonnées en ligne."


# --- Factories of the comptes models not shared with other files ----------------------------------------------


class PaymentSettingsFactory(DjangoModelFactory):
    """A payment row in force since 30 days (as dossier.dated.record leaves it)."""

    class Meta:
        model = PaymentSettings

    account = factory.SubFactory(factories.BillingAccountFactory)
    mode = PaymentMode.TRANSFER
    effective_from = factory.LazyFunction(lambda: clock.today() - timedelta(days=30))
    recorded_at = factory.LazyFunction(lambda: clock.now() - timedelta(days=31))
    in_force_recorded_at = factory.LazyAttribute(lambda o: o.recorded_at)
    institution = factory.SubFactory(factories.FinancialInstitutionFactory)
    transit = "12345"
    bank_account = factory.Sequence(lambda n: f"{7000000 + n:07d}")
    bank_account_last3 = factory.LazyAttribute(lambda o: o.bank_account[-3:])
    personal_account_confirmed = True


class StatementSettingsFactory(DjangoModelFactory):
    class Meta:
        model = StatementSettings

    account = factory.SubFactory(factories.BillingAccountFactory)
    option = StatementOption.NONE
    line1 = "1, rue des Érables"
    city = "Québec"
    province = "QC"
    postal_code = "G1R 2B5"
    updated_at = factory.LazyFunction(clock.now)


def administrative_account(professional, i, *, kind=AccountKind.INDIVIDUAL, agency=None, **extra):
    """An administrative account with payment settings (in force, and a pending change) and statement
    settings, as a real one has."""
    account = factories.BillingAccountFactory(
        professional=professional, kind=kind, number=f"A{professional.pk:04d}{i:05d}", name=f"Clinique {i}", **extra
    )
    PaymentSettingsFactory(account=account)
    PaymentSettingsFactory(account=account, mode=PaymentMode.CHEQUE, institution=None, transit="", bank_account="",
                           effective_from=clock.today() + timedelta(days=10), recorded_at=clock.now(), in_force_recorded_at=None)
    StatementSettingsFactory(
        account=account, option=StatementOption.AGENCY if agency else StatementOption.NONE, agency=agency,
        reception_mode=ReceptionMode.TELECOM if agency else "",
    )
    return account


# --- The scene ---------------------------------------------------------------------------------------------


@pytest.fixture
def scene(alice, bob, pay_calendar):
    """Alice: her personal account (with statement settings: the alice fixture's account is made by a
    factory, not by dossier.services.open_file) and an individual administrative account. Bob: holder of a
    collective account where Alice is a member (with a pending payment change, so that a wrongful cancel
    would show)."""
    personal = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    StatementSettingsFactory(account=personal)
    atd = factories.BillingAgencyFactory(name="Facturation Québec ATD")
    administrative = administrative_account(alice, 1, agency=atd)
    collective = administrative_account(bob, 2, kind=AccountKind.COLLECTIVE, group_number="55555")
    AccountMembership.objects.create(account=collective, professional=alice, joined_at=clock.now())
    institution = factories.FinancialInstitutionFactory(number="815", name="Desjardins")
    return {"personal": personal, "administrative": administrative, "collective": collective, "atd": atd,
            "institution": institution}


def account_id_patterns() -> list[URLPattern]:
    """Every pattern of comptes.urls that takes an account id."""
    return [p for p in comptes_urls.urlpatterns if "pk" in p.pattern.converters]


def pattern_names() -> list[str]:
    return [p.name for p in account_id_patterns()]


def accepted_methods(url_name: str) -> set[str]:
    """The methods the view accepts, from its require_http_methods decorator (GET, POST or both)."""
    view = next(p.callback for p in comptes_urls.urlpatterns if p.name == url_name)
    groups = [cell.cell_contents for cell in (view.__closure__ or ()) if isinstance(cell.cell_contents, (list, tuple))]
    methods = {m for group in groups for m in group if m in ("GET", "POST")}
    assert methods, f"cannot tell which methods {url_name} accepts"
    return methods


def test_the_url_patterns_with_an_account_id_are_found():
    """The walk below is not vacuous: the four account pages are all found, and the methods read from
    each view's decorator are right."""
    assert set(pattern_names()) >= {"account", "edit_payment", "cancel_pending_payment", "edit_statement"}
    assert accepted_methods("account") == {"GET"}
    assert accepted_methods("edit_payment") == {"GET", "POST"}
    assert accepted_methods("cancel_pending_payment") == {"POST"}


def _rows(model):
    return [tuple(sorted(row.items())) for row in model.objects.order_by("pk").values()]


def snapshot() -> dict:
    """Every row the tab can change, for everyone, and history counts."""
    models = (BillingAccount, PaymentSettings, StatementSettings, BillingAgency, AccountMembership, Request)
    return {
        **{model.__name__: _rows(model) for model in models},
        "SecureMessage": _rows(SecureMessage),
        "OutboundMessage": _rows(OutboundMessage),
        "history": {model.__name__: model.history.count() for model in models},
    }


def hostile_post_data(scene, account) -> dict:
    """What a POST would need to change something if it were accepted (the account's current version,
    a real bank account, a real agency)."""
    return {
        "version": str(BillingAccount.objects.get(pk=account.pk).version),
        "mode": PaymentMode.TRANSFER, "institution": str(scene["institution"].pk), "transit": "54321",
        "account_number": "987654321", "personal_account_confirmed": "on", "password": factories.PASSWORD,
        "option": StatementOption.AGENCY, "agency": str(scene["atd"].pk), "reception_mode": ReceptionMode.SECURE_MESSAGING,
        "mandate_accepted": "on", "country": "CA", "line1": "666, rue du Piratage", "city": "Laval",
        "province": "QC", "postal_code": "H7N 1A1",
    }


def request_as(client, method, url, data=None):
    return client.get(url, **FRENCH) if method == "GET" else client.post(url, data or {}, **FRENCH)


# --- DOS-5: Bob, another professional -----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["personal", "administrative"])
@pytest.mark.parametrize("url_name", pattern_names())
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_DOS_5_another_professional_gets_404_on_every_account_url_and_saves_nothing(client, scene, bob, url_name, which, method):
    account = scene[which]
    url = reverse(f"comptes:{url_name}", args=[account.pk])
    client.force_login(bob.user)
    before = snapshot()
    response = request_as(client, method, url, hostile_post_data(scene, account))
    if method in accepted_methods(url_name):
        assert response.status_code == 404, (response.status_code, response.get("Location"))
    else:
        # Refused for the method, before the account is looked up: the same answer as for an id that
        # does not exist, so it tells nothing about Alice's account.
        assert response.status_code == 405
        nowhere = request_as(client, method, reverse(f"comptes:{url_name}", args=[999999]))
        assert nowhere.status_code == 405
    content = response.content.decode()
    assert account.number not in content and "Tremblay" not in content
    assert snapshot() == before


@pytest.mark.parametrize("url_name", pattern_names())
def test_DOS_5_an_account_id_beyond_any_database_integer_is_404(client, scene, alice, url_name):
    client.force_login(alice.user)
    method = sorted(accepted_methods(url_name))[0]
    response = request_as(client, method, reverse(f"comptes:{url_name}", args=[10**30]))
    assert response.status_code == 404


# --- Nobody signed in ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", [p.name for p in comptes_urls.urlpatterns])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_DOS_4_nobody_signed_in_is_sent_to_sign_in_on_every_url_of_the_tab(client, scene, url_name, method):
    pattern = next(p for p in comptes_urls.urlpatterns if p.name == url_name)
    args = [scene["personal"].pk] if "pk" in pattern.pattern.converters else []
    url = reverse(f"comptes:{url_name}", args=args)
    before = snapshot()
    response = request_as(client, method, url, hostile_post_data(scene, scene["personal"]))
    if method in accepted_methods(url_name):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    else:
        assert response.status_code == 405
    assert snapshot() == before


# --- DOS-5: staff ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["personal", "administrative"])
@pytest.mark.parametrize("url_name", pattern_names())
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_DOS_5_staff_get_404_on_every_account_url_and_save_nothing(client, scene, agent, url_name, which, method):
    account = scene[which]
    client.force_login(agent)
    before = snapshot()
    response = request_as(client, method, reverse(f"comptes:{url_name}", args=[account.pk]),
                          hostile_post_data(scene, account))
    assert response.status_code == (404 if method in accepted_methods(url_name) else 405)
    assert account.number not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("url_name", ["accounts", "ask_open_account", "ask_join_collective"])
def test_DOS_5_staff_get_404_on_the_tab_itself_and_its_requests(client, scene, agent, url_name):
    client.force_login(agent)
    before = snapshot()
    method = "GET" if url_name == "accounts" else "POST"
    data = {"collective": "individuel", "name": "Compte d'un agent", "group_number": "55555"}
    response = request_as(client, method, reverse(f"comptes:{url_name}"), data)
    assert response.status_code == 404
    assert snapshot() == before


# --- CPT-2: a member of a collective account, not its holder ---------------------------------------------------------


def test_CPT_2_a_member_sees_the_collective_account_in_the_list_and_its_page(client, scene, alice):
    collective = scene["collective"]
    client.force_login(alice.user)
    listing = client.get(reverse("comptes:accounts"), **FRENCH)
    assert listing.status_code == 200
    assert reverse("comptes:account", args=[collective.pk]) in listing.content.decode()
    page = client.get(reverse("comptes:account", args=[collective.pk]), **FRENCH)
    assert page.status_code == 200
    content = page.content.decode()
    assert collective.number in content and "55555" in content
    # No way to the edit pages, nor to cancel the pending payment change.
    for name in ("edit_payment", "edit_statement", "cancel_pending_payment"):
        assert reverse(f"comptes:{name}", args=[collective.pk]) not in content


@pytest.mark.parametrize("url_name", ["edit_payment", "edit_statement", "cancel_pending_payment"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_CPT_2_a_member_who_is_not_the_holder_cannot_edit_and_nothing_is_saved(client, scene, alice, url_name, method):
    collective = scene["collective"]
    client.force_login(alice.user)
    before = snapshot()
    response = request_as(client, method, reverse(f"comptes:{url_name}", args=[collective.pk]),
                          hostile_post_data(scene, collective))
    if method not in accepted_methods(url_name):
        assert response.status_code == 405
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("comptes:account", args=[collective.pk])
        assert [str(m) for m in get_messages(response.wsgi_request)] == [ONLY_HOLDER]
    assert snapshot() == before


def test_CPT_2_the_holder_of_the_collective_account_can_edit_it(client, scene, bob):
    """The refusal above is about Alice being a member, not about collective accounts: Bob, the holder,
    may cancel the pending payment change of the same account."""
    collective = scene["collective"]
    client.force_login(bob.user)
    assert client.get(reverse("comptes:edit_payment", args=[collective.pk]), **FRENCH).status_code == 200
    assert client.get(reverse("comptes:edit_statement", args=[collective.pk]), **FRENCH).status_code == 200
    before = snapshot()
    response = client.post(reverse("comptes:cancel_pending_payment", args=[collective.pk]), **FRENCH)
    assert response.status_code == 302
    assert collective.payment_settings.filter(cancelled_at__isnull=False).count() == 1
    assert snapshot() != before


# --- Queries: every page of the tab ---------------------------------------------------------------------------------


def grow(alice, size):
    """`size` administrative accounts for Alice, each with payment (in force and pending) and statement
    settings, half of them with an agency."""
    agencies = [factories.BillingAgencyFactory(), factories.BillingAgencyFactory(agency_type=AgencyType.ISE)]
    for i in range(size):
        administrative_account(alice, 100 + i, agency=agencies[i % 2] if i % 3 else None)


@pytest.fixture
def reference_data(db):
    """What the statement page searches: agencies of each type and developers."""
    factories.BillingAgencyFactory(transmission_number="30001", name="Facturation Laurentides", agency_type=AgencyType.ATD)
    factories.BillingAgencyFactory(transmission_number="30002", name="Facturation du Regroupement", agency_type=AgencyType.ISE)
    for i in range(25):
        factories.BillingAgencyFactory(name=f"Facturation régionale {i}")
        factories.SoftwareDeveloperFactory(name=f"Logiciel Facturation {i}")
    factories.SoftwareDeveloperFactory(number="40001", name="DentiSoft")


PAGES = {
    "accounts": lambda account: reverse("comptes:accounts"),
    "account": lambda account: reverse("comptes:account", args=[account.pk]),
    "edit_payment": lambda account: reverse("comptes:edit_payment", args=[account.pk]),
    "edit_statement": lambda account: reverse("comptes:edit_statement", args=[account.pk]),
    "edit_statement?agence=nom": lambda account: reverse("comptes:edit_statement", args=[account.pk]) + "?agence=Facturation",
    "edit_statement?agence=numero": lambda account: reverse("comptes:edit_statement", args=[account.pk]) + "?agence=30001",
    "edit_statement?developpeur=nom": lambda account: reverse("comptes:edit_statement", args=[account.pk]) + "?developpeur=Logiciel",
    "edit_statement?developpeur=numero": lambda account: reverse("comptes:edit_statement", args=[account.pk]) + "?developpeur=40001",
}


@pytest.mark.parametrize(
    ("page", "size", "which"),
    [(page, size, which) for page in PAGES for size in (0, 1, 30) for which in ("personal", "administrative")
     if size or which == "personal"],  # with 0 administrative accounts, only the personal one
)
def test_every_page_of_the_tab_takes_at_most_6_queries(client, alice, pay_calendar, reference_data,
                                                       django_assert_max_num_queries, page, size, which):
    """Measured (cold pay-calendar cache, any size): accounts 6, account 5, edit_payment 6, edit_statement 4,
    edit_statement with an agency or developer search 5. The personal account's page lists the
    administrative accounts as BEY-5 choices; an administrative account's has a current agency."""
    personal = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    StatementSettingsFactory(account=personal)
    PaymentSettingsFactory(account=personal)
    grow(alice, size)
    if which == "administrative":
        account = alice.billing_accounts.exclude(kind=AccountKind.PERSONAL).order_by("pk").first()
    else:
        account = personal
    client.force_login(alice.user)
    url = PAGES[page](account)
    paycalendar.invalidate_cache()  # the worst case: the first page after the calendar changed
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url, **FRENCH)
    assert response.status_code == 200
    if page == "accounts":
        assert response.content.decode().count('href="/comptes/') >= size + 1


@pytest.mark.dates  # effective dates and the next payment, from the pay calendar
def test_the_pages_show_what_the_queries_loaded(client, alice, pay_calendar, reference_data):
    """The query budget is not met by leaving things out: the list shows every account with its payment
    mode and accreditation, the search pages list what they found."""
    personal = alice.billing_accounts.get(kind=AccountKind.PERSONAL)
    StatementSettingsFactory(account=personal)
    grow(alice, 30)
    client.force_login(alice.user)
    listing = client.get(reverse("comptes:accounts"), **FRENCH).content.decode()
    for account in alice.billing_accounts.all():
        assert reverse("comptes:account", args=[account.pk]) in listing
    assert listing.count("changement en attente") == 30
    found = client.get(PAGES["edit_statement?agence=nom"](personal), **FRENCH).content.decode()
    assert found.count('name="agency"') == 20  # the search's limit, out of 27 matches
    assert "Facturation Laurentides" in found
    developer = client.get(PAGES["edit_statement?developpeur=numero"](personal), **FRENCH).content.decode()
    assert "DentiSoft" in developer
