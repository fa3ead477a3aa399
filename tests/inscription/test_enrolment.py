"""INS-1, INS-2: enrolment to the online services, and a forgotten password."""
from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from dossier.models import Professional, User
from inscription.enrolment import normalize
from inscription.models import Enrolment, SecretAnswer
from tests import factories
from tests.inscription.conftest import ANSWERS, PASSWORD, USERNAME, account_data, enrol, identity, open_newcomer

REFUSAL = "Le numéro de référence ou les renseignements d'identité ne correspondent pas à nos dossiers"


def text(response) -> str:
    return html.unescape(response.content.decode())


def password_works(password: str) -> bool:
    return User.objects.get(username=USERNAME).check_password(password)


def refusal_page(client, data):
    response = client.post(reverse("inscription:enrol"), data)
    assert response.status_code == 200
    return text(response)


@pytest.mark.django_db
def test_INS_1_nothing_starts_without_the_reference_number(client, newcomer):
    # The account page sends back to the reference number; the wizard needs a signed-in account.
    response = client.get(reverse("inscription:enrol_account"))
    assert response.status_code == 302 and response["Location"] == reverse("inscription:enrol")
    wizard = client.get(reverse("inscription:step", args=[1]))
    assert wizard.status_code == 302 and wizard["Location"].startswith(reverse("login"))
    page = refusal_page(client, identity(newcomer, reference_number=""))
    assert "Ce champ est obligatoire." in page
    assert not User.objects.filter(username=USERNAME).exists()


@pytest.mark.django_db
def test_INS_2_a_wrong_number_and_a_wrong_identity_get_the_same_answer(client, newcomer):
    wrong_number = refusal_page(client, identity(newcomer, reference_number="WXYZ-2345-QRST"))
    wrong_name = refusal_page(client, identity(newcomer, last_name="Gagné"))
    wrong_birth = refusal_page(client, identity(newcomer, birth_date="1996-07-03"))
    wrong_licence = refusal_page(client, identity(newcomer, licence_number="20002"))
    for page in (wrong_number, wrong_name, wrong_birth, wrong_licence):
        assert REFUSAL in page
    # The same page apart from the typed values (and the CSRF tokens): nothing tells which part was wrong.
    def comparable(page, typed, real):
        return re.sub(r'value="[A-Za-z0-9]{64}"', "", page).replace(typed, real)

    assert comparable(wrong_number, "WXYZ-2345-QRST", newcomer.reference_number) == comparable(wrong_name, "Gagné", "Gagnon")
    assert client.session.get("inscription.enrolment") is None


@pytest.mark.django_db
def test_INS_2_identity_is_compared_without_case_accents_or_extra_spaces(client, newcomer):
    response = client.post(reverse("inscription:enrol"), identity(newcomer, first_name="  benoit ", last_name="GAGNON",
                                                                  reference_number=newcomer.reference_number.lower().replace("-", " ")))
    assert response.status_code == 302 and response["Location"] == reverse("inscription:enrol_account")


@pytest.mark.django_db
def test_INS_2_the_security_policy_must_be_accepted(client, newcomer):
    page = refusal_page(client, identity(newcomer, policy_accepted=None) | {"policy_accepted": ""})
    assert "Vous devez accepter la politique de sécurité pour poursuivre." in page


@pytest.mark.django_db
def test_INS_2_enrolment_creates_the_account_uses_up_the_number_and_hashes_the_answers(client, newcomer):
    enrol(client, newcomer)
    professional = Professional.objects.get(pk=newcomer.professional.pk)
    user = professional.user
    assert user.username == USERNAME and user.check_password(PASSWORD)
    assert professional.reference_number_used_at is not None
    assert Enrolment.objects.get(professional=professional).security_policy_version
    answers = list(SecretAnswer.objects.filter(user=user))
    assert [a.question for a in answers] == [q for q, _ in ANSWERS]
    for row, (_, answer) in zip(answers, ANSWERS, strict=True):
        assert answer not in row.answer_hash and normalize(answer) not in row.answer_hash
    # The reference number is used up: the same number cannot enrol again.
    other = Client()
    page = refusal_page(other, identity(newcomer))
    assert REFUSAL in page
    # Every change is recorded with who made it (DOS-4).
    assert professional.history.filter(history_user=user, history_change_reason="Inscription aux services en ligne").exists()


@pytest.mark.django_db
def test_INS_2_username_and_password_rules(client, newcomer):
    client.post(reverse("inscription:enrol"), identity(newcomer))
    factories.UserFactory(username="pris.deja")
    cases = [
        (account_data(username="Pris.Deja"), "Ce nom d'utilisateur est déjà pris."),
        (account_data(username="abc"), "De 6 à 30 caractères"),
        (account_data(password="court1"), "Ce mot de passe est trop court."),
        (account_data(password="motdepasseseulement"), "au moins une lettre et un chiffre"),
        ({**account_data(), "password2": "Autre-chose-2026"}, "Les deux mots de passe doivent être identiques."),
        ({**account_data(), "question_2": "ecole"}, "Choisissez trois questions différentes."),
        ({**account_data(), "answer_1": " é "}, "La réponse doit compter au moins 2 caractères."),
    ]
    for data, message in cases:
        response = client.post(reverse("inscription:enrol_account"), data)
        assert response.status_code == 200 and message in text(response), message
    assert Professional.objects.get(pk=newcomer.professional.pk).user is None


@pytest.mark.django_db
@override_settings(ENROLMENT_FAILURE_LIMIT=3)
def test_INS_2_wrong_reference_numbers_are_rate_limited(client, newcomer):
    for attempt in range(6):
        client.post(reverse("inscription:enrol"), identity(newcomer, reference_number=f"ABCD-EFGH-JKM{attempt}"))
    blocked = client.post(reverse("inscription:enrol"), identity(newcomer))  # even the right number now waits
    assert blocked.status_code == 429
    assert "Trop d'essais infructueux" in text(blocked)
    assert client.session.get("inscription.enrolment") is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # like the browser tests: flushes leave the content types
def test_INS_2_a_used_reference_number_cannot_enrol_twice_even_in_a_race(pay_calendar):
    """Two enrolments with the same number at the same moment: exactly one account (PostgreSQL locks
    the file's row; SQLite serialises the writers)."""
    import threading

    from inscription import enrolment
    from inscription.exceptions import EnrolmentRefused, UsernameTaken

    opened = open_newcomer()
    who = enrolment.Identity(last_name="Gagnon", first_name="Benoît", birth_date=opened.professional.birth_date,
                             licence_number=opened.professional.licence_number)
    verified = enrolment.find_file(reference_number=opened.reference_number, identity=who)  # two windows got this far
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(username):
        try:
            barrier.wait()
            enrolment.enrol(professional_id=verified.pk, reference_hash=verified.reference_number_hash, username=username,
                            password=PASSWORD, answers=ANSWERS)
            outcomes.append("enrolled")
        except (EnrolmentRefused, UsernameTaken):
            outcomes.append("refused")
        except Exception as exc:  # SQLite: "database is locked" for the loser counts as refused, never as two accounts
            outcomes.append(f"error {type(exc).__name__}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("premier.essai", "second.essai")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("enrolled") == 1, outcomes
    if connection.vendor == "postgresql":
        assert sorted(outcomes) == ["enrolled", "refused"]
    assert User.objects.filter(username__in=["premier.essai", "second.essai"]).count() == 1
    assert Professional.objects.get(pk=opened.professional.pk).user.username in ("premier.essai", "second.essai")


# --- forgotten password ---------------------------------------------------------------------------------------


@pytest.fixture
def enrolled(client, newcomer):
    enrol(client, newcomer)
    client.logout()
    return newcomer.professional


def answer_questions(client, username, answers, new_password="Encore-plus-sur-2027"):
    client.post(reverse("inscription:forgot"), {"username": username, "action": "questions"})
    page = client.get(reverse("inscription:forgot_questions"))
    assert page.status_code == 200
    data = {f"answer_{q}": a for q, a in answers} | {"password1": new_password, "password2": new_password}
    return client.post(reverse("inscription:forgot_questions"), data)


@pytest.mark.django_db
def test_INS_2_a_forgotten_password_is_recovered_with_the_secret_answers_case_and_accents_ignored(client, enrolled):
    sloppy = [("ecole", "ecole sainte foy"), ("animal", "PISTACHE"), ("ville_mere", "trois rivieres")]
    response = answer_questions(client, USERNAME, sloppy)
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert password_works("Encore-plus-sur-2027")


@pytest.mark.django_db
def test_INS_2_one_wrong_answer_changes_nothing(client, enrolled):
    wrong = [("ecole", "École Sainte-Foy"), ("animal", "Caramel"), ("ville_mere", "Trois-Rivières")]
    response = answer_questions(client, USERNAME, wrong)
    assert response.status_code == 200 and "Au moins une réponse ne correspond pas." in text(response)
    assert password_works(PASSWORD)


@pytest.mark.django_db
def test_INS_2_an_unknown_username_gets_questions_too_and_the_same_refusal(client, enrolled):
    client.post(reverse("inscription:forgot"), {"username": "personne.inconnue", "action": "questions"})
    page = client.get(reverse("inscription:forgot_questions")).content.decode()
    assert page.count('name="answer_') == 3
    again = Client()
    again.post(reverse("inscription:forgot"), {"username": "personne.inconnue", "action": "questions"})
    assert again.get(reverse("inscription:forgot_questions")).content.decode().count("?</label>") == page.count("?</label>")


@pytest.mark.django_db
def test_INS_2_the_email_way_sends_a_link_to_the_activated_email_only(client, enrolled, django_capture_on_commit_callbacks):
    # No activated email: nothing is sent, and the page says the same thing.
    with django_capture_on_commit_callbacks(execute=True):
        none = client.post(reverse("inscription:forgot"), {"username": USERNAME, "action": "courriel"}, follow=True)
    assert "Si ce nom d'utilisateur a un courriel activé" in text(none)
    assert mail.outbox == []
    Professional.objects.filter(pk=enrolled.pk).update(email="benoit@example.com", email_activated_at=enrolled.opened_at)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inscription:forgot"), {"username": USERNAME, "action": "courriel"})
    assert [m.to for m in mail.outbox] == [["benoit@example.com"]]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/connexion/reinitialiser/" in line).strip()
    path = link.replace("http://testserver", "")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "Lien-par-courriel-2027", "new_password2": "Lien-par-courriel-2027"})
    assert done.status_code == 302
    assert password_works("Lien-par-courriel-2027")
    # The link served once.
    assert "Ce lien n'est plus valide" in text(client.get(path, follow=True))


@pytest.mark.django_db
@override_settings(ENROLMENT_FAILURE_LIMIT=2)
def test_INS_2_wrong_secret_answers_are_rate_limited(client, enrolled):
    wrong = [("ecole", "non"), ("animal", "non"), ("ville_mere", "non")]
    for _ in range(2):
        answer_questions(client, USERNAME, wrong)
    blocked = answer_questions(client, USERNAME, ANSWERS)
    assert blocked.status_code == 429
    assert password_works(PASSWORD)


@pytest.mark.django_db
def test_INS_2_sign_in_page_leads_to_enrolment_and_recovery(client, db):
    page = client.get(reverse("login")).content.decode()
    assert reverse("inscription:forgot") in page and reverse("inscription:start") in page
    start = client.get(reverse("inscription:start")).content.decode()
    assert reverse("inscription:enrol") in start and reverse("inscription:not_registering") in start


@pytest.mark.django_db
def test_INS_2_a_password_recovered_is_announced_and_lifts_the_lockout(client, enrolled, django_capture_on_commit_callbacks):
    from axes.models import AccessAttempt

    from notifications.models import SecureMessage

    Professional.objects.filter(pk=enrolled.pk).update(email="benoit@example.com", email_activated_at=enrolled.opened_at)
    AccessAttempt.objects.create(username=USERNAME, ip_address="127.0.0.1", failures_since_start=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = answer_questions(client, USERNAME, ANSWERS)
    assert response.status_code == 302
    assert SecureMessage.objects.filter(professional=enrolled, subject="Votre mot de passe a été changé").count() == 1
    assert [m.to for m in mail.outbox] == [["benoit@example.com"]] and "mot de passe oublié" in mail.outbox[0].body
    assert not AccessAttempt.objects.filter(username=USERNAME).exists()


@pytest.mark.django_db
def test_INS_2_usernames_cannot_be_listed_from_the_account_page(client, newcomer, settings):
    """Issue 16: "already taken" tells that a username exists; a file (or an address) gets only
    ENROLMENT_FAILURE_LIMIT such answers in the window, then the page refuses to try more."""
    client.post(reverse("inscription:enrol"), identity(newcomer))
    for n in range(settings.ENROLMENT_FAILURE_LIMIT + 1):
        factories.UserFactory(username=f"connu.{n}")
    for n in range(settings.ENROLMENT_FAILURE_LIMIT):
        response = client.post(reverse("inscription:enrol_account"), account_data(username=f"connu.{n}"))
        assert response.status_code == 200 and "Ce nom d'utilisateur est déjà pris." in text(response)
    listing = client.post(reverse("inscription:enrol_account"), account_data(username=f"connu.{settings.ENROLMENT_FAILURE_LIMIT}"))
    assert listing.status_code == 429 and "déjà pris" not in text(listing) and "Trop d'essais infructueux" in text(listing)
    # Nor a free username: the page waits out the window whatever is typed.
    assert client.post(reverse("inscription:enrol_account"), account_data(username="libre.encore")).status_code == 429
    assert Professional.objects.get(pk=newcomer.professional.pk).user is None
