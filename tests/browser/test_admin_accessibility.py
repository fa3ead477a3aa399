"""BEY-9 in the back office (issue 13): every admin page an agent or a supervisor can reach passes
axe-core (WCAG 2.1 AA) with no violation.

The pages are found generically (tests/admin_pages.py: the admin site's registry and the user's
permissions, then every link to an admin page whose route was not opened yet), so that a page added
later is checked too. Besides the pages a link leads to, the answers to forms: each action of each
list, run on its first row ("Assigner à un agent…", "Supprimer la sélection"); each add form and paper
form sent empty (its errors); a request's reply and refusal sent empty (their messages). Every
document the browser loads is checked by tests/browser/conftest.py; the crawl goes on after a page
with violations, and the test fails at the end naming each page, the page whose link led to it, and
each rule broken with its elements.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from demo.data import STAFF
from dossier.models import Request, User
from notifications.request_kinds import MessageToTheBoard
from tests import admin_pages
from tests.browser.conftest import AccessibilityViolation
from tests.browser.helpers import staff_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

(AGENT, AGENT_PASSWORD, *_), (SUPERVISOR, SUPERVISOR_PASSWORD, *_) = STAFF
# Forms sent empty to see their errors: add forms, and the admin's own forms that add (a file opened, a
# paper form entered). Never a form whose empty answer would do something.
FORMS_SENT_EMPTY = re.compile(r"^admin:(\w+_add|dossier_professional_open|dossier_request_paper_form)$")
DEFAULT_BUTTON = "#content input[type=submit].default"


@pytest.fixture
def rows(demo_data):
    """The demo data, with a row of every model of the admin."""
    agent, supervisor = User.objects.get(username=AGENT), User.objects.get(username=SUPERVISOR)
    admin_pages.one_of_each(agent=agent, supervisor=supervisor)
    assert admin_pages.models_without_rows(agent, supervisor) == []


class Visit:
    """Loads pages in the browser and keeps, for the final report, what went wrong where."""

    def __init__(self, page: Page):
        self.page = page
        self.problems: list[str] = []

    def __call__(self, where: str, load) -> bool:
        """Run `load`, which loads a page (its response, or None after a click); False if that page
        broke a rule or did not answer 200."""
        try:
            response = load()
        except AccessibilityViolation as violation:
            self.problems.append(f"{where}:\n{violation}")
            return False
        if response is not None and response.status != 200:
            self.problems.append(f"{where}: HTTP {response.status}")
            return False
        return True

    def click(self, where: str, target) -> bool:
        def load():
            with self.page.expect_navigation():
                target.click()
        return self(where, load)

    def links(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "a[href]", "links => links.filter(a => a.origin === location.origin).map(a => a.href)")


def run_actions(visit: Visit, page: Page, where: str) -> None:
    """Each action of the list on the page, on its first row; back to the list only when an action
    answered with a page of its own."""
    path = urlsplit(page.url).path
    actions = page.locator("select[name=action] option").evaluate_all("options => options.map(o => o.value).filter(Boolean)")
    for action in actions:
        if urlsplit(page.url).path != path and not visit(where, lambda: page.goto(path)):
            return
        page.locator("input.action-select").first.check()
        page.locator("select[name=action]").select_option(action)
        visit.click(f"{where}, action {action}", page.locator("button[name=index]"))


def send_empty_replies(visit: Visit, page: Page, where: str) -> None:
    """A request's reply and refusal with nothing written: each answers with its message."""
    for button in ("Envoyer la réponse", "Refuser"):
        if visit.click(f"{where}, {button} with nothing written", page.get_by_role("button", name=button)):
            expect(page.locator(".messagelist .error")).to_have_count(1)


@pytest.mark.parametrize("username, password", [(AGENT, AGENT_PASSWORD), (SUPERVISOR, SUPERVISOR_PASSWORD)],
                         ids=["agent", "superviseur"])
def test_BEY_9_every_admin_page_staff_can_reach_has_no_accessibility_violation(page, rows, username, password):
    staff_signed_in(page, username, password)
    visit, crawl = Visit(page), admin_pages.Crawl(admin_pages.seed_urls(User.objects.get(username=username)))
    conversation = Request.objects.get(kind=MessageToTheBoard.code)
    conversation_page = reverse("admin:dossier_request_change", args=[conversation.pk])
    for url in crawl:
        where = crawl.where(url)
        if not visit(where, lambda url=url: page.goto(url)):
            continue
        crawl.found(visit.links(), on=url)
        route = admin_pages.route_key(page.url)  # after a redirection: adding a file is "Ouvrir un dossier"
        if route and FORMS_SENT_EMPTY.match(route[0]) and page.locator(DEFAULT_BUTTON).count():
            visit.click(f"{where}, sent empty", page.locator(DEFAULT_BUTTON).first)
        elif page.locator("select[name=action]").count() and page.locator("input.action-select").count():
            run_actions(visit, page, where)
        elif url == conversation_page:
            send_empty_replies(visit, page, where)

    assert len(crawl.opened) > 40, crawl.opened  # the crawl found the admin
    assert not visit.problems, (f"{len(visit.problems)} admin page(s) fail, of {len(crawl.opened)} opened by "
                                f"{username}:\n\n" + "\n\n".join(visit.problems))
