"""Every admin page a member of staff can reach, found generically, for the tests that open them all
(tests/test_admin_wording.py with Django's test client, tests/browser/test_admin_accessibility.py with
axe-core), so that a page added later is opened too:

* from the admin site's registry and the user's permissions: the index, each application's page, each
  list (and its pop-up, opened by a raw id field), its add form, and for one row of each model its change
  (or view) page, its history, a past version (django-simple-history) and its deletion page; the page
  of every request of the queue (a conversation, a paper form's difference);
* by following, from every page opened, each link to an admin page whose route has not been opened yet
  (the paper forms, the letters, the "voir en entier" pages, the generation of the pay calendar...);
  filters, sorting and pages of a list (links with a query string) are not followed;
* and, run by the tests on each list's first row, each action the page offers (PageParser.actions):
  "Assigner à un agent…" and "Supprimer la sélection" answer with a page of their own, the others with
  the list and a message.

`one_of_each` makes sure every model of the admin has a row to open, over the demo data.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.contrib import admin
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse
from simple_history.admin import SimpleHistoryAdmin

from comptes import mandataries
from comptes.constants import MandataryRelation
from comptes.models import BillingAccount, PaymentSettings
from dossier import backoffice, disclosure, kinds, profile
from dossier.models import Professional, Request, User
from inscription import services as inscription_services
from inscription.models import Enrolment
from notifications import messaging
from notifications.models import OutboundMessage
from ramq_portal import clock

# Routes whose arguments only pick a row: one page per route is enough (one change page per model).
ROW_ARGUMENTS = {"object_id", "version_id"}
# Never opened by following a link: logging out ends the session (Django's is a POST form anyway). A
# user's page is linked from every read-only field naming a user (who recorded, decided, printed...):
# Django links a read-only foreign key without asking whether the reader may open it, and agents may
# not (403). Left as Django does it for now; the supervisor's user pages come from the registry.
NOT_FOLLOWED = {"admin:logout", "admin:dossier_user_change"}


def one_of_each(*, agent: User, supervisor: User) -> None:
    """Rows for every model of the admin that the demo data leaves empty, made the way the portal makes
    them, and a few requests of different kinds for the queue (a conversation, a paper form)."""
    alice = Professional.objects.get(user__username="dentiste.demo")
    gagnon = Professional.objects.get(licence_number="10002", profession__code="chirurgien-dentiste")
    messaging.send_to_the_board(professional=alice, subject="Délai de paiement", body="Quand serai-je payée ?", by=alice.user)
    form = kinds.of("3102").paper_form({
        "professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
        "line1": "77, rue Cartier", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5", "country": "CA",
        "email": "alice.papier@example.com",
    })
    assert form.is_valid(), form.errors
    backoffice.enter_paper_form(kind="3102", by=agent, **form.entry())
    account = BillingAccount.objects.filter(professional=alice).first()
    mandataries.record(account=account, first_name="Julie", last_name="Roy", relation=MandataryRelation.SPOUSE, agency=None,
                       by=agent, reason="Formulaire 3005")
    Enrolment.objects.get_or_create(professional=alice, defaults={"user": alice.user, "enrolled_at": clock.now(),
                                                                  "security_policy_version": "2026-01"})
    inscription_services.draft_for(gagnon)
    OutboundMessage.objects.create(professional=alice, channel="courriel", template="courriel_validation", to="alice@example.com",
                                   created_at=clock.now(), status="envoye")
    profile.report_unrecognised_email_change(professional_id=alice.pk, previous_email="ancienne@example.com", link="admin-pages")
    disclosure.reveal_bank_account(payment_settings=PaymentSettings.objects.filter(account__professional=alice).first(),
                                   by=supervisor)
    bergeron = Professional.objects.get(licence_number="10005")  # paid by fixed fees: her SIN is on file
    bergeron.sin = "130692544"
    bergeron.save(update_fields=["sin"])


def models_without_rows(*users: User) -> list[str]:
    """Models of the admin that one of these users sees and that have no row to open: one_of_each must
    learn to make one."""
    requests = [_request_for(user) for user in users]
    return [model._meta.label for model, model_admin in admin.site._registry.items()
            if any(model_admin.has_view_or_change_permission(request) for request in requests)
            and not model._default_manager.exists()]


def _request_for(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def seed_urls(user: User) -> list[str]:
    """The pages the registry and the user's permissions promise (see the module docstring)."""
    request = _request_for(user)
    urls = [reverse("admin:index")]
    apps = set()
    raw_id_targets = {field.related_model for model_admin in admin.site._registry.values()
                      for name in model_admin.raw_id_fields
                      for field in [model_admin.model._meta.get_field(name)]}
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        info = model._meta.app_label, model._meta.model_name
        apps.add(model._meta.app_label)
        urls.append(reverse("admin:%s_%s_changelist" % info))
        if model in raw_id_targets:
            urls.append(reverse("admin:%s_%s_changelist" % info) + "?_to_field=id&_popup=1")
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:%s_%s_add" % info))
        row = model_admin.get_queryset(request).order_by("-pk").first()
        if row is None:
            continue
        urls.append(reverse("admin:%s_%s_change" % info, args=[row.pk]))
        urls.append(reverse("admin:%s_%s_history" % info, args=[row.pk]))
        if isinstance(model_admin, SimpleHistoryAdmin) and row.history.exists():
            urls.append(reverse("admin:%s_%s_simple_history" % info, args=[row.pk, row.history.latest().history_id]))
        if model_admin.has_delete_permission(request, row):
            urls.append(reverse("admin:%s_%s_delete" % info, args=[row.pk]))
        if model is Request:  # the queue's page shows what differs between kinds: a conversation, a difference
            urls += [reverse("admin:%s_%s_change" % info, args=[pk])
                     for pk in model_admin.get_queryset(request).exclude(pk=row.pk).values_list("pk", flat=True)]
    urls += [reverse("admin:app_list", args=[app]) for app in sorted(apps)]
    return urls


def route_key(url: str) -> tuple | None:
    """What makes two admin pages different: their route and its arguments, except those that only
    pick a row. None for an address outside the admin, or one never to follow."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith(reverse("admin:index")):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name in NOT_FOLLOWED:
        return None
    return match.view_name, tuple(sorted((k, v) for k, v in match.kwargs.items() if k not in ROW_ARGUMENTS))


class Crawl:
    """The pages to open: the seeds (each opened), then every admin link found on an opened page
    (without its query string) whose route has not been opened yet. Iterate over it while calling
    `found(links, on=url)` with the links of each page opened."""

    def __init__(self, seeds: Iterable[str]):
        self.queue = deque(seeds)
        self.seen_urls: set[str] = set(self.queue)
        self.seen_routes: set[tuple] = {key for key in map(route_key, self.queue) if key is not None}
        self.opened: list[str] = []
        self.found_on: dict[str, str] = {}  # page -> the page whose link led to it

    def where(self, url: str) -> str:
        """The page, and the page that led to it if a link did: for reports."""
        return f"{url} (linked from {self.found_on[url]})" if url in self.found_on else url

    def __iter__(self):
        while self.queue:
            url = self.queue.popleft()
            self.opened.append(url)
            yield url

    def found(self, links: Iterable[str], *, on: str) -> None:
        for link in links:
            parts = urlsplit(urljoin(on, link))
            if parts.query or parts.path in self.seen_urls:
                continue
            key = route_key(parts.path)
            if key is None or key in self.seen_routes:
                continue
            self.seen_urls.add(parts.path)
            self.seen_routes.add(key)
            self.found_on[parts.path] = on
            self.queue.append(parts.path)


class PageParser(HTMLParser):
    """Links, visible text and the attributes read aloud, of an HTML page (scripts and styles left out)."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self.h1: list[str] = []
        self.title: list[str] = []
        self.actions: list[str] = []  # the values of the list's action menu
        self.selectable: list[str] = []  # the rows' checkboxes (_selected_action)
        self._skip = 0
        self._in: list[str] = []
        self._select_name = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        self._in.append(tag)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "select":
            self._select_name = attrs.get("name")
        if tag == "option" and self._select_name == "action" and attrs.get("value"):
            self.actions.append(attrs["value"])
        if tag == "input" and attrs.get("name") == "_selected_action":
            self.selectable.append(attrs.get("value", ""))
        for name in self.SPOKEN:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "select":
            self._select_name = None
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data):
        if self._skip or not data.strip():
            return
        self.texts.append(data)
        if "h1" in self._in:
            self.h1.append(data)
        if "title" in self._in:
            self.title.append(data)


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser
