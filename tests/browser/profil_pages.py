"""Small steps and labels of the Profil-tab browser flows (tests/browser/test_profil_flows.py); their
fixtures (`dentist`, `second_tab`) are in tests/browser/conftest.py."""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from django.utils import translation
from playwright.sync_api import Page, expect

from dossier.models import Professional
from notifications.sms import LocmemSmsBackend
from ramq_portal import writing
from tests.browser.helpers import signed_in
from tests.factories import aware

# A Tuesday morning, Québec time, that is not a payment date: the next payment (the effective date of
# a dated change, PAY-2) is two days later. Every flow starts from this moment.
START = aware(2027, 3, 9, 10, 0)

EMAIL_LINK = re.compile(r"https?://\S+?/courriel/valider/[^/\s]+/")
SMS_CODE = re.compile(r"\b(\d{6})\b")


# --- small steps -------------------------------------------------------------------------------


def fresh(professional: Professional) -> Professional:
    """The file as the database holds it now."""
    return Professional.objects.get(pk=professional.pk)


def french_date(day: date) -> str:
    """A date the way the French pages write it ("11 mars 2027", "1er avril 2027")."""
    with translation.override("fr"):
        return writing.long_date(day)


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
