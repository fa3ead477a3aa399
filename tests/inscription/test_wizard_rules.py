"""INS-3..INS-7: the registration wizard, its drafts, its summary and what completing it applies."""
from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from calendrier import paycalendar
from comptes.accounts import payment_in_force
from comptes.constants import PaymentMode, StatementOption
from comptes.models import BillingAgency, FinancialInstitution, PaymentSettings, SoftwareDeveloper
from comptes.request_kinds import OpenIndividualAccount
from dossier import tokens
from dossier.constants import RemunerationMode, TokenPurpose
from dossier.models import Professional, Request, VerificationToken
from inscription import services
from inscription.models import RegistrationDraft
from notifications.models import OutboundMessage, SecureMessage
from ramq_portal import clock
from tests import factories
from tests.inscription.conftest import (
    PASSWORD,
    USERNAME,
    draft_version,
    enrol,
    open_newcomer,
    post_step,
    step_data,
    walk_to,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def complete(client, professional):
    return client.post(reverse("inscription:summary"), {"draft_version": draft_version(professional)})


def draft_of(professional) -> RegistrationDraft:
    return RegistrationDraft.objects.get(professional=professional)


START = factories.aware(2026, 11, 24, 9, 0)


@pytest.fixture
def registrant(client, newcomer, frozen_clock):
    """Benoît, enrolled and signed in at 9:00 on 24 November 2026, at step 1 of the wizard (a test that
    moves the clock more than 30 minutes on signs him in again: sessions time out)."""
    frozen_clock(START)
    enrol(client, newcomer)
    return newcomer.professional


@pytest.fixture
def institution(db):
    return FinancialInstitution.objects.create(number="815", name="Fédération des caisses Desjardins du Québec")


# --- INS-3: the six steps ----------------------------------------------------------------------------------------


def test_INS_3_six_steps_with_the_boards_titles_and_a_progress_indicator(client, registrant):
    page = text(client.get(reverse("inscription:step", args=[1])))
    for title in ("Engagement envers la RAMQ", "Renseignements personnels", "Coordonnées de correspondance", "Coordonnées de pratique",
                  "Mode de paiement (finances personnelles)",
                  "Accréditation à la facturation informatisée et coordonnées d'état de compte", "Récapitulatif"):
        assert title in page
    assert 'aria-current="step"' in page and "Étape 1 de 6" in page
    for button in ("Continuer", "Quitter et reprendre plus tard"):
        assert button in page
    walk_to(client, registrant, 2)
    third = text(client.get(reverse("inscription:step", args=[3])))
    assert "Précédent" in third and third.count("(terminée)") == 2


def test_INS_3_steps_cannot_be_skipped(client, registrant):
    response = client.get(reverse("inscription:step", args=[4]))
    assert response.status_code == 302 and response["Location"] == reverse("inscription:step", args=[1])
    summary = client.get(reverse("inscription:summary"))
    assert summary.status_code == 302 and summary["Location"] == reverse("inscription:step", args=[1])


def test_INS_3_step_1_commits_the_professional_at_once_with_its_date(client, registrant, frozen_clock):
    frozen_clock(factories.aware(2026, 11, 24, 9, 10))
    refused = post_step(client, 1, registrant, engaged=None)
    assert refused.status_code == 200 and "L'engagement est obligatoire" in text(refused)
    assert Professional.objects.get(pk=registrant.pk).engagement_confirmed_at is None
    assert post_step(client, 1, registrant).status_code == 302
    professional = Professional.objects.get(pk=registrant.pk)
    assert professional.engagement_confirmed_at == factories.aware(2026, 11, 24, 9, 10)
    assert professional.participation_status == "participant"
    assert professional.history.filter(history_change_reason="Engagement envers la RAMQ confirmé", history_user=professional.user).exists()
    # Confirmed before finishing: still confirmed if the professional never comes back.
    assert professional.registered_at is None


def test_INS_3_step_2_asks_no_SIN_for_fee_for_service(client, registrant):
    walk_to(client, registrant, 1)
    page = text(client.get(reverse("inscription:step", args=[2])))
    assert 'name="sin"' not in page and registrant.professional_number in page and "À l'acte" in page


def test_INS_3_step_2_asks_and_validates_the_SIN_for_fixed_fees_and_keeps_it_encrypted(client, pay_calendar):
    opened = open_newcomer(licence="20005", first_name="Élise", last_name="Bergeron", remuneration_mode=RemunerationMode.FIXED_FEES)
    enrol(client, opened)
    professional = opened.professional
    walk_to(client, professional, 1)
    assert 'name="sin"' in client.get(reverse("inscription:step", args=[2])).content.decode()
    # Issue 16: numbers whose check digit passes but that Canada never issues are refused too.
    for bad in ("", "046 454 287", "12345678", "abc def ghi", "000 000 000", "046 454 286", "800 000 002"):
        response = post_step(client, 2, professional, sin=bad)
        assert response.status_code == 200, bad
        assert "numéro d'assurance sociale" in text(response).lower() or "Ce champ est obligatoire." in text(response)
    assert post_step(client, 2, professional, sin="130 692 544").status_code == 302
    with connection.cursor() as cursor:  # the draft is encrypted at rest: no SIN in the database
        cursor.execute("SELECT payload FROM inscription_registrationdraft WHERE professional_id = %s", [professional.pk])
        raw = cursor.fetchone()[0]
    # A ciphertext may hold any three digits by chance; the SIN itself, in either spelling, must not be there.
    assert "130692544" not in raw and "130 692 544" not in raw and '"sin"' not in raw
    walk_to_end(client, professional, start=3)
    assert "••• ••• 544" in text(client.get(reverse("inscription:summary")))
    assert complete(client, professional).status_code == 302
    professional.refresh_from_db()
    assert professional.sin == "130692544" and professional.masked_sin == "••• ••• 544"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sin FROM dossier_professional WHERE id = %s", [professional.pk])
        assert "130692544" not in cursor.fetchone()[0]


def walk_to_end(client, professional, start: int):
    for number in range(start, 7):
        response = post_step(client, number, professional)
        assert response.status_code == 302, f"step {number}: {text(response)[:3000]}"


def test_INS_3_steps_3_to_6_give_the_same_errors_as_mon_dossier(client, registrant, institution):
    walk_to(client, registrant, 2)
    postal = post_step(client, 3, registrant, postal_code="ZZZ")
    assert "Entrez un code postal canadien valide, par exemple G1R 2B5." in text(postal)
    emails = post_step(client, 3, registrant, email="a@example.com", email_confirm="b@example.com")
    assert "Les deux adresses de courriel doivent être identiques." in text(emails)
    walk_to(client, registrant, 3)
    no_place = post_step(client, 4, registrant, **{"lieu-0-name": "", "lieu-0-line1": "", "lieu-0-city": "", "lieu-0-postal_code": "",
                                                      "lieu-0-main_telephone": "", "lieu-0-is_main": None, "lieu-0-province": ""})
    assert "Inscrivez au moins un lieu de pratique" in text(no_place)
    assert post_step(client, 4, registrant).status_code == 302
    transfer = {"mode": PaymentMode.TRANSFER, "institution": str(institution.pk), "transit": "12345", "account_number": "1234567"}
    no_password = post_step(client, 5, registrant, **transfer, personal_account_confirmed="on")
    assert "Entrez votre mot de passe actuel pour confirmer vos coordonnées bancaires." in text(no_password)
    company = post_step(client, 5, registrant, **transfer, password=PASSWORD)
    assert "Les coordonnées d'une société sont refusées." in text(company)
    unauthorised = post_step(client, 5, registrant, payment_authorised=None)
    assert "Cochez cette autorisation pour poursuivre votre inscription." in text(unauthorised)
    assert post_step(client, 5, registrant).status_code == 302
    dis = BillingAgency.objects.create(transmission_number="33333", name="Agence privée d'une autre", agency_type="DIS",
                                       owner=factories.ProfessionalFactory(), line1="1, rue X", city="Québec", province="QC",
                                       postal_code="G1R 2B5")
    refused = post_step(client, 6, registrant, option=StatementOption.AGENCY, agency=str(dis.pk), reception_mode="messagerie")
    assert "Cette agence privée (DIS) appartient à un autre professionnel" in text(refused)
    atd = BillingAgency.objects.create(transmission_number="11111", name="Facturation Pro ATD", agency_type="ATD", line1="500, Grande Allée",
                                       city="Québec", province="QC", postal_code="G1R 2J7")
    mandate = post_step(client, 6, registrant, option=StatementOption.AGENCY, agency=str(atd.pk), reception_mode="messagerie")
    assert "cochez l'acceptation du mandat" in text(mandate)
    # Nothing of it reached the file, and nothing was sent.
    assert not PaymentSettings.objects.filter(account__professional=registrant).exists()
    assert SecureMessage.objects.filter(professional=registrant).count() == 0 and OutboundMessage.objects.count() == 0


def test_INS_3_a_search_keeps_the_entries_and_cancel_falls_back_to_not_now(client, registrant):
    walk_to(client, registrant, 5)
    SoftwareDeveloper.objects.create(number="70001", name="Logiciels Dentaires Québec")
    searched = post_step(client, 6, registrant, action="chercher_developpeur", developpeur_q="Dentaires", line1="9, rue Gardée")
    assert searched.status_code == 302
    page = text(client.get(reverse("inscription:step", args=[6])))
    assert "Logiciels Dentaires Québec — 70001" in page and 'value="9, rue Gardée"' in page
    assert draft_of(registrant).steps["6"]["data"]["option"] == [StatementOption.SELF_BILLING]
    assert post_step(client, 6, registrant, action="annuler_recherche", developpeur_q="Dentaires").status_code == 302
    stored = draft_of(registrant).steps["6"]["data"]
    assert stored["option"] == [StatementOption.NONE] and "developpeur_q" not in stored


def test_INS_3_self_billing_creates_the_private_agency_and_shows_its_number(client, registrant):
    developer = SoftwareDeveloper.objects.create(number="70002", name="OptoFacture")
    walk_to(client, registrant, 5)
    assert post_step(client, 6, registrant, option=StatementOption.SELF_BILLING, developer=str(developer.pk),
                     reception_mode="telecommunication").status_code == 302
    assert not BillingAgency.objects.filter(owner=registrant).exists()  # created on completion only
    assert complete(client, registrant).status_code == 302
    agency = BillingAgency.objects.get(owner=registrant)
    assert agency.transmission_number in text(client.get(reverse("inscription:done")))


# --- INS-4: stop and resume -----------------------------------------------------------------------------------------


def test_INS_4_resumes_at_the_same_step_on_another_device_with_everything_entered(client, registrant):
    walk_to(client, registrant, 2)
    post_step(client, 3, registrant, line1="12, rue Neuve", city="Laval", postal_code="H7N 1A1",
              **{"tel-0-kind": "domicile", "tel-0-number": "450 555-0101"})
    quit_page = post_step(client, 4, registrant, action="quitter", **{"lieu-0-name": "Clinique à moitié remplie"})
    assert quit_page.status_code == 302 and quit_page["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    other_device = Client()
    signed_in = other_device.post(reverse("login"), {"username": USERNAME, "password": PASSWORD}, follow=True)
    assert signed_in.redirect_chain[-1][0] == reverse("inscription:step", args=[4])
    page = text(signed_in)
    assert 'value="Clinique à moitié remplie"' in page
    third = text(other_device.get(reverse("inscription:step", args=[3])))
    assert 'value="12, rue Neuve"' in third and "450" in third


def test_INS_4_the_draft_belongs_to_its_professional_only(client, registrant, pay_calendar):
    walk_to(client, registrant, 3)
    other = open_newcomer(licence="20009", first_name="Carole", last_name="Lemieux")
    other_client = Client()
    enrol(other_client, other, username="carole.lemieux")
    for url in (reverse("inscription:step", args=[3]), reverse("inscription:summary"), reverse("inscription:step", args=[1])):
        response = other_client.get(url, follow=True)
        assert "Gagnon" not in text(response) and "Benoît" not in text(response), url
    # The other professional is at step 1 of their own draft; Benoît's draft is untouched.
    assert other_client.get(reverse("inscription:step", args=[3]))["Location"] == reverse("inscription:step", args=[1])
    assert draft_of(registrant).steps.keys() == {"1", "2", "3"}


def test_INS_4_two_windows_never_overwrite_each_other(client, registrant):
    walk_to(client, registrant, 2)
    stale_version = draft_version(registrant)
    assert post_step(client, 3, registrant, line1="1, rue Première").status_code == 302
    late = post_step(client, 3, registrant, line1="2, rue Seconde", draft_version=stale_version)
    assert late.status_code == 302
    assert draft_of(registrant).steps["3"]["data"]["line1"] == ["1, rue Première"]


def test_INS_4_the_page_says_until_when_the_draft_is_kept(client, registrant, frozen_clock, settings):
    settings.REGISTRATION_DRAFT_RETENTION_DAYS = 90
    frozen_clock(factories.aware(2026, 11, 24, 9, 5))
    post_step(client, 1, registrant)
    assert "conservé jusqu'au 22 février 2027" in text(client.get(reverse("inscription:step", args=[2])))


def test_INS_4_old_drafts_get_a_reminder_then_are_purged(client, registrant, frozen_clock, settings,
                                                          django_capture_on_commit_callbacks):
    settings.REGISTRATION_DRAFT_RETENTION_DAYS = 90
    start = START
    frozen_clock(start)
    Professional.objects.filter(pk=registrant.pk).update(email="benoit@example.com", email_activated_at=start)
    walk_to(client, registrant, 2)
    frozen_clock(start + timedelta(days=82))
    assert services.remind_and_purge_drafts() == (0, 0)
    frozen_clock(start + timedelta(days=83, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_and_purge_drafts() == (1, 0)
        assert services.remind_and_purge_drafts() == (0, 0)  # once
    assert [m.to for m in mail.outbox] == [["benoit@example.com"]]
    assert "22 février 2027" in mail.outbox[0].body
    assert SecureMessage.objects.filter(professional=registrant, subject="Votre inscription à la RAMQ n'est pas terminée").count() == 1
    frozen_clock(start + timedelta(days=90, hours=14))  # 22 February 2027, 23:00: still the day it is kept until
    assert services.remind_and_purge_drafts() == (0, 0)
    frozen_clock(start + timedelta(days=91))
    assert services.remind_and_purge_drafts() == (0, 1)
    assert not RegistrationDraft.objects.filter(professional=registrant).exists()
    # The account and the engagement stay: signing in starts a fresh draft.
    assert Professional.objects.get(pk=registrant.pk).engagement_confirmed_at is not None


def test_INS_4_a_draft_saved_again_is_not_purged(client, registrant, frozen_clock, settings):
    settings.REGISTRATION_DRAFT_RETENTION_DAYS = 90
    start = START
    frozen_clock(start)
    walk_to(client, registrant, 1)
    frozen_clock(start + timedelta(days=84))
    assert services.remind_and_purge_drafts() == (1, 0)
    client.force_login(registrant.user, backend="ramq_portal.auth_backends.CachedModelBackend")
    post_step(client, 2, registrant)  # the professional came back
    frozen_clock(start + timedelta(days=95))
    assert services.remind_and_purge_drafts() == (0, 0)
    assert RegistrationDraft.objects.filter(professional=registrant).exists()


def test_INS_4_an_agency_closed_since_the_draft_was_saved_is_asked_again(client, registrant):
    atd = BillingAgency.objects.create(transmission_number="11111", name="Facturation Pro ATD", agency_type="ATD", line1="500, Grande Allée",
                                       city="Québec", province="QC", postal_code="G1R 2J7")
    walk_to(client, registrant, 5)
    assert post_step(client, 6, registrant, option=StatementOption.AGENCY, agency=str(atd.pk), reception_mode="messagerie",
                     mandate_accepted="on").status_code == 302
    BillingAgency.objects.filter(pk=atd.pk).update(is_active=False)
    summary = client.get(reverse("inscription:summary"), follow=True)
    assert summary.redirect_chain[-1][0] == reverse("inscription:step", args=[6])
    assert "ne sont plus valides" in text(summary)
    assert "Sélectionnez un choix valide" in text(summary)
    assert Professional.objects.get(pk=registrant.pk).registered_at is None


def test_INS_4_a_payment_date_that_passed_is_said_and_asked_again(client, registrant, institution, frozen_clock):
    frozen_clock(factories.aware(2026, 11, 24, 9, 5))
    walk_to(client, registrant, 4)
    assert post_step(client, 5, registrant, mode=PaymentMode.TRANSFER, institution=str(institution.pk), transit="12345",
                     account_number="1234567", personal_account_confirmed="on", password=PASSWORD).status_code == 302
    walk_to_end(client, registrant, start=6)
    frozen_clock(factories.aware(2027, 1, 20, 9))  # weeks later: the payment date shown has passed
    client.force_login(registrant.user, backend="ramq_portal.auth_backends.CachedModelBackend")
    summary = client.get(reverse("inscription:summary"), follow=True)
    assert summary.redirect_chain[-1][0] == reverse("inscription:step", args=[5])
    assert "est passée" in text(summary)


# --- INS-5: summary, completion, billing closed until then ---------------------------------------------------------------


def test_INS_5_summary_has_a_modifier_link_per_part_that_returns_to_it(client, registrant):
    walk_to(client, registrant, 6)
    page = text(client.get(reverse("inscription:summary")))
    for number in range(1, 7):
        assert reverse("inscription:step", args=[number]) + "?retour=recapitulatif" in page
    assert "45, avenue des Pins Ouest" in page and "Chèque" in page and "Je ne m'accrédite pas pour le moment" in page
    back = post_step(client, 3, registrant, retour="recapitulatif", line1="77, rue Changée")
    assert back.status_code == 302 and back["Location"] == reverse("inscription:summary")
    assert "77, rue Changée" in text(client.get(reverse("inscription:summary")))


def test_INS_5_continuer_applies_everything_through_the_services_of_mon_dossier(client, registrant, institution, frozen_clock,
                                                                                 django_capture_on_commit_callbacks):
    frozen_clock(factories.aware(2026, 11, 24, 9, 5))
    walk_to(client, registrant, 2)
    post_step(client, 3, registrant, line1="12, rue Neuve", city="Laval", postal_code="H7N 1A1", email="benoit@example.com",
              email_confirm="benoit@example.com", cell="514 555-0199", **{"tel-0-kind": "domicile", "tel-0-number": "450 555-0101"})
    post_step(client, 4, registrant)
    post_step(client, 5, registrant, mode=PaymentMode.TRANSFER, institution=str(institution.pk), transit="12345", account_number="1234567",
              personal_account_confirmed="on", password=PASSWORD, choice="individuel", account_name="Clinique des Pins")
    post_step(client, 6, registrant)
    with django_capture_on_commit_callbacks(execute=True):
        done = complete(client, registrant)
    assert done.status_code == 302 and done["Location"] == reverse("inscription:done")
    professional = Professional.objects.get(pk=registrant.pk)
    assert professional.registered_at == factories.aware(2026, 11, 24, 9, 5)
    # PRO-5: the new address waits for the next payment date; the old one is in force until then.
    pending = professional.correspondence_addresses.get(line1="12, rue Neuve")
    assert pending.effective_from == paycalendar.effective_date(clock.now())
    assert professional.telephones.get().number == "+14505550101"
    # EML-2: the email link; CEL-1: the text code.
    assert [m.to for m in mail.outbox] == [["benoit@example.com"]]
    assert OutboundMessage.objects.filter(professional=professional, channel="sms").count() == 1
    assert professional.places_of_practice.get().is_main
    payment = PaymentSettings.objects.get(account__professional=professional)
    assert payment.mode == PaymentMode.TRANSFER and payment.bank_account == "1234567"
    assert Request.objects.filter(professional=professional, kind=OpenIndividualAccount.code).exists()
    assert not RegistrationDraft.objects.filter(professional=professional).exists()
    page = text(client.get(reverse("inscription:done")))
    assert "Votre inscription à la RAMQ est terminée" in page and reverse("dossier:profil") in page
    assert client.get(reverse("comptes:accounts")).status_code == 200
    assert client.get(reverse("inscription:step", args=[1]))["Location"] == reverse("dossier:profil")


def test_INS_5_billing_features_are_closed_until_registration_is_complete(client, registrant):
    walk_to(client, registrant, 2)
    for url in (reverse("comptes:accounts"), reverse("comptes:account", args=[registrant.billing_accounts.get().pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("inscription:resume")
    assert client.get(reverse("dossier:home"))["Location"] == reverse("inscription:resume")
    signed_in = Client()
    after = signed_in.post(reverse("login"), {"username": USERNAME, "password": PASSWORD})
    assert signed_in.get(after["Location"])["Location"] == reverse("inscription:resume")


def test_INS_5_nothing_is_applied_or_sent_when_a_rule_refuses_at_the_end(client, registrant, django_capture_on_commit_callbacks):
    atd = BillingAgency.objects.create(transmission_number="11111", name="Facturation Pro ATD", agency_type="ATD", line1="500, Grande Allée",
                                       city="Québec", province="QC", postal_code="G1R 2J7")
    walk_to(client, registrant, 2)
    post_step(client, 3, registrant, line1="12, rue Neuve", email="benoit@example.com", email_confirm="benoit@example.com")
    walk_to_end(client, registrant, start=4)
    post_step(client, 6, registrant, option=StatementOption.AGENCY, agency=str(atd.pk), reception_mode="messagerie", mandate_accepted="on")
    # The agency becomes a private one of someone else between the step and Continuer (no form sees it).
    BillingAgency.objects.filter(pk=atd.pk).update(agency_type="DIS", owner=factories.ProfessionalFactory())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = complete(client, registrant)
    assert response.status_code == 302 and response["Location"] == reverse("inscription:step", args=[6])
    assert callbacks == [] and mail.outbox == [] and OutboundMessage.objects.count() == 0
    professional = Professional.objects.get(pk=registrant.pk)
    assert professional.registered_at is None and professional.email == ""
    assert not professional.correspondence_addresses.filter(line1="12, rue Neuve").exists()
    assert draft_of(registrant).steps["3"]["data"]["line1"] == ["12, rue Neuve"]  # nothing lost


def test_INS_5_a_file_changed_by_staff_meanwhile_is_never_overwritten(client, registrant):
    walk_to(client, registrant, 6)
    Professional.objects.filter(pk=registrant.pk).update(correspondence_version=99)
    summary = client.get(reverse("inscription:summary"), follow=True)
    assert summary.redirect_chain[-1][0] == reverse("inscription:step", args=[3])
    assert "modifié par la Régie" in text(summary)


# --- INS-6: missing information never blocks -----------------------------------------------------------------------------


def test_INS_6_no_bank_details_means_cheque_and_no_agency_means_not_now(client, registrant):
    walk_to(client, registrant, 6)
    assert complete(client, registrant).status_code == 302
    account = registrant.billing_accounts.get()
    assert account.statement_settings.option == StatementOption.NONE
    state = payment_in_force(account, clock.today())
    assert state.in_force is None or state.in_force.mode == PaymentMode.CHEQUE
    assert "Chèque" in text(client.get(reverse("comptes:account", args=[account.pk])))


# --- INS-7 -------------------------------------------------------------------------------------------------------------------


def test_INS_7_non_participation_is_explained_with_form_1378_and_no_wizard(client, db):
    page = text(client.get(reverse("inscription:not_registering")))
    assert "1378" in page and "30 jours" in page and "Non participant" in page and "Désengagé" in page
    assert reverse("inscription:step", args=[1]) not in page
    assert reverse("inscription:not_registering") in text(client.get(reverse("inscription:start")))


# --- queries ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5, 6, 7])
def test_INS_3_each_step_in_at_most_10_queries(client, registrant, institution, number, django_assert_max_num_queries):
    for extra in range(30):  # reference data of some size
        BillingAgency.objects.create(transmission_number=f"4{extra:04d}", name=f"Agence {extra}", agency_type="ATD",
                                     line1="1, rue A", city="Québec", province="QC", postal_code="G1R 2B5")
    for _ in range(4):  # telephones (the form takes 5)
        factories.TelephoneFactory(professional=registrant)
    walk_to(client, registrant, number - 1)
    url = reverse("inscription:summary") if number == 7 else reverse("inscription:step", args=[number])
    data = step_data(number, registrant) if number < 7 else None
    if number == 6:
        post_step(client, 6, registrant, action="chercher_agence", agence_q="Agence")
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    if data is not None:
        with django_assert_max_num_queries(10):
            assert client.post(url, data).status_code == 302


def test_INS_4_drafts_are_encrypted_at_rest_and_follow_a_key_rotation(client, registrant, settings):
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from ramq_portal import crypto

    walk_to(client, registrant, 2)
    post_step(client, 3, registrant, line1="12, rue Secrète")
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM inscription_registrationdraft WHERE professional_id = %s", [registrant.pk])
        assert "Secrète" not in cursor.fetchone()[0]
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    crypto._fernet.cache_clear()
    try:
        assert draft_of(registrant).steps["3"]["data"]["line1"] == ["12, rue Secrète"]
    finally:
        crypto._fernet.cache_clear()


def test_INS_4_staff_see_unfinished_registrations_without_their_entries(client, registrant, agent):
    walk_to(client, registrant, 2)
    post_step(client, 3, registrant, line1="12, rue Privée")
    staff = Client()
    staff.force_login(agent, backend="ramq_portal.auth_backends.CachedModelBackend")
    listing = text(staff.get(reverse("admin:inscription_registrationdraft_changelist")))
    assert registrant.professional_number in listing
    page = text(staff.get(reverse("admin:inscription_registrationdraft_change", args=[draft_of(registrant).pk])))
    assert "12, rue Privée" not in page and "payload" not in page
    assert staff.get(reverse("admin:inscription_enrolment_changelist")).status_code == 200


def test_INS_3_step_1_leaves_a_status_set_by_form_1378_alone(client, registrant):
    Professional.objects.filter(pk=registrant.pk).update(participation_status="non_participant")
    assert "formulaire 1378" in text(client.get(reverse("inscription:step", args=[1])))
    assert post_step(client, 1, registrant).status_code == 302
    professional = Professional.objects.get(pk=registrant.pk)
    assert professional.participation_status == "non_participant" and professional.engagement_confirmed_at is not None


def test_INS_5_a_cell_over_the_sending_limits_sends_the_professional_back_to_step_3_and_registers_nothing(client, registrant):
    """Issue 16: the wizard obeys the limits of dossier.tokens like every door: a number that got its 5
    codes of the day (from other files) gets no sixth, and nothing of the registration is applied."""
    cell = "+14185559876"
    for other in [factories.ProfessionalFactory() for _ in range(5)]:
        tokens.issue(professional=other, purpose=TokenPurpose.CELL, target=cell, moment=clock.now(), code="123456")
    walk_to(client, registrant, 2)
    assert post_step(client, 3, registrant, cell="418 555-9876").status_code == 302
    walk_to_rest = [post_step(client, number, registrant) for number in (4, 5, 6)]
    assert all(response.status_code == 302 for response in walk_to_rest)
    response = complete(client, registrant)
    assert response.status_code == 302 and response["Location"] == reverse("inscription:step", args=[3])
    page = text(client.get(response["Location"]))
    assert "Trop de codes ou de liens ont été envoyés récemment" in page
    registrant.refresh_from_db()
    assert registrant.registered_at is None and not registrant.cell_number
    assert VerificationToken.objects.filter(target=cell).count() == 5
