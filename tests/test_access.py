"""Who may open what (DOS-5), for EVERY URL pattern of the project, found by walking the resolver.

Each pattern of `django.urls.get_resolver()` (the portal's apps, the admin, and any app added later) is
turned into a concrete URL, filled with the ids of Alice's objects, and requested as:

* nobody signed in: no page is served (2xx) unless it is in PUBLIC; admin pages send to the admin's
  sign-in page;
* Bob, another professional: never a page showing Alice's professional number, last name or address;
  the admin is closed to him (admin sign-in page or 403);
* an agent (staff): the professional's pages answer 404 or a redirect, never Alice's file; staff see
  files through the admin only.

No one ever gets a server error. A view that refuses GET with 405 is requested with POST instead.

A pattern whose arguments this file does not know how to fill FAILS (see `argument_value`): teach the
file about the new argument rather than letting a new URL go untested.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve, reverse
from django.utils.regex_helper import normalize

from dossier.models import Professional
from ramq_portal import clock

MODEL_BACKEND = "ramq_portal.auth_backends.CachedModelBackend"

# Pages anyone may open without signing in (by URL name). Everything else must not answer 2xx.
# For anyone signed in, professional or staff, and showing nothing of a file: the session's keep-alive
# (also the signed-in floor of `make bench`).
SIGNED_IN_SHELL = {"session_alive"}
PUBLIC = {
    "login",  # the sign-in page
    "healthz",  # liveness probe
    "set_language",  # language switch (works before sign-in)
    "set_display_mode",  # display mode switch (BEY-9, works before sign-in)
    "admin:login",  # the admin's own sign-in page
    # Bearer-link pages: whoever holds the emailed link may open it; they show nothing of the file.
    "validate_email",  # EML-3: the validation link
    "report_email_change",  # BEY-3: "it was not me", from the notice to the previous address
    "password_reset_confirm",  # the link to choose a new password, sent to the activated email
    # Registration (INS-1, INS-2, INS-7): for people who have no account yet.
    "inscription:start",
    "inscription:enrol",
    "inscription:not_registering",
    "inscription:forgot",
}


def bearer_key(url_name: str, alice: Professional) -> str:
    """A genuine key for the pages reached from an email, made for Alice."""
    from django.core import signing

    from dossier import tokens
    from dossier.constants import TokenPurpose
    from notifications.receivers import REPORT_SALT

    if url_name == "validate_email":
        token = tokens.issue(professional=alice, purpose=TokenPurpose.EMAIL, target="alice@example.com", moment=clock.now())
        return tokens.email_link_key(token)
    if url_name == "report_email_change":
        return signing.dumps({"p": alice.pk, "e": "ancienne@example.com"}, salt=REPORT_SALT, compress=True)
    pytest.fail(f"no bearer key known for {url_name}: teach tests/test_access.py (bearer_key)")


# --- Walking the resolver -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, with the chain of patterns that leads to it."""

    chain: tuple  # (URLResolver, ..., URLPattern)
    namespace: str

    @property
    def pattern(self) -> URLPattern:
        return self.chain[-1]

    @property
    def name(self) -> str | None:
        if not self.pattern.name:
            return None
        return f"{self.namespace}:{self.pattern.name}" if self.namespace else self.pattern.name

    @property
    def route(self) -> str:
        """Joined as Django joins ResolverMatch.route (a regex's leading ^ dropped after a prefix)."""
        joined = ""
        for part in self.chain:
            text = str(part.pattern)
            joined += text[1:] if joined and text.startswith("^") else text
        return joined

    @property
    def is_admin(self) -> bool:
        return self.namespace.split(":")[0] == admin.site.name

    def __str__(self) -> str:
        return "/" + self.route


def walk(resolver: URLResolver | None = None, chain: tuple = (), namespaces: tuple = ()) -> list[Route]:
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            routes.extend(walk(entry, (*chain, entry), inner))
        else:
            routes.append(Route(chain=(*chain, entry), namespace=":".join(namespaces)))
    return routes


ROUTES = walk()


# --- Building a concrete URL ---------------------------------------------------------------------


def _view_function(callback):
    """The function or bound method a URL callback finally runs (through decorators and admin wraps)."""
    view = getattr(callback, "view_class", None) or callback
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def model_admin_of(route: Route):
    """The ModelAdmin serving an admin route, or None for the admin site's own views."""
    view = route.pattern.callback
    if getattr(view, "model_admin", None) is not None:
        return view.model_admin
    while view is not None:  # admin_view(self.some_view): a bound method somewhere down the wraps
        if isinstance(getattr(view, "__self__", None), admin.ModelAdmin):
            return view.__self__
        view = getattr(view, "__wrapped__", None)
    return None


def positional_names(route: Route, count: int) -> list[str]:
    """Names for unnamed regex groups, read from the view's signature (after `request`)."""
    view = _view_function(route.pattern.callback)
    try:
        parameters = [name for name in inspect.signature(view).parameters if name not in ("self", "request")]
    except (TypeError, ValueError):
        parameters = []
    if len(parameters) < count:
        pytest.fail(f"{route}: cannot name its {count} unnamed argument(s) from the view's signature; "
                    "use named groups or teach tests/test_access.py (positional_names).")
    return parameters[:count]


class AliceObjects:
    """Alice's object of each model, for the ids a URL needs."""

    def __init__(self, alice: Professional):
        self.alice = alice

    def of(self, model: type[models.Model], route: Route) -> models.Model:
        alice = self.alice
        owners = {Professional: alice, get_user_model(): alice.user}
        if model in owners:
            return owners[model]
        # A row of Alice's file: the model points to her Professional (or her User).
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and (field.many_to_one or field.one_to_one):
                owner = owners.get(field.related_model)
                found = owner and model._default_manager.filter(**{field.name: owner}).first()
                if found:
                    return found
        shared = self._shared(model)
        if shared is not None:
            return shared
        pytest.fail(f"{route}: needs the id of a {model._meta.label} and Alice has none. Teach "
                    "tests/test_access.py (AliceObjects.of or _shared) which one to use.")

    def _shared(self, model):
        """Models that are not part of anyone's file: any row will do (one is made if needed)."""
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
        from django.contrib.auth.models import Group

        from calendrier.models import PaymentDate
        from comptes.models import (
            BillingAgency,
            FinancialInstitution,
            Mandatary,
            PaymentSettings,
            SoftwareDeveloper,
            StatementSettings,
        )
        from dossier.models import Disclosure, Profession, Request, SecurityReport
        from inscription.models import Enrolment, RegistrationDraft
        from notifications.models import DepositNotice, OutboundMessage, PaymentRun, PrintItem, SecureMessage, Statement

        username = self.alice.user.username
        makers = {
            Profession: lambda: self.alice.profession,
            Group: lambda: Group.objects.get(name="agent"),
            PaymentDate: lambda: PaymentDate.objects.first() or PaymentDate.objects.create(date=clock.today()),
            AccessAttempt: lambda: AccessAttempt.objects.create(username=username, ip_address="127.0.0.1", failures_since_start=1),
            AccessLog: lambda: AccessLog.objects.create(username=username, ip_address="127.0.0.1"),
            AccessFailureLog: lambda: AccessFailureLog.objects.create(username=username, ip_address="127.0.0.1"),
            # Rows about Alice that her fixture does not create.
            Request: lambda: __import__("dossier.requests", fromlist=["submit"]).submit(
                professional=self.alice, kind="ouvrir_individuel", payload={"name": "Test"}, by=None
            ),
            Disclosure: lambda: Disclosure.objects.first() or Disclosure.objects.create(
                user=get_user_model().objects.filter(is_staff=True).first() or self.alice.user, professional=self.alice, what="nas",
                seen_at=clock.now()),
            SecurityReport: lambda: SecurityReport.objects.create(professional=self.alice, details="test", reported_at=clock.now()),
            OutboundMessage: lambda: OutboundMessage.objects.create(
                professional=self.alice, channel="courriel", template="courriel_validation", to="alice@example.com",
                created_at=clock.now(), status="envoye",
            ),
            FinancialInstitution: lambda: FinancialInstitution.objects.get_or_create(number="001", defaults={"name": "Banque test"})[0],
            SoftwareDeveloper: lambda: SoftwareDeveloper.objects.get_or_create(number="70001", defaults={"name": "Développeur test"})[0],
            PaymentSettings: lambda: PaymentSettings.objects.create(
                account=self.alice.billing_accounts.first(), mode="cheque", effective_from=clock.today(), recorded_at=clock.now(),
            ),
            Mandatary: lambda: Mandatary.objects.create(
                account=self.alice.billing_accounts.first(), first_name="Julie", last_name="Mandataire", relation="employe",
                recorded_at=clock.now(),
            ),
            PrintItem: lambda: PrintItem.objects.create(professional=self.alice, kind="entente", reason="preference", subject="Lettre",
                                                        body="Lettre", address="Alice", sending_date=clock.today(), created_at=clock.now()),
            SecureMessage: lambda: SecureMessage.objects.create(professional=self.alice, subject="Avis", body="Avis à Alice",
                                                                created_at=clock.now()),
            StatementSettings: lambda: StatementSettings.objects.get_or_create(
                account=self.alice.billing_accounts.first(), defaults=dict(line1="1, rue Test", city="Québec", province="QC",
                                                                           postal_code="G1R 2B5", updated_at=clock.now()))[0],
            PaymentRun: lambda: PaymentRun.objects.get_or_create(payment_date=clock.today(), defaults={"started_at": clock.now()})[0],
            Statement: lambda: Statement.objects.get_or_create(account=self.alice.billing_accounts.first(), payment_date=clock.today(),
                                                               defaults={"issued_at": clock.now()})[0],
            DepositNotice: lambda: DepositNotice.objects.get_or_create(
                account=self.alice.billing_accounts.first(), payment_date=clock.today(),
                defaults={"deposit_date": clock.today(), "issued_at": clock.now()})[0],
            Enrolment: lambda: Enrolment.objects.create(professional=self.alice, user=self.alice.user, enrolled_at=clock.now(),
                                                        security_policy_version="test"),
            RegistrationDraft: lambda: RegistrationDraft.objects.create(professional=self.alice, created_at=clock.now(), saved_at=clock.now()),
            BillingAgency: lambda: BillingAgency.objects.get_or_create(
                transmission_number="90001", defaults=dict(name="Agence test", agency_type="ATD", line1="1, rue Test", city="Québec",
                province="QC", postal_code="G1R 2B5"),
            )[0],
        }
        maker = makers.get(model)
        return maker() if maker else None


def argument_value(name: str, route: Route, alice_objects: AliceObjects, kwargs_so_far: dict) -> str:
    """The value of one URL argument. Unknown arguments fail: teach this function about them."""
    model_admin = model_admin_of(route) if route.is_admin else None
    if model_admin is not None:
        obj = alice_objects.of(model_admin.model, route)
        if name in ("object_id", "id", "pk"):
            return str(obj.pk)
        if name == "version_id":  # django-simple-history: one historical version of the object
            history = getattr(obj, "history", None)
            if history is None:
                # The admin serves history pages for a model without HistoricalRecords: request them
                # anyway, so that the role that reaches the view sees the error.
                return "0"
            if not history.exists():  # a row made by a data migration has no version yet
                obj.save()
            return str(history.latest().history_id)
    if route.is_admin:
        if name == "kind" and (route.name or "").endswith("dossier_request_paper_form"):  # a paper form (STF-2)
            return "3102"
        if name == "app_label":
            return "dossier"
        if name == "url":  # the admin's final catch-all
            return "inexistant/"
        if name == "content_type_id":
            return str(ContentType.objects.get_for_model(Professional).pk)
        if name == "object_id" and "content_type_id" in kwargs_so_far:
            return str(alice_objects.alice.pk)
    if name == "key":
        return bearer_key(route.name, alice_objects.alice)
    if name == "number" and route.name == "inscription:step":  # a step of the registration wizard
        return "3"
    if name in ("uidb64", "token") and route.name == "password_reset_confirm":  # a genuine link for Alice
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        user = alice_objects.alice.user
        return urlsafe_base64_encode(force_bytes(user.pk)) if name == "uidb64" else default_token_generator.make_token(user)
    if name == "pk" and route.namespace == "notifications":  # one of Alice's secure messages
        from notifications.models import SecureMessage

        return str(alice_objects.of(SecureMessage, route).pk)
    if name == "pk" and route.namespace == "comptes":  # one of Alice's billing accounts
        from comptes.models import BillingAccount

        return str(alice_objects.of(BillingAccount, route).pk)
    if name in ("pk", "object_id"):
        model = getattr(getattr(route.pattern.callback, "view_class", None), "model", None)
        if model is not None:
            return str(alice_objects.of(model, route).pk)
    if name.endswith("_id"):
        wanted = name[: -len("_id")].replace("_", "")
        for model in apps.get_models():
            if model._meta.model_name == wanted:
                return str(alice_objects.of(model, route).pk)
    pytest.fail(f"{route}: tests/test_access.py does not know how to fill the URL argument {name!r}. "
                "Teach it in argument_value(), so that this URL is tested like every other.")


def build_url(route: Route, alice_objects: AliceObjects) -> str:
    """A concrete URL for the route, checked to resolve to that very pattern."""
    url = "/"
    kwargs: dict = {}
    for part in route.chain:
        pattern = part.pattern
        regex = pattern.regex.pattern
        converters = getattr(pattern, "converters", {})
        template, params = normalize(regex)[0]
        names = list(params)
        unnamed = [p for p in names if p.startswith("_")]  # normalize() names unnamed groups _0, _1, ...
        if unnamed:
            for placeholder, real in zip(unnamed, positional_names(route, len(unnamed)), strict=True):
                names[names.index(placeholder)] = real
                template = template.replace(f"%({placeholder})s", f"%({real})s")
        values = {}
        for name in names:
            value = argument_value(name, route, alice_objects, kwargs)
            converter = converters.get(name)
            values[name] = converter.to_url(converter.to_python(value)) if converter else value
            kwargs[name] = value
        url += template % values
    match = resolve(urlsplit(url).path)
    assert match.route == route.route, f"{url} resolves to /{match.route}, not to {route}: it is shadowed"
    return url


# --- Requesting it ----------------------------------------------------------------------------


def fetch(client, url: str) -> list:
    """GET the URL (POST if the view refuses GET), then follow local redirects: every response."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    responses = [response]
    for _ in range(5):
        if response.status_code not in (301, 302, 303, 307, 308):
            break
        location = urlsplit(response["Location"])
        if location.netloc and location.netloc != "testserver":
            break
        response = client.get(location.path, dict(parse_qsl(location.query)))
        responses.append(response)
    for step in responses:
        assert step.status_code < 500, f"{url}: server error {step.status_code}"
    return responses


def redirects_to_admin_login(responses) -> bool:
    """Only redirects, the last of which leads to the admin's sign-in page (admin/logout/ goes there
    through admin/)."""
    for response in responses:
        if response.status_code not in (301, 302, 303, 307, 308):
            return False
        if urlsplit(response["Location"]).path == reverse("admin:login"):
            return True
    return False


def alice_markers(alice: Professional) -> list[str]:
    address = alice.correspondence_addresses.first()
    return [alice.professional_number, alice.last_name, address.line1]


def leaks(responses, alice: Professional) -> list[str]:
    found = []
    for response in responses:
        body = response.content.decode(errors="replace")
        for marker in alice_markers(alice):
            if marker in body:
                found.append(f"{response.request['PATH_INFO']} shows {marker!r}")
    return found


# --- The tests ---------------------------------------------------------------------------------


@pytest.fixture
def alice_objects(alice) -> AliceObjects:
    return AliceObjects(alice)


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob.user, backend=MODEL_BACKEND)
    own = client.get(reverse("dossier:profil"))
    assert own.status_code == 200 and bob.professional_number in own.content.decode(), "Bob is not signed in"
    return client


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent, backend=MODEL_BACKEND)
    assert client.get(reverse("admin:index")).status_code == 200, "the agent is not signed in"
    return client


routes = pytest.mark.parametrize("route", ROUTES, ids=str)


@routes
def test_DOS_5_anonymous_gets_no_private_page(client, alice_objects, route):
    url = build_url(route, alice_objects)
    responses = fetch(client, url)
    first = responses[0]
    if route.name in PUBLIC:
        return
    if route.is_admin:
        assert redirects_to_admin_login(responses), f"{url}: {first.status_code}, not a redirect to the admin sign-in page"
    else:
        assert not 200 <= first.status_code < 300, f"{url} answered {first.status_code} to nobody signed in"


@routes
def test_DOS_5_another_professional_never_sees_alices_file(bob_client, alice, alice_objects, route):
    url = build_url(route, alice_objects)
    responses = fetch(bob_client, url)
    first = responses[0]
    if route.is_admin and route.name not in PUBLIC:
        assert redirects_to_admin_login(responses) or first.status_code == 403, (
            f"{url}: a professional reached the admin ({first.status_code})"
        )
    assert leaks(responses, alice) == [], f"{url} shows Alice's file to Bob"


@routes
def test_DOS_5_staff_see_files_only_through_the_admin(agent_client, alice, alice_objects, route):
    url = build_url(route, alice_objects)
    responses = fetch(agent_client, url)
    if route.is_admin:
        return  # the admin is where staff work, with the permissions of their role (no server error)
    first = responses[0]
    if route.name not in PUBLIC | SIGNED_IN_SHELL:
        assert first.status_code == 404 or 300 <= first.status_code < 400, (
            f"{url} answered {first.status_code} to staff: professional pages are not for staff"
        )
    outside_admin = [r for r in responses if not r.request["PATH_INFO"].startswith(reverse("admin:index"))]
    assert leaks(outside_admin, alice) == [], f"{url} shows Alice's file to staff outside the admin"


# --- The walk itself --------------------------------------------------------------------------


def test_the_walk_reaches_every_part_of_the_project():
    names = {route.name for route in ROUTES}
    expected = {"dossier:home", "dossier:profil", "comptes:accounts", "notifications:inbox", "login", "logout",
                "healthz", "admin:index", "admin:dossier_professional_number_letter"}
    expected |= {f"admin:{model._meta.app_label}_{model._meta.model_name}_change" for model in admin.site._registry}
    assert expected - names == set()


def test_the_leak_markers_are_on_alices_own_profil(client, alice):
    client.force_login(alice.user, backend=MODEL_BACKEND)
    page = client.get(reverse("dossier:profil")).content.decode()
    assert [marker for marker in alice_markers(alice) if marker not in page] == []


def test_a_url_argument_the_test_does_not_know_fails_with_a_lesson(alice_objects):
    unknown = Route(chain=(path("secret/<int:dossier_secret>/", lambda request, dossier_secret: None),), namespace="")
    with pytest.raises(pytest.fail.Exception, match="Teach it in argument_value"):
        build_url(unknown, alice_objects)


# --- the admin never answers a NUL character with a server error (PostgreSQL refuses it in any text) ----


@pytest.mark.parametrize("url", [
    "/admin/dossier/request/?q=%00",
    "/admin/dossier/request/?status__exact=%00",
    "/admin/comptes/mandatary/?relation__exact=a%00b",
    "/admin/dossier/professional/?q=Tremblay%00",
    "/admin/dossier/professional/%00/change/",
])
def test_a_nul_character_in_an_admin_address_gets_a_400_page_in_french_not_a_server_error(agent_client, alice, url):
    response = agent_client.get(url)
    assert response.status_code == 400
    page = response.content.decode()
    assert "L’adresse de cette page contient un caractère nul" in page and "Adresse invalide" in page


def test_STF_1_the_admin_top_bar_leads_staff_to_the_request_queue_not_to_a_portal_page_that_answers_404(agent_client):
    page = agent_client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{reverse("admin:dossier_request_changelist")}">File des demandes</a>' in page
    assert "Voir le site" not in page
    assert agent_client.get(reverse("admin:dossier_request_changelist")).status_code == 200
