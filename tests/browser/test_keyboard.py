"""Full keyboard use (BEY-9): skip link, sign-in without a mouse, every control reachable by Tab with
a focus indicator that can be seen in every display mode (WCAG 2.1.1, 2.4.1, 2.4.7, 1.4.11)."""
import re

import pytest
from playwright.sync_api import expect

from ramq_portal.display import DISPLAY_COOKIE
from tests.browser.helpers import DEMO_PASSWORD, DEMO_USERNAME, press_tab_until, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MODES = ["normal", "contraste-eleve", "contraste-inverse"]

# A key naming each control the same way in both scripts below.
_KEY_JS = """el => [el.tagName.toLowerCase(), el.getAttribute('name') || '', el.getAttribute('value') || '',
                    el.getAttribute('href') || '', (el.textContent || '').trim().replace(/\\s+/g, ' ')].join('|')"""

FOCUSABLE_JS = f"""() => {{
  const key = {_KEY_JS};
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), '
    + 'select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  return [...document.querySelectorAll(selector)].map(key);
}}"""

# The focused control, its outline, and the colour right behind the outline on each side of it (what
# the outline must stand out from: WCAG 1.4.11 asks for 3:1).
FOCUSED_JS = f"""() => {{
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const width = parseFloat(style.outlineWidth) || 0;
  const reach = (parseFloat(style.outlineOffset) || 0) + width / 2;
  const middleX = rect.left + rect.width / 2, middleY = rect.top + rect.height / 2;
  const points = [[rect.left - reach, middleY], [rect.right + reach, middleY],
                  [middleX, rect.top - reach], [middleX, rect.bottom + reach]];
  const behind = [];
  for (const [x, y] of points) {{
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    let colour = 'rgb(255, 255, 255)';
    for (const under of document.elementsFromPoint(x, y)) {{
      if (under === el || el.contains(under)) continue;
      const background = getComputedStyle(under).backgroundColor;
      if (background !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(background)) {{ colour = background; break; }}
    }}
    behind.push(colour);
  }}
  return {{key: ({_KEY_JS})(el), style: style.outlineStyle, width, colour: style.outlineColor, behind}};
}}"""


def _rgb(css: str) -> tuple[float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)[:3]]
    return values[0], values[1], values[2]


def _luminance(css: str) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = _rgb(css)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def tab_through(page, limit=60):
    """Press Tab until the focus comes back to a control already seen (a whole cycle through the page,
    whatever had the focus first); what each control showed when it had the focus."""
    stops = {}
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:  # between the end of the page and its start
            continue
        if focused["key"] in stops:
            return list(stops.values())
        stops[focused["key"]] = focused
    raise AssertionError(f"Tab never came back to the same control after {limit} presses")


def focus_problems(stops):
    problems = []
    for stop in stops:
        if stop["style"] == "none" or stop["width"] < 2:
            problems.append(f"{stop['key']}: no visible outline ({stop['style']} {stop['width']}px)")
        elif not stop["behind"]:
            problems.append(f"{stop['key']}: outline outside the viewport")
        else:
            worst = min(contrast(stop["colour"], behind) for behind in stop["behind"])
            if worst < 3:
                problems.append(f"{stop['key']}: outline {stop['colour']} has {worst:.2f}:1 against {stop['behind']}")
    return problems


@pytest.mark.parametrize("mode", MODES)
def test_BEY_9_every_control_is_reached_by_tab_with_a_visible_focus(page, live_server, demo_dentist, mode):
    page.context.add_cookies([{"name": DISPLAY_COOKIE, "value": mode, "url": live_server.url}])
    for path in ["/connexion/", "/profil/"]:
        if path == "/profil/":
            signed_in(page)
        else:
            page.goto(path)
        stops = tab_through(page)
        assert sorted(stop["key"] for stop in stops) == sorted(page.evaluate(FOCUSABLE_JS)), f"{path}: Tab order misses controls"
        problems = focus_problems(stops)
        assert not problems, f"focus indicators on {path} in mode {mode}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ["/profil/", "/comptes/", "/messagerie/"])
def test_BEY_9_first_tab_focuses_the_skip_link_and_enter_moves_to_the_content(page, demo_dentist, path):
    signed_in(page)
    page.goto(path)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Passer au contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # shown when focused, not left off-screen

    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#contenu$"))


def test_DOS_4_sign_in_form_completed_and_submitted_with_the_keyboard_only(page, demo_dentist):
    page.goto("/connexion/")
    username = page.get_by_label("Nom d'utilisateur")
    password = page.get_by_label("Mot de passe")
    submit = page.get_by_role("button", name="Se connecter")

    press_tab_until(page, username)
    page.keyboard.type(DEMO_USERNAME)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url("/profil/")
    expect(page.get_by_role("region", name="Renseignements sur le professionnel")).to_contain_text("Alice Tremblay")


def test_BEY_9_display_mode_can_be_chosen_with_the_keyboard(page, demo_dentist):
    signed_in(page)
    button = page.get_by_role("button", name="Contraste inversé")
    press_tab_until(page, button)
    page.keyboard.press("Space")
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)mode-contraste-inverse(\s|$)"))
