"""HLP-2 on the server's side: what a page gives static/js/session.js (per person, never per request),
the keep-alive restarting the idle clock, and the sign-in page saying that the session expired, once,
whoever found it. The browser's side is in tests/browser/test_session_flows.py."""
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from comptes.forms import PaymentForm
from ramq_portal.context_processors import draft_key
from tests.factories import aware

pytestmark = pytest.mark.django_db

EXPIRED = "Votre session a expiré. Veuillez vous connecter de nouveau."
NINE = aware(2027, 3, 1, 9, 0)


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def shown(page: str) -> str:
    """The page without the elements it hides (the notice the script may show)."""
    return re.sub(r"<p [^>]*\bhidden>.*?</p>", "", page)


def body_attributes(page: str) -> dict[str, str]:
    body = re.search(r"<body([^>]*)>", page).group(1)
    return dict(re.findall(r'(data-session-[a-z]+)="([^"]*)"', body))


def test_HLP_2_a_signed_in_page_gives_the_timer_its_lengths_and_the_persons_key(client, alice, settings):
    client.force_login(alice.user)
    page = client.get(reverse("dossier:profil")).content.decode()
    assert body_attributes(page) == {
        "data-session-cle": draft_key(alice.user),
        "data-session-duree": str(settings.SESSION_COOKIE_AGE),
        "data-session-avis": "120",
        "data-session-marge": str(settings.SESSION_ACTIVITY_SECONDS),
        "data-session-url": "/session/",
        "data-session-connexion": "/connexion/",
    }
    assert 'role="alertdialog"' in page and "Rester connecté" in page
    assert '<script src="/static/js/session.js" defer></script>' in page


def test_HLP_2_the_key_names_the_person_without_showing_their_id(alice, bob):
    assert draft_key(alice.user) == draft_key(alice.user)
    assert draft_key(alice.user) != draft_key(bob.user)
    assert len(draft_key(alice.user)) == 32 and draft_key(alice.user) != str(alice.user.pk)


def test_HLP_2_a_page_without_a_session_has_no_timer(client):
    page = client.get(reverse("login")).content.decode()
    assert body_attributes(page) == {} and "alertdialog" not in page


def test_HLP_2_the_keep_alive_restarts_the_servers_idle_clock(client, alice, password, frozen_clock):
    frozen_clock(NINE)
    sign_in(client, "alice", password)
    frozen_clock(NINE + timedelta(minutes=27))
    assert client.get(reverse("session_alive")).status_code == 204
    frozen_clock(NINE + timedelta(minutes=27 + 29))
    assert client.get(reverse("dossier:profil")).status_code == 200


@pytest.mark.parametrize("query", ["", "&session=expiree"])
def test_HLP_2_the_sign_in_page_says_once_that_the_server_ended_the_session(client, alice, password, frozen_clock, query):
    frozen_clock(NINE)
    sign_in(client, "alice", password)
    frozen_clock(NINE + timedelta(minutes=31))
    response = client.get(reverse("dossier:profil"))
    assert response.status_code == 302
    page = client.get(response["Location"] + query).content.decode()
    assert shown(page).count(EXPIRED) == 1
    assert re.search(r'<p class="message message-info" data-session-expiree data-niveau="[^"]+">Votre session a expiré', page)


def test_HLP_2_the_sign_in_page_says_the_browsers_timer_ended_the_session_and_keeps_the_way_back(client):
    page = client.get(reverse("login") + "?session=expiree&next=/messagerie/ecrire/").content.decode()
    assert shown(page).count(EXPIRED) == 1 and "data-session-expiree-navigateur" not in page
    assert '<input type="hidden" name="next" value="/messagerie/ecrire/">' in page


def test_HLP_2_the_way_back_stays_on_the_portal(client):
    page = client.get(reverse("login") + "?session=expiree&next=https://ailleurs.example/").content.decode()
    assert '<input type="hidden" name="next" value="">' in page


def test_HLP_2_without_an_end_of_session_the_sign_in_page_keeps_its_notice_for_the_script(client):
    page = client.get(reverse("login")).content.decode()
    assert EXPIRED not in shown(page)
    assert re.search(r"data-session-expiree data-session-expiree-navigateur hidden>Votre session a expiré", page)


def test_HLP_2_without_javascript_the_sign_in_page_says_the_session_expired_once(client, alice, password, frozen_clock):
    """The session's cookie and cache entry last the idle timeout: past it, the request comes without a
    session. The small signed-in cookie tells the server that this browser did not sign out."""
    frozen_clock(NINE)
    signed = sign_in(client, "alice", password)
    assert signed.cookies["mondossier_connecte"].value == "1"
    frozen_clock(NINE + timedelta(minutes=31))
    client.cookies.pop("sessionid", None)  # as the browser does with a cookie past its max-age
    response = client.post(reverse("notifications:write"), {"subject": "Question", "body": "Bonjour"})
    assert response.status_code == 302 and response["Location"] == "/connexion/?next=/messagerie/ecrire/"
    assert response.cookies["mondossier_connecte"]["max-age"] == 0
    assert shown(client.get(response["Location"]).content.decode()).count(EXPIRED) == 1
    assert EXPIRED not in shown(client.get(reverse("login")).content.decode())  # said once


def test_HLP_2_signing_out_is_not_an_expiry(client, alice, password):
    sign_in(client, "alice", password)
    signed_out = client.post(reverse("logout"))
    assert signed_out.cookies["mondossier_connecte"]["max-age"] == 0
    assert EXPIRED not in shown(client.get(signed_out["Location"]).content.decode())


def test_HLP_2_the_timers_sign_out_returns_to_the_sign_in_page_and_never_elsewhere(client, alice):
    back = "/connexion/?session=expiree&next=%2Fmessagerie%2Fecrire%2F"
    client.force_login(alice.user)
    assert client.post(reverse("logout"), {"next": back})["Location"] == back
    client.force_login(alice.user)
    assert client.post(reverse("logout"), {"next": "https://ailleurs.example/"})["Location"] == reverse("login")


def test_HLP_2_the_bank_account_number_is_never_kept_in_a_draft():
    form = PaymentForm()
    assert form.fields["account_number"].widget.attrs["data-brouillon"] == "non"
    assert 'data-brouillon="non"' in str(form["account_number"])
