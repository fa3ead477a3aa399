"""Issue 13: the admin in plain French. Django's stock wording ("Sélectionnez l’objet demande à
changer", "Choisir cet objet pour une action", "Ajout de agence de facturation") never reaches staff:
every page an agent or a supervisor can reach is opened (found as tests/admin_pages.py says) and read.
Titles come from ramq_portal/admin_site.py; the libraries' other messages from locale/fr."""
from __future__ import annotations

import re
from pathlib import Path

import django
import polib
import pytest
import simple_history
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import override

import demo.data
from calendrier.models import PaymentDate
from comptes.models import Mandatary
from dossier.models import Request
from tests import admin_pages

pytestmark = pytest.mark.django_db

# "objet" or "object" anywhere a person reads or hears it, except as a label: the column "Objet" of the
# print queue or the request queue, a letter's "Objet : ..." (its subject), which is the right word; and
# the idiom "faire l'objet de", in the board's own terms ("Un recouvrement dont vous faites l'objet").
STOCK_WORDING = re.compile(r"(?<!faites l')(?<!fait l')(?<!font l')\bobj(?:et|ect)s?\b", re.IGNORECASE)
SUBJECT_LABEL = re.compile(r"\s*objet\s*(?::|$)", re.IGNORECASE)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
FRENCH_OVERRIDES = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
LIBRARY_CATALOGUES = [
    Path(django.__file__).parent / "contrib" / "admin" / "locale" / "fr" / "LC_MESSAGES" / "django.po",
    Path(simple_history.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po",
]


@pytest.fixture
def rows(agent, supervisor):
    """The demo data, and a row of every model of the admin."""
    demo.data.load()
    admin_pages.one_of_each(agent=agent, supervisor=supervisor)
    assert admin_pages.models_without_rows(agent, supervisor) == []


@pytest.fixture(params=["agent", "supervisor"])
def staff(request, rows, client):
    """Agnès (agent) or Sylvain (supervisor), signed in to the admin."""
    user = request.getfixturevalue(request.param)
    client.force_login(user)
    return user


def in_english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def page(client, url: str, where: str = "", **post) -> admin_pages.PageParser:
    response = client.post(url, post, follow=True) if post else client.get(url, follow=True)
    assert response.status_code == 200, f"{where or url}: {response.status_code}"
    return admin_pages.parse(response.content.decode())


def h1(parsed: admin_pages.PageParser) -> str:
    return " ".join(" ".join(parsed.h1).split())


def stock_wording(parsed: admin_pages.PageParser) -> list[str]:
    return [" ".join(text.split()) for text in parsed.texts
            if STOCK_WORDING.search(text) and not SUBJECT_LABEL.match(text)]


def iso_dates(parsed: admin_pages.PageParser) -> list[str]:
    return [" ".join(text.split()) for text in parsed.texts if ISO_DATE.search(text)]


def test_every_admin_page_staff_can_reach_is_in_plain_french(client, staff):
    """Every page, every action's answer: no "objet", no ISO date, a title without Django's stock."""
    problems, crawl = [], admin_pages.Crawl(admin_pages.seed_urls(staff))
    lists = []
    for url in crawl:
        parsed = page(client, url, crawl.where(url))
        crawl.found(parsed.links, on=url)
        if parsed.actions and parsed.selectable:
            lists.append((url, parsed.actions, parsed.selectable[0]))
        problems += [f"{crawl.where(url)}: {text!r}" for text in stock_wording(parsed) + iso_dates(parsed)]
    for url, actions, row in lists:
        for action in actions:
            parsed = page(client, url, action=action, _selected_action=[row], index="0")
            problems += [f"{url} (action {action}): {text!r}" for text in stock_wording(parsed) + iso_dates(parsed)]
    assert len(crawl.opened) > 40, crawl.opened  # the crawl found the admin
    assert not problems, "stock wording or ISO dates on admin pages:\n" + "\n".join(problems)


def test_a_list_is_titled_by_the_models_plural_in_french_and_in_english(client, staff):
    request = RequestFactory().get("/admin/")
    request.user = staff
    seen = [model for model, model_admin in admin.site._registry.items() if model_admin.has_view_or_change_permission(request)]
    assert Request in seen
    for language in ("fr", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for model in seen:
            with override(language):
                expected = capfirst(model._meta.verbose_name_plural)
            parsed = page(client, reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
            assert h1(parsed) == expected
            assert "".join(parsed.title).startswith(f"{expected} | ")


def test_the_request_queue_is_titled_demandes(client, agent, rows):
    client.force_login(agent)
    assert h1(page(client, reverse("admin:dossier_request_changelist"))) == "Demandes"
    in_english(client)
    assert h1(page(client, reverse("admin:dossier_request_changelist"))) == "Requests"


def test_a_page_about_one_row_says_what_it_does_and_names_the_row(client, agent, supervisor, rows):
    request = Request.objects.filter(kind="3102").get()
    client.force_login(agent)
    change = admin_pages.parse(client.get(reverse("admin:dossier_request_change", args=[request.pk])).content.decode())
    assert h1(change) == "Modification : demande"
    assert "".join(change.title).startswith(f"{request} | Modification\u00a0: demande | ")
    history = page(client, reverse("admin:dossier_request_history", args=[request.pk]))
    assert h1(history) == "Historique des modifications : demande"
    assert h1(page(client, reverse("admin:comptes_mandatary_add"))) == "Ajout : mandataire"
    assert h1(page(client, reverse("admin:calendrier_paymentdate_change", args=[PaymentDate.objects.first().pk]))) == (
        "Consultation : date de paiement")
    in_english(client)
    assert h1(page(client, reverse("admin:dossier_request_change", args=[request.pk]))) == "Change request"
    assert h1(page(client, reverse("admin:comptes_mandatary_add"))) == "Add mandatary"

    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    day = PaymentDate.objects.order_by("date").last()
    deletion = page(client, reverse("admin:calendrier_paymentdate_delete", args=[day.pk]))
    assert h1(deletion) == "Suppression : date de paiement"
    assert stock_wording(deletion) == []
    several = page(client, reverse("admin:calendrier_paymentdate_changelist"), action="delete_selected",
                   _selected_action=[day.pk], index="0")
    assert h1(several) == "Suppression : date de paiement"
    mandatary = Mandatary.objects.get()
    version = mandatary.history.latest()
    past = page(client, reverse("admin:comptes_mandatary_simple_history", args=[mandatary.pk, version.history_id]))
    assert h1(past) == "Version antérieure : mandataire"


def test_a_title_set_by_our_own_views_is_kept(client, agent, rows):
    client.force_login(agent)
    assert h1(page(client, reverse("admin:dossier_request_paper"))) == "Saisir un formulaire papier"
    assert h1(page(client, reverse("admin:index"))) == "Site d’administration"


def test_the_french_overrides_replace_messages_the_libraries_still_have():
    """locale/fr overrides Django's and django-simple-history's own French: after an upgrade that renames
    a message, the override would silently stop applying."""
    overrides = polib.pofile(str(FRENCH_OVERRIDES))
    known = {entry.msgid for catalogue in LIBRARY_CATALOGUES for entry in polib.pofile(str(catalogue))}
    placeholder = re.compile(r"%\(\w+\)s|\{\w*\}")
    assert len(overrides) > 0
    for entry in overrides:
        assert entry.msgid in known, f"{entry.msgid!r} is no longer a message of Django or django-simple-history"
        assert set(placeholder.findall(entry.msgid)) == set(placeholder.findall(entry.msgstr)), entry.msgid
        assert not STOCK_WORDING.search(placeholder.sub("", entry.msgstr)), entry.msgstr
