"""BEY-8 in a real browser: after returned mail, the sign-in lands on the confirmation of the
coordinates; confirming opens Mon dossier again. Every page is checked with axe-core."""
import pytest
from playwright.sync_api import expect

from dossier import profile
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_BEY_8_returned_mail_is_confirmed_before_anything_else(page, demo_dentist):
    profile.flag_returned_mail(professional=demo_dentist, by=None)
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez vos coordonnées")
    expect(page.locator(".notice")).to_contain_text("retournée par la poste")
    page.goto("/comptes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez vos coordonnées")
    page.get_by_role("button", name="Ces coordonnées sont exactes").click()
    expect(page.locator(".messages")).to_contain_text("Merci : vos coordonnées sont confirmées.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Profil")
