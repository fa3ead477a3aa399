"""Browser fixtures: one Chromium per session, a fresh context per test, and an automatic
accessibility check (axe-core, WCAG 2.1 AA) of every page a browser test opens.

How the check is automatic: every call a test makes through Playwright's sync API (page.goto,
locator.click, keyboard.press, expect(...), ...) goes through `SyncBase._sync`. While a browser test
runs, that method is wrapped: after each call, if the main frame committed a new document since the
last check, the wrapper waits for its `load` event and runs axe-core on it before the test gets
control back. A test therefore cannot open a page that escapes the check. A last check runs when the
test body ends (pytest_runtest_call below), and any violation fails the test with the rule id, the
impact and the target selectors.
"""
from __future__ import annotations

import os

# Playwright's sync API runs an asyncio loop in this thread; the ORM calls of the test body (and of
# the live server, which shares the in-memory test database) would otherwise be refused.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import greenlet  # noqa: E402
import pytest  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from django.core import mail  # noqa: E402
from playwright._impl._sync_base import SyncBase  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

import demo.data  # noqa: E402
from dossier.models import Professional  # noqa: E402
from notifications.sms import LocmemSmsBackend  # noqa: E402
from tests import timetravel  # noqa: E402
from tests.browser.helpers import DEMO_USERNAME  # noqa: E402
from tests.browser.inscription_pages import BERGERON, GAGNON, Newcomer  # noqa: E402
from tests.browser.profil_pages import START  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
TIMEOUT_MS = 10_000

_CHECKER = pytest.StashKey["AccessibilityChecker"]()

# axe-core only marks an ID reference to a missing element as "needs review" (it cannot know whether a
# script will add it later). These pages have no script, so a dangling reference is a bug: an error
# message or help text that assistive technologies never announce with its field (WCAG 1.3.1, 3.3.1).
BROKEN_ID_REFERENCES_JS = """() => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? `[name="${el.name}"]` : '');
  const attributes = ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-owns', 'aria-errormessage', 'aria-activedescendant'];
  for (const attribute of attributes) {
    for (const el of document.querySelectorAll(`[${attribute}]`)) {
      for (const id of el.getAttribute(attribute).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) problems.push(`${name(el)} ${attribute}="${id}"`);
      }
    }
  }
  for (const label of document.querySelectorAll('label[for]')) {
    if (!document.getElementById(label.htmlFor)) problems.push(`label for="${label.htmlFor}"`);
  }
  return problems;
}"""


class AccessibilityViolation(AssertionError):
    pass


class AccessibilityChecker:
    """Runs axe-core on each document the page loads; see the module docstring."""

    def __init__(self, page: Page, axe: Axe):
        self.page = page
        self.axe = axe
        self.navigations = 0  # documents the main frame committed (and same-document moves)
        self.checked_navigations = 0
        self.checked: list[tuple[str, str]] = []  # (url, class of <html>) of each document checked
        self.failures: list[str] = []
        self._busy = False
        page.on("framenavigated", self._on_navigated)

    def _on_navigated(self, frame) -> None:
        # Runs in Playwright's dispatcher: only bookkeeping here, no API call.
        if frame.parent_frame is None:
            self.navigations += 1

    def after_call(self) -> None:
        """Check the current document if the main frame navigated since the last check."""
        if self._busy or self.page.is_closed() or self.navigations == self.checked_navigations:
            return
        self._busy = True
        try:
            self.page.wait_for_load_state("load")
            self.checked_navigations = self.navigations
            self.check()
        finally:
            self._busy = False

    def check(self) -> None:
        """Run axe-core on the current document now; raise on any WCAG 2.1 AA violation."""
        was_busy, self._busy = self._busy, True
        try:
            state = self.page.evaluate(
                "() => ({type: document.contentType, classes: document.documentElement.className})"
            )
            where = f"{self.page.url} [html class={state['classes']!r}]"
            if state["type"] != "text/html":
                return
            results = self.axe.run(self.page, options=AXE_OPTIONS)
            self.checked.append((self.page.url, state["classes"]))
            violations = results.response["violations"]
            broken = self.page.evaluate(BROKEN_ID_REFERENCES_JS)
            if broken:
                violations = [*violations, {
                    "id": "broken-id-reference", "impact": "serious",
                    "help": "ID references (aria-describedby, label for, ...) must point to an element of the page",
                    "nodes": [{"target": [problem]} for problem in broken],
                }]
            if violations:
                report = format_violations(where, violations)
                self.failures.append(report)
                raise AccessibilityViolation(report)
        finally:
            self._busy = was_busy


def format_violations(where: str, violations: list[dict]) -> str:
    lines = [f"Accessibility check (axe-core, WCAG 2.1 AA) found {len(violations)} violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"  - {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"      {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


_active_checkers: list[AccessibilityChecker] = []


@pytest.fixture(scope="session")
def _sync_hook():
    """Wrap Playwright's single sync entry point once for the session (see the module docstring)."""
    original = getattr(SyncBase, "_sync", None)
    assert original is not None, "Playwright's SyncBase._sync is gone: update the accessibility hook in tests/browser/conftest.py"
    test_greenlet = greenlet.getcurrent()

    def _sync_then_check(self, awaitable):
        result = original(self, awaitable)
        # Only for calls of the test body: event and route handlers run in other greenlets.
        if greenlet.getcurrent() is test_greenlet:
            for checker in list(_active_checkers):
                checker.after_call()
        return result

    SyncBase._sync = _sync_then_check
    yield
    SyncBase._sync = original


@pytest.fixture(scope="session")
def browser(_sync_hook, django_db_setup):
    from django.db import connections

    # Django keeps database connections per thread, and per async context once an event loop runs in
    # the thread, which Playwright's sync API does from here on: the tests get new connection objects.
    # Hand them the test database's serialized contents (kept on the connection that created the
    # database), or serialized_rollback would silently restore nothing after the first flush.
    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def page(request, browser, axe, live_server):
    """A page in a fresh browser context (fr-CA), every document of which is checked with axe-core."""
    context = browser.new_context(locale="fr-CA", base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    checker = AccessibilityChecker(new_page, axe)
    request.node.stash[_CHECKER] = checker
    _active_checkers.append(checker)
    try:
        yield new_page
    finally:
        _active_checkers.remove(checker)
        context.close()


@pytest.fixture
def a11y(request, page) -> AccessibilityChecker:
    """The page's checker, for a test that wants an extra check of a state reached without navigation."""
    return request.node.stash[_CHECKER]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Last check when the test body ends, so that the last page opened is never left unchecked."""
    result = yield
    checker = item.stash.get(_CHECKER, None)
    if checker is not None:
        checker.after_call()
        if checker.failures:  # a violation the test body swallowed
            raise AccessibilityViolation("\n\n".join(checker.failures))
    return result


@pytest.fixture
def demo_dentist(transactional_db) -> Professional:
    """The demo data of `make run`; returns the file of the demo dentist (Alice Tremblay)."""
    demo.data.load()
    return Professional.objects.select_related("profession", "user").get(user__username=DEMO_USERNAME)


@pytest.fixture
def demo_data(transactional_db):
    """The demo data of `make run`, with time stopped at START and empty outboxes.

    Time stops before the demo data is loaded, so that the pay calendar, the files, their history and
    the sessions all live at the same moment; the live server runs in this process, so it shares it.
    """
    timetravel.move_to(START)
    demo.data.load()
    LocmemSmsBackend.outbox.clear()
    mail.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def dentist(demo_data) -> Professional:
    """The demo dentist (Alice Tremblay), at START (see `demo_data`)."""
    return Professional.objects.get(user__username=DEMO_USERNAME)


@pytest.fixture
def gagnon(demo_data) -> Newcomer:
    """Benoît Gagnon, the unenrolled demo dentist (paid per act: no SIN asked)."""
    return GAGNON


@pytest.fixture
def bergeron(demo_data) -> Newcomer:
    """Élise Bergeron, the unenrolled demo optometrist paid by fixed fees (the SIN is asked)."""
    return BERGERON


def _checked_until_the_end(checker: AccessibilityChecker) -> list[str]:
    """Check the last document of a page the test opened besides its own; return every failure."""
    try:
        checker.after_call()
    except AssertionError:
        pass  # recorded in checker.failures
    finally:
        _active_checkers.remove(checker)
    return checker.failures


@pytest.fixture
def second_tab(page, axe) -> Page:
    """A second tab in the same browser context (same session), also checked with axe-core."""
    tab = page.context.new_page()
    checker = AccessibilityChecker(tab, axe)
    _active_checkers.append(checker)
    yield tab
    failures = _checked_until_the_end(checker)
    if failures:
        raise AssertionError("\n\n".join(failures))


@pytest.fixture
def other_device(browser, axe, live_server):
    """Opens a page in a NEW browser context (no cookies: another device), checked with axe-core like
    the test's own page. Call it to get the page; every context it opened is closed at the end."""
    opened: list[tuple[object, AccessibilityChecker]] = []

    def open_page() -> Page:
        context = browser.new_context(locale="fr-CA", base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        new_page = context.new_page()
        checker = AccessibilityChecker(new_page, axe)
        _active_checkers.append(checker)
        opened.append((context, checker))
        return new_page

    yield open_page
    failures = []
    for context, checker in opened:
        failures.extend(_checked_until_the_end(checker))
        context.close()
    if failures:
        raise AssertionError("\n\n".join(failures))
