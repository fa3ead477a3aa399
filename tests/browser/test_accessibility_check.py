"""The automatic accessibility check itself: it must catch a bad page, whatever opened it."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AccessibilityViolation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GOOD = (
    '<!DOCTYPE html><html lang="fr"><head><title>Bonne page</title></head>'
    '<body><main><h1>Bonne page</h1><a href="/mauvaise/">Mauvaise page</a></main></body></html>'
)
# An image without a text alternative and a document without a language: two WCAG A failures.
BAD = '<!DOCTYPE html><html><head><title>Mauvaise</title></head><body><main><img src="/x.png"></main></body></html>'


@pytest.fixture
def fake_pages(page):
    page.route("**/bonne/", lambda route: route.fulfill(body=GOOD, content_type="text/html"))
    page.route("**/mauvaise/", lambda route: route.fulfill(body=BAD, content_type="text/html"))


def test_BEY_9_a_page_with_violations_fails_on_goto(page, a11y, fake_pages):
    with pytest.raises(AccessibilityViolation) as failure:
        page.goto("/mauvaise/")
    report = str(failure.value)
    assert "image-alt (critical)" in report
    assert "html-has-lang (serious)" in report
    assert "img" in report  # the target selector
    a11y.failures.clear()  # proven; do not fail this test for it


def test_BEY_9_a_page_reached_by_a_click_is_checked_too(page, a11y, fake_pages):
    page.goto("/bonne/")
    with pytest.raises(AccessibilityViolation, match="image-alt"):
        page.get_by_role("link", name="Mauvaise page").click()
        expect(page).to_have_title("Mauvaise")
    a11y.failures.clear()


def test_BEY_9_every_page_opened_is_checked(page, a11y, fake_pages, live_server):
    page.goto("/bonne/")
    page.get_by_role("link", name="Mauvaise page").hover()  # no navigation: no new check
    page.goto("/connexion/")
    page.get_by_role("button", name="Contraste inversé").click()  # a form posted, then a redirect
    page.reload()
    checked = [(url.removeprefix(live_server.url), classes) for url, classes in a11y.checked]
    assert checked == [
        ("/bonne/", ""),
        ("/connexion/", "mode-normal"),
        ("/connexion/", "mode-contraste-inverse"),
        ("/connexion/", "mode-contraste-inverse"),
    ]
