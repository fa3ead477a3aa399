"""Small steps shared by the browser tests."""
from __future__ import annotations

from playwright.sync_api import Page, expect

DEMO_USERNAME = "dentiste.demo"
DEMO_PASSWORD = "Dentiste-2026"  # demo-only, printed by `make run` (demo/data.py)


def sign_in(page: Page, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto("/connexion/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def signed_in(page: Page, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD) -> None:
    """Sign in and wait for the Profil tab."""
    sign_in(page, username, password)
    expect(page).to_have_url("/profil/")


def staff_signed_in(page: Page, username: str, password: str) -> None:
    """Sign in to the admin through its own sign-in page (in French), and wait for its index."""
    page.goto("/admin/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url("/admin/")


def spaced(text: str) -> str:
    """Collapse whitespace the way a browser renders it."""
    return " ".join(text.split())


def press_tab_until(page: Page, locator, *, limit: int = 30) -> None:
    """Press Tab until `locator` has the focus (it may have it already): keyboard only."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} never received the focus after {limit} presses of Tab")
