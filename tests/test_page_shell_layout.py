"""Issue 15, the page shell (templates/base.html): who is signed in is named in the header of every signed-in
page, pages kept whole in a file's cache included; each level of message says its kind in words.
The layout itself (reflow at 320 px, the three display modes) is proven in a browser:
tests/browser/test_reflow_matrix.py."""
import re

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

SIGNED_IN = re.compile(r'<p class="signed-in">(.*?)</p>', re.S)
PAGES = ["dossier:profil", "dossier:history", "comptes:accounts", "notifications:inbox", "notifications:write"]


def signed_in_line(response) -> str:
    found = SIGNED_IN.search(response.content.decode())
    assert found, "no line naming who is signed in in the header"
    return re.sub(r"<[^>]+>", "", found.group(1))


@pytest.fixture
def named(alice, bob):
    """Their accounts bear their names, as when the account is created (inscription.enrolment)."""
    for professional in (alice, bob):
        get_user_model().objects.filter(pk=professional.user_id).update(first_name=professional.first_name, last_name=professional.last_name)
        professional.user.refresh_from_db()


def test_every_tab_names_alice_in_its_header(client, alice, named):
    client.force_login(alice.user)
    for name in PAGES:
        assert signed_in_line(client.get(reverse(name))) == "Personne connectée\u00a0: Alice Tremblay", name
    client.logout()
    assert not SIGNED_IN.search(client.get(reverse("login")).content.decode())


def test_bob_is_named_on_his_own_pages_after_alice_saw_hers(client, alice, bob, named):
    """Pages are kept whole per file (dossier.decorators.file_page): the name kept is the file's own."""
    client.force_login(alice.user)
    for name in PAGES:
        client.get(reverse(name))
        client.get(reverse(name))  # from the page cache
    client.force_login(bob.user)
    for name in PAGES:
        assert signed_in_line(client.get(reverse(name))) == "Personne connectée\u00a0: Bob Gagnon", name


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ["Succès\u00a0: ", "Avertissement\u00a0: ", "Erreur\u00a0: ", "Information\u00a0: "]),
    ("en", ["Success: ", "Warning: ", "Error: ", "Information: "]),
])
def test_each_level_of_message_says_its_kind(rf, language, words):
    request = rf.get("/")
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    for level in (messages.SUCCESS, messages.WARNING, messages.ERROR, messages.INFO):
        messages.add_message(request, level, "Texte")
    with translation.override(language):
        page = render(request, "base.html").content.decode()
    shown = re.findall(r'<p class="message message-(\w+)" data-niveau="([^"]*)">Texte</p>', page)
    assert shown == list(zip(["success", "warning", "error", "info"], words, strict=True))
