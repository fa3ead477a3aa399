"""Sign-in (DOS-4), own file only (DOS-5), lockout, session timeouts, password rules."""
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from ramq_portal import clock
from tests.factories import aware

pytestmark = pytest.mark.django_db

GENERIC = "Le nom d&#x27;utilisateur ou le mot de passe est incorrect."


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_DOS_4_alice_signs_in_with_her_username_and_password(client, alice, password):
    response = sign_in(client, "alice", password)
    assert response.status_code == 302
    page = client.get(reverse("dossier:profil")).content.decode()
    assert alice.professional_number in page and "Tremblay" in page


def test_DOS_4_sign_in_never_reveals_whether_a_username_exists(client, alice):
    wrong_password = sign_in(client, "alice", "Pas-le-bon-1234")
    unknown_user = sign_in(client, "personne", "Pas-le-bon-1234")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert GENERIC in wrong_password.content.decode()
    assert GENERIC in unknown_user.content.decode()
    strip = lambda r: r.content.decode().replace("alice", "X").replace("personne", "X")  # noqa: E731
    assert strip(wrong_password).split("csrfmiddlewaretoken")[0] == strip(unknown_user).split("csrfmiddlewaretoken")[0]


@pytest.mark.parametrize("username", ["alice", "inconnu"])
def test_DOS_4_five_failures_lock_the_username_the_same_way_known_or_not(client, alice, password, username, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, username, "Mauvais-mot-2026").status_code == 200
    locked = sign_in(client, username, "Mauvais-mot-2026")
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.content.decode()
    # During the cool-off even the right password is refused, exactly as for an unknown username.
    assert sign_in(client, username, password).status_code == 429


def test_DOS_4_the_lockout_ends_after_the_cool_off(client, alice, password, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "Mauvais-mot-2026")
    assert sign_in(client, "alice", password).status_code == 429
    AccessAttempt.objects.update(attempt_time=clock.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert sign_in(client, "alice", password).status_code == 302


def test_DOS_4_signing_out_needs_a_post_and_ends_the_session(client, alice):
    client.force_login(alice.user)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("dossier:profil")).status_code == 302


def test_DOS_4_the_session_ends_after_30_idle_minutes(client, alice, password, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    sign_in(client, "alice", password)
    frozen_clock(aware(2027, 3, 1, 9, 29))
    assert client.get(reverse("dossier:profil")).status_code == 200
    frozen_clock(aware(2027, 3, 1, 9, 58))
    assert client.get(reverse("dossier:profil")).status_code == 200
    frozen_clock(aware(2027, 3, 1, 10, 29))
    response = client.get(reverse("dossier:profil"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("dossier:profil")).status_code == 302


def test_DOS_4_activity_is_written_to_the_session_at_most_once_a_minute(client, alice, password, frozen_clock):
    """A page that changes nothing writes no session and sends no cookie; after a minute the activity is
    recorded (and the cookie's age renewed), so the idle clock starts again from there."""
    frozen_clock(aware(2027, 3, 1, 9, 0))
    sign_in(client, "alice", password)
    frozen_clock(aware(2027, 3, 1, 9, 0) + timedelta(seconds=30))
    quiet = client.get(reverse("dossier:profil"))
    assert quiet.status_code == 200 and "sessionid" not in quiet.cookies
    frozen_clock(aware(2027, 3, 1, 9, 1) + timedelta(seconds=30))
    recorded = client.get(reverse("dossier:profil"))
    assert recorded.status_code == 200 and recorded.cookies["sessionid"]["max-age"] == 30 * 60
    frozen_clock(aware(2027, 3, 1, 9, 31))  # 30 minutes after 9:01:30 is not yet reached
    assert client.get(reverse("dossier:profil")).status_code == 200


def test_DOS_4_a_signed_in_page_reads_the_user_from_the_cache_and_a_deactivation_takes_effect_at_once(
        client, alice, django_assert_num_queries):
    client.force_login(alice.user, backend="ramq_portal.auth_backends.CachedModelBackend")
    assert client.get("/session/").status_code == 204
    with django_assert_num_queries(0):
        assert client.get("/session/").status_code == 204
    alice.user.is_active = False
    alice.user.save()  # as the admin does
    response = client.get("/session/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_DOS_4_the_session_ends_12_hours_after_sign_in_even_when_active(client, alice, password, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 8, 0))
    sign_in(client, "alice", password)
    for hour in range(8, 20):
        for minute in (0, 25, 50):
            frozen_clock(aware(2027, 3, 1, hour, minute))
            assert client.get(reverse("dossier:profil")).status_code == 200
    frozen_clock(aware(2027, 3, 1, 20, 1))
    assert client.get(reverse("dossier:profil")).status_code == 302


@pytest.mark.parametrize("weak", ["court1", "motdepasselong", "1234567890123", "password123"])
def test_DOS_4_password_rules_refuse_weak_passwords(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_DOS_4_password_rules_accept_a_strong_password():
    validate_password("Fleuve-Saint-Laurent-42")


def test_DOS_5_staff_cannot_open_a_professionals_pages(client, agent, alice):
    client.force_login(agent)
    for name in ("dossier:profil", "comptes:accounts", "notifications:inbox"):
        assert client.get(reverse(name)).status_code == 404


def test_DOS_5_a_professional_cannot_reach_the_admin(client, alice):
    client.force_login(alice.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_DOS_5_bob_sees_his_own_file_never_alices(client, alice, bob):
    client.force_login(bob.user)
    page = client.get(reverse("dossier:profil")).content.decode()
    assert bob.professional_number in page
    assert alice.professional_number not in page and alice.last_name not in page
