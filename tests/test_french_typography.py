"""Issue 15: French typography in every French message (a non-breaking space before a colon and inside
« », none before ; ! ?, see README, Translations), and "label: value" written the English way on English pages."""
import re
from pathlib import Path

import polib
from django.conf import settings
from django.urls import reverse

NBSP = "\u00a0"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
# The project's overrides of Django's own French admin messages: French in their msgstr.
FRENCH_OVERRIDES = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


# --- French typography in every message --------------------------------------------------------------

def _typography_faults(message: str) -> list[str]:
    faults = []
    if re.search(r"(?<!\u00a0):(?=\s|$)", message):
        faults.append("a colon without a non-breaking space before it")
    if re.search(r"«(?!\u00a0)|(?<!\u00a0)»", message):
        faults.append("guillemets without their non-breaking spaces")
    if re.search(r"\S[ \u00a0][;!?]", message):
        faults.append("a space before ; ! or ? (the portal writes none)")
    return faults


def test_every_french_message_of_the_catalogue_follows_french_typography():
    """A non-breaking space before a colon and inside « », none before ; ! ? (README, Translations)."""
    assert _typography_faults("Solde : 3 $") and _typography_faults("Objet: lettre") and _typography_faults("« mot »")
    assert _typography_faults("Vraiment ?") and not _typography_faults(f"Solde{NBSP}: «{NBSP}mot{NBSP}». Vraiment?")
    faults = []
    for entry in polib.pofile(str(CATALOGUE)):
        for message in filter(None, (entry.msgid, entry.msgid_plural)):
            faults += [f"{message!r}: {fault}" for fault in _typography_faults(message)]
    for entry in polib.pofile(str(FRENCH_OVERRIDES)):
        for message in filter(None, (entry.msgstr, *entry.msgstr_plural.values())):
            faults += [f"{message!r}: {fault}" for fault in _typography_faults(message)]
    assert not faults, "\n".join(faults)


def test_a_french_page_writes_no_plain_space_before_a_colon(client, alice, pay_calendar):
    client.force_login(alice.user)
    page = client.get(reverse("dossier:profil"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    text = re.sub(r"<[^>]+>", "", re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S))
    assert not re.findall(r".{0,30}\S :.{0,10}", text)
    assert f"{NBSP}:" in text


def test_an_english_profile_shows_no_french_space_before_a_colon_and_names_the_full_name_a_name(client, alice, pay_calendar):
    client.force_login(alice.user)
    page = client.get(reverse("dossier:profil"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = re.sub(r"<[^>]+>", "", page)
    assert f"{NBSP}:" not in text and " : " not in text
    assert "Last name" not in page and "<dt>Name</dt><dd>Alice Tremblay</dd>" in page
