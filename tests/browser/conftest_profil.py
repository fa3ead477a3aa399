"""Fixtures and small steps for the Profil-tab browser flows (tests/browser/test_profil_flows.py).

Imported by that test module (not a pytest conftest): the harness of tests/browser/conftest.py stays
as it is, and every page opened here is still checked with axe-core.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from dossier.models import Professional
from notifications.sms import LocmemSmsBackend
from ramq_portal import clock
from tests.browser.conftest import AccessibilityChecker, _active_checkers
from tests.browser.helpers import DEMO_USERNAME, signed_in
from tests.factories import aware

# A Tuesday morning, Québec time, that is not a payment date: the next payment (the effective date of
# a dated change, PAY-2) is two days later. Every flow starts from this moment.
START = aware(2027, 3, 9, 10, 0)

EMAIL_LINK = re.compile(r"https?://\S+?/courriel/valider/[^/\s]+/")
SMS_CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def dentist(transactional_db) -> Professional:
    """The demo dentist (Alice Tremblay), with the portal's clock frozen at START and empty outboxes.

    The clock is frozen before the demo data is loaded, so that the pay calendar, the file and the
    session all live on the same (portal) time; the live server shares the clock (same process).
    """
    from dossier import demo

    clock.set_now(START)
    demo.load()
    LocmemSmsBackend.outbox.clear()
    mail.outbox.clear()
    yield Professional.objects.get(user__username=DEMO_USERNAME)
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def second_tab(page, axe) -> Page:
    """A second tab in the same browser context (same session), also checked with axe-core."""
    tab = page.context.new_page()
    checker = AccessibilityChecker(tab, axe)
    _active_checkers.append(checker)
    try:
        yield tab
    finally:
        _active_checkers.remove(checker)
        checker.after_call()  # its last document too
        if checker.failures:
            raise AssertionError("\n\n".join(checker.failures))


# --- small steps -------------------------------------------------------------------------------


def fresh(professional: Professional) -> Professional:
    """The file as the database holds it now."""
    return Professional.objects.get(pk=professional.pk)


def french_date(day: date) -> str:
    """A date the way the French pages write it ("11 mars 2027")."""
    with translation.override("fr"):
        return formats.date_format(day, "j F Y")


def section(page: Page, title: str):
    """A section of the Profil tab, by its heading."""
    return page.get_by_role("region", name=title)


def open_edit(page: Page, title: str) -> None:
    """Click *Modifier* in a section of the Profil tab."""
    section(page, title).get_by_role("link", name="Modifier").click()


def save(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer").click()


def fill_address(scope, *, line1: str, city: str, province: str, postal_code: str, line2: str = "") -> None:
    """Fill a Canadian address by its labels, within `scope` (a page, a fieldset)."""
    scope.get_by_label("Adresse", exact=True).fill(line1)
    scope.get_by_label("Complément d'adresse", exact=True).fill(line2)
    scope.get_by_label("Ville", exact=True).fill(city)
    scope.get_by_label("Province", exact=True).select_option(province)
    scope.get_by_label("Code postal", exact=True).fill(postal_code)


def messages(page: Page):
    """The status messages shown at the top of the page after an action."""
    return page.locator("main .messages")


def field_error(page: Page, label: str):
    """The error shown next to a field: the element its aria-describedby names `<id>_error`."""
    field_id = page.get_by_label(label, exact=True).get_attribute("id")
    return page.locator(f"#{field_id}_error")


def email_link_path(message) -> str:
    """The path of the validation link in an email's text body (the test server's host differs)."""
    found = EMAIL_LINK.search(message.body)
    assert found, f"no validation link in the text body:\n{message.body}"
    return urlsplit(found.group(0)).path


def last_sms_code() -> str:
    assert LocmemSmsBackend.outbox, "no text message was sent"
    found = SMS_CODE.search(LocmemSmsBackend.outbox[-1].body)
    assert found, f"no 6-digit code in the text message: {LocmemSmsBackend.outbox[-1].body!r}"
    return found.group(1)


def sign_in_again(page: Page) -> None:
    """After the clock moved by hours or days, the session has timed out: sign in again."""
    signed_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Profil")
