"""The Profil tab's rules, through its services and pages (PRO, EML, CEL, PRF, BEY-1..3, BEY-6)."""
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from calendrier import paycalendar
from comptes.models import BillingAgency
from dossier import history, profile, tokens
from dossier.constants import Channel, CorrespondenceKind, TokenPurpose, TokenState
from dossier.exceptions import CannotRemoveOnlyMainPlace, NotEnrolled, ResendTooSoon, StaleEdit
from dossier.models import Professional, SecurityReport, VerificationToken
from dossier.addresses import AddressInput
from notifications.models import OutboundMessage, OutboundStatus
from notifications.sms import LocmemSmsBackend
from ramq_portal import clock
from tests import factories
from tests.factories import aware

pytestmark = pytest.mark.django_db

NEW_ADDRESS = AddressInput(line1="77, rue Cartier", city="Québec", province="QC", postal_code="G1R 2S6")
MAY_18 = aware(2027, 5, 18, 10, 0)  # the next payment date is Thursday May 20, 2027


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    LocmemSmsBackend.outbox.clear()


def correspondence(professional, **changes):
    """Save the correspondence section as the professional, keeping what is not changed."""
    professional.refresh_from_db()
    current = professional.correspondence_addresses.order_by("-effective_from").first()
    kwargs = dict(
        professional=professional, expected_version=professional.correspondence_version,
        address=AddressInput(line1=current.line1, city=current.city, province=current.province, postal_code=current.postal_code),
        declared_agency_address=False,
        telephones=[profile.TelephoneInput(kind=t.kind, number=str(t.number), extension=t.extension) for t in professional.telephones.all()],
        cell=str(professional.cell_number or ""), email=professional.email, by=professional.user,
    )
    kwargs.update(changes)
    return profile.update_correspondence(**kwargs)


def send_after_commit(django_capture_on_commit_callbacks, action):
    with django_capture_on_commit_callbacks(execute=True):
        return action()


# --- PRO: coordinates ----------------------------------------------------------------------------------


def test_PRO_1_the_correspondence_form_has_address_telephones_cell_and_email(client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("dossier:edit_correspondence")).content.decode()
    for label in ("Adresse", "Code postal", "Numéro de téléphone", "Cellulaire", "Courriel", "Répéter courriel", "Enregistrer", "Annuler"):
        assert label in page


def test_PRO_2_practice_has_no_cell_field_and_keeps_one_main_place(client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("dossier:edit_practice")).content.decode()
    assert "Cellulaire" not in page and "Téléphone principal" in page
    place = alice.places_of_practice.get()
    with pytest.raises(CannotRemoveOnlyMainPlace):
        profile.update_practice(
            professional=alice, expected_version=alice.practice_version, by=alice.user,
            places=[profile.PlaceInput(pk=place.pk, name=place.name, address=NEW_ADDRESS, main_telephone="+14185550111", is_main=True, delete=True)],
        )
    assert alice.places_of_practice.count() == 1


def test_PRO_2_a_second_place_can_become_the_main_one(alice):
    first = alice.places_of_practice.get()
    profile.update_practice(
        professional=alice, expected_version=alice.practice_version, by=alice.user,
        places=[
            profile.PlaceInput(pk=first.pk, name=first.name, address=NEW_ADDRESS, main_telephone="+14185550111", is_main=False),
            profile.PlaceInput(pk=None, name="Clinique du Vieux", address=NEW_ADDRESS, main_telephone="+14185550122", is_main=True),
        ],
    )
    assert alice.places_of_practice.get(is_main=True).name == "Clinique du Vieux"
    assert alice.places_of_practice.count() == 2


@pytest.mark.parametrize(("phones", "cell", "notice"), [(1, "", True), (2, "", False), (1, "+14185559999", False), (0, "", True)])
def test_PRO_3_at_least_two_numbers_are_recommended_without_blocking(client, alice, phones, cell, notice):
    alice.telephones.all().delete()
    for _ in range(phones):
        factories.TelephoneFactory(professional=alice)
    Professional.objects.filter(pk=alice.pk).update(cell_number=cell)
    client.force_login(alice.user)
    page = client.get(reverse("dossier:profil")).content.decode()
    assert ("au moins 2 numéros de téléphone" in page) is notice


def test_PRO_4_a_telephone_change_takes_effect_at_once(client, alice):
    correspondence(alice, telephones=[profile.TelephoneInput(kind="bureau", number="+14185551234", extension="7")])
    client.force_login(alice.user)
    page = client.get(reverse("dossier:profil")).content.decode()
    assert "(418) 555-1234" in page
    assert alice.telephones.get().history.filter(history_user=alice.user).exists()


def test_PRO_5_an_address_change_is_recorded_now_and_in_force_on_the_next_payment(client, alice, pay_calendar, frozen_clock):
    frozen_clock(MAY_18)
    result = correspondence(alice, address=NEW_ADDRESS)
    assert result.address_effective_from == date(2027, 5, 20) == paycalendar.effective_date(MAY_18)
    client.force_login(alice.user)
    page = client.get(reverse("dossier:profil")).content.decode()
    in_force, pending = page.split("Changement en attente, en vigueur le")
    assert "77, rue Cartier" not in in_force and "77, rue Cartier" in pending
    assert "20 mai 2027" in page
    frozen_clock(aware(2027, 5, 20, 0, 1))
    client.force_login(alice.user)  # two days later: a new session
    page = client.get(reverse("dossier:profil")).content.decode()
    assert "77, rue Cartier" in page and "Changement en attente, en vigueur le" not in page


@pytest.mark.moment(MAY_18)
def test_PRO_5_until_the_effective_date_letters_go_to_the_old_address(alice, pay_calendar, frozen_clock):
    from dossier.selectors import correspondence_address_on

    old = alice.correspondence_addresses.get()
    frozen_clock(MAY_18)
    correspondence(alice, address=NEW_ADDRESS)
    alice = Professional.objects.get(pk=alice.pk)
    assert correspondence_address_on(alice, date(2027, 5, 19)).in_force == old
    assert correspondence_address_on(alice, date(2027, 5, 20)).in_force.line1 == NEW_ADDRESS.line1


def test_PRO_5_a_second_change_replaces_the_pending_one(alice, pay_calendar, frozen_clock):
    frozen_clock(MAY_18)
    correspondence(alice, address=NEW_ADDRESS)
    other = AddressInput(line1="5, rue du Trésor", city="Québec", province="QC", postal_code="G1R 4L2")
    correspondence(alice, address=other)
    pending = alice.correspondence_addresses.filter(cancelled_at__isnull=True, effective_from__gt=clock.today())
    assert [a.line1 for a in pending] == ["5, rue du Trésor"]


def test_PRO_6_an_agency_address_is_warned_about_not_blocked(client, alice, pay_calendar):
    BillingAgency.objects.create(
        transmission_number="12345", name="Facturation Expert", agency_type="ATD",
        line1="77 rue Cartier", city="Québec", province="QC", postal_code="G1R2S6",
    )
    client.force_login(alice.user)
    data = form_data(alice, line1="77, RUE CARTIER", postal_code="g1r 2s6")
    response = client.post(reverse("dossier:edit_correspondence"), data, follow=True)
    page = response.content.decode()
    assert "semble être celle d&#x27;une agence de facturation" in page
    assert alice.correspondence_addresses.filter(line1="77, RUE CARTIER").exists()


def test_PRO_6_the_professional_may_say_it_is_the_agency_address(client, alice, pay_calendar):
    client.force_login(alice.user)
    response = client.post(reverse("dossier:edit_correspondence"), form_data(alice, declared_agency_address="on"), follow=True)
    assert "agence de facturation" in response.content.decode()
    assert alice.correspondence_addresses.filter(declared_agency_address=True).exists()


def test_PRO_7_an_address_outside_canada_is_accepted(client, alice, pay_calendar):
    client.force_login(alice.user)
    data = form_data(alice, country="FR", line1="12, rue de Rivoli", city="Paris", province="", postal_code="", region="75001")
    response = client.post(reverse("dossier:edit_correspondence"), data)
    assert response.status_code == 302
    row = alice.correspondence_addresses.get(line1="12, rue de Rivoli")
    assert row.country == "FR" and row.province == "" and "FRANCE" in row.lines()


def test_PRO_7_canadian_postal_code_must_match_the_province(client, alice):
    client.force_login(alice.user)
    response = client.post(reverse("dossier:edit_correspondence"), form_data(alice, postal_code="M5V 2T6"))
    assert "Ce code postal ne correspond pas à la province choisie." in response.content.decode()
    assert alice.correspondence_addresses.count() == 1


def form_data(professional, **overrides):
    professional.refresh_from_db()
    address = professional.correspondence_addresses.order_by("-effective_from").first()
    phones = list(professional.telephones.all())
    data = {
        "version": professional.correspondence_version, "country": "CA", "line1": address.line1, "line2": address.line2,
        "city": address.city, "province": address.province, "postal_code": address.postal_code, "region": "",
        "cell": str(professional.cell_number or ""), "email": professional.email, "email_confirm": professional.email,
        "tel-TOTAL_FORMS": str(len(phones)), "tel-INITIAL_FORMS": str(len(phones)), "tel-MIN_NUM_FORMS": "0", "tel-MAX_NUM_FORMS": "5",
    }
    for i, phone in enumerate(phones):
        data.update({f"tel-{i}-kind": phone.kind, f"tel-{i}-number": str(phone.number), f"tel-{i}-extension": phone.extension})
    data.update(overrides)
    return data


# --- EML: email ------------------------------------------------------------------------------------


def test_EML_1_email_and_repeated_email_must_match(client, alice):
    client.force_login(alice.user)
    response = client.post(reverse("dossier:edit_correspondence"), form_data(alice, email="a@example.com", email_confirm="b@example.com"))
    assert "Les deux adresses de courriel doivent être identiques." in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == ""


def test_EML_2_saving_puts_the_address_on_file_awaiting_validation_and_sends_a_link(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dossier:edit_correspondence"), form_data(alice, email="alice@example.com", email_confirm="alice@example.com"))
    alice.refresh_from_db()
    assert alice.email == "alice@example.com" and not alice.has_activated_email
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"] and "confirmez votre adresse" in message.subject
    assert message.alternatives and "text/html" == message.alternatives[0][1]
    assert "/courriel/valider/" in message.body
    page = client.get(reverse("dossier:profil")).content.decode()
    assert "en attente de validation" in page


def link_from(message) -> str:
    return next(word for word in message.body.split() if "/courriel/valider/" in word).replace("http://testserver", "")


def test_EML_2_the_email_is_in_english_for_an_english_speaking_professional(alice, django_capture_on_commit_callbacks):
    Professional.objects.filter(pk=alice.pk).update(language="en")
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="alice@example.com"))
    assert mail.outbox[0].subject == "My file: confirm your email address"


def test_EML_3_the_link_activates_the_address_within_5_days(client, alice, django_capture_on_commit_callbacks, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="alice@example.com"))
    link = link_from(mail.outbox[0])
    frozen_clock(aware(2027, 3, 6, 8, 59))
    assert client.get(link).status_code == 200  # a confirm button: mail scanners that follow links activate nothing
    alice.refresh_from_db()
    assert not alice.has_activated_email
    response = client.post(link)
    assert response.status_code == 200 and "est activée" in response.content.decode()
    alice.refresh_from_db()
    assert alice.has_activated_email


@pytest.mark.parametrize(
    ("case", "reason"),
    [("expired", TokenState.EXPIRED), ("used", TokenState.USED), ("replaced", TokenState.SUPERSEDED), ("address changed", TokenState.TARGET_CHANGED)],
)
def test_EML_4_a_dead_link_says_why_and_offers_a_new_one(client, alice, django_capture_on_commit_callbacks, frozen_clock, case, reason):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="alice@example.com"))
    link = link_from(mail.outbox[0])
    if case == "expired":
        frozen_clock(aware(2027, 3, 6, 9, 1))
    elif case == "used":
        client.post(link)
    elif case == "replaced":
        frozen_clock(aware(2027, 3, 1, 9, 5))
        profile.resend_email_link(professional=alice, by=alice.user)
    else:
        correspondence(alice, email="autre@example.com")
    response = client.get(link)
    assert response.status_code == 410
    page = response.content.decode()
    assert f'data-reason="{reason}"' in page
    assert "Envoyer un nouveau lien" in page or case == "used"
    alice.refresh_from_db()
    assert alice.has_activated_email is (case == "used")


def test_EML_4_an_expired_address_stays_on_file_unused_and_the_page_says_so(client, alice, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    correspondence(alice, email="alice@example.com")
    frozen_clock(aware(2027, 3, 7, 9, 0))
    client.force_login(alice.user)
    page = client.get(reverse("dossier:profil")).content.decode()
    assert "alice@example.com" in page and "lien de validation expiré" in page
    assert "aucun avis ne vous est envoyé par courriel" in page


def test_EML_4_a_forged_link_is_refused(client, alice):
    token = tokens.issue(professional=alice, purpose=TokenPurpose.EMAIL, target="alice@example.com", moment=clock.now())
    key = tokens.email_link_key(token)
    forged = key[:-1] + ("0" if key[-1] != "0" else "1")
    assert client.post(reverse("validate_email", args=[forged])).status_code == 410
    alice.refresh_from_db()
    assert not alice.has_activated_email


def test_EML_4_links_survive_a_secret_key_rotation(client, alice, settings):
    token = tokens.issue(professional=alice, purpose=TokenPurpose.EMAIL, target="alice@example.com", moment=clock.now())
    Professional.objects.filter(pk=alice.pk).update(email="alice@example.com")
    key = tokens.email_link_key(token)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation-" + "x" * 40
    assert client.post(reverse("validate_email", args=[key])).status_code == 200


def test_EML_5_no_notice_goes_to_an_address_that_was_never_activated(alice, django_capture_on_commit_callbacks):
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="premiere@example.com"))
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="seconde@example.com"))
    recipients = [m.to[0] for m in mail.outbox]
    assert recipients == ["premiere@example.com", "seconde@example.com"]  # validation links only, no notice


def test_EML_5_BEY_3_the_previous_activated_address_is_told_with_a_way_to_report(client, alice, django_capture_on_commit_callbacks):
    Professional.objects.filter(pk=alice.pk).update(email="ancienne@example.com", email_activated_at=clock.now())
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="nouvelle@example.com"))
    notice = next(m for m in mail.outbox if m.to == ["ancienne@example.com"])
    assert "remplacée" in notice.subject
    report = next(w for w in notice.body.split() if "/courriel/signaler/" in w).replace("http://testserver", "")
    assert client.get(report).status_code == 200
    client.post(report)
    assert SecurityReport.objects.get(professional=alice).details.endswith("ancienne@example.com")
    alice.refresh_from_db()
    assert not alice.has_activated_email  # the new address awaits its own validation
    # The link reports once (issue 16): used again, it says so and staff get no second report.
    again = client.post(report).content.decode()
    assert "déjà été transmis" in again and "418 780-4208" in again
    assert "déjà été transmis" in client.get(report).content.decode() and 'type="submit" class="primary"' not in client.get(report).content.decode()
    assert SecurityReport.objects.filter(professional=alice).count() == 1


def test_EML_6_staff_switch_the_newsletter_off_in_the_admin(client, agent, alice):
    client.force_login(agent)
    url = reverse("admin:dossier_professional_change", args=[alice.pk])
    page = client.get(url).content.decode()
    assert 'name="newsletter_opt_out"' in page
    management = {}
    for prefix in ("correspondence_addresses", "telephones", "places_of_practice", "preferences"):
        count = {"correspondence_addresses": 1, "telephones": 1, "places_of_practice": 1, "preferences": 0}[prefix]
        management.update({f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": count, f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    response = client.post(url, {"newsletter_opt_out": "on", **management})
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.newsletter_opt_out
    assert alice.history.first().history_user == agent


def test_EML_7_an_email_entered_by_staff_from_form_3102_gets_the_same_link(alice, agent, django_capture_on_commit_callbacks):
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="papier@example.com", by=agent))
    token = VerificationToken.objects.get(professional=alice, purpose=TokenPurpose.EMAIL)
    assert token.expires_at - token.created_at == timedelta(days=5)
    assert mail.outbox[0].to == ["papier@example.com"]
    assert alice.history.first().history_user == agent


# --- CEL: cell phone ---------------------------------------------------------------------------------------


def issue_cell(alice, django_capture_on_commit_callbacks, number="+15145550177"):
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, cell=number))
    return LocmemSmsBackend.outbox[-1].body.split("est ")[1][:6]


def test_CEL_1_entering_a_cell_sends_a_six_digit_code_by_text(alice, django_capture_on_commit_callbacks):
    code = issue_cell(alice, django_capture_on_commit_callbacks)
    assert code.isdigit() and len(code) == 6
    assert LocmemSmsBackend.outbox[-1].to == "+15145550177"
    alice.refresh_from_db()
    assert alice.cell_number.as_e164 == "+15145550177" and not alice.has_confirmed_cell


def test_CEL_2_the_code_is_stored_only_as_a_hash(alice, django_capture_on_commit_callbacks):
    code = issue_cell(alice, django_capture_on_commit_callbacks)
    token = VerificationToken.objects.get(professional=alice, purpose=TokenPurpose.CELL)
    assert code not in token.code_hash and len(token.code_hash) == 64
    assert not OutboundMessage.objects.filter(context__icontains=code).exists()


def test_CEL_2_the_right_code_confirms_the_number_once(alice, django_capture_on_commit_callbacks):
    code = issue_cell(alice, django_capture_on_commit_callbacks)
    assert profile.confirm_cell(professional=alice, code=code).ok
    alice.refresh_from_db()
    assert alice.has_confirmed_cell
    assert profile.confirm_cell(professional=alice, code=code).reason == TokenState.USED


def test_CEL_2_five_wrong_tries_end_the_code(alice, django_capture_on_commit_callbacks):
    code = issue_cell(alice, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    remaining = [profile.confirm_cell(professional=alice, code=wrong).remaining_attempts for _ in range(5)]
    assert remaining == [4, 3, 2, 1, 0]
    assert profile.confirm_cell(professional=alice, code=code).reason == TokenState.LOCKED
    alice.refresh_from_db()
    assert not alice.has_confirmed_cell


def test_CEL_2_the_code_dies_after_10_minutes(alice, django_capture_on_commit_callbacks, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    code = issue_cell(alice, django_capture_on_commit_callbacks)
    frozen_clock(aware(2027, 3, 1, 9, 10))
    assert profile.confirm_cell(professional=alice, code=code).reason == TokenState.EXPIRED


@pytest.mark.parametrize("issued_utc", ["2027-11-07T05:55:00+00:00", "2027-03-14T06:55:00+00:00"],
                         ids=["fall-back-01h55-EDT", "spring-forward-01h55-EST"])
def test_CEL_2_across_a_dst_change_the_code_still_lives_10_minutes_not_70_or_none(
        alice, django_capture_on_commit_callbacks, frozen_clock, issued_utc):
    issued = datetime.fromisoformat(issued_utc)
    frozen_clock(issued)
    code = issue_cell(alice, django_capture_on_commit_callbacks)
    token = VerificationToken.objects.get(professional=alice, purpose=TokenPurpose.CELL)
    assert token.expires_at - token.created_at == timedelta(minutes=10)
    frozen_clock(issued + timedelta(minutes=10))
    assert profile.confirm_cell(professional=alice, code=code).reason == TokenState.EXPIRED


def test_CEL_2_resending_is_throttled_to_one_a_minute_and_kills_the_old_code(alice, django_capture_on_commit_callbacks, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    old = issue_cell(alice, django_capture_on_commit_callbacks)
    with pytest.raises(ResendTooSoon):
        profile.resend_cell_code(professional=alice)
    frozen_clock(aware(2027, 3, 1, 9, 1))
    send_after_commit(django_capture_on_commit_callbacks, lambda: profile.resend_cell_code(professional=alice))
    new = LocmemSmsBackend.outbox[-1].body.split("est ")[1][:6]
    if new != old:
        assert profile.confirm_cell(professional=alice, code=old).reason in ("wrong", TokenState.SUPERSEDED)
    assert profile.confirm_cell(professional=alice, code=new).ok


def test_CEL_2_the_code_not_received_help_is_always_shown(client, alice, django_capture_on_commit_callbacks):
    issue_cell(alice, django_capture_on_commit_callbacks)
    client.force_login(alice.user)
    page = client.get(reverse("dossier:confirm_cell")).content.decode()
    assert "Code non reçu?" in page and "Envoyer un nouveau code" in page


@pytest.mark.parametrize("number", ["418 555-0100", "(514) 555-0123", "+1 819 555 0199", "1-867-555-0101"])
def test_CEL_2_any_valid_canadian_number_is_accepted_as_a_cell(client, alice, number):
    client.force_login(alice.user)
    response = client.post(reverse("dossier:edit_correspondence"), form_data(alice, cell=number))
    assert response.status_code == 302 and response["Location"] == reverse("dossier:confirm_cell")


def test_CEL_2_the_confirm_page_counts_down_wrong_codes_in_french(client, alice, django_capture_on_commit_callbacks):
    code = issue_cell(alice, django_capture_on_commit_callbacks)
    client.force_login(alice.user)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page = client.post(reverse("dossier:confirm_cell"), {"code": wrong}).content.decode()
    assert "Il vous reste 4 essai(s)." in page
    assert client.post(reverse("dossier:confirm_cell"), {"code": code}).status_code == 302


# --- PRF: preferences ----------------------------------------------------------------------------------------


def test_PRF_1_some_kinds_are_always_by_post_and_cannot_be_chosen(client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("dossier:edit_preferences")).content.decode()
    assert "Relevés fiscaux" in page and "Toujours envoyé par la poste" in page
    assert f'name="{CorrespondenceKind.TAX_SLIPS}"' not in page and f'name="{CorrespondenceKind.PAYMENTS}"' in page
    profile.change_preferences(
        professional=alice, expected_version=alice.preferences_version,
        choices={CorrespondenceKind.TAX_SLIPS: Channel.SECURE_MESSAGING}, by=alice.user,
    )
    assert not alice.preferences.exists()


def test_PRF_2_defaults_are_secure_messaging_when_enrolled_and_post_otherwise(alice):
    from dossier.selectors import preference_lines

    lines = {line.kind: line.in_force for line in preference_lines(alice, clock.today())}
    assert lines[CorrespondenceKind.PAYMENTS] == Channel.SECURE_MESSAGING
    assert lines[CorrespondenceKind.TAX_SLIPS] == Channel.POST
    not_enrolled = factories.ProfessionalFactory(user=None)
    lines = {line.kind: line.in_force for line in preference_lines(not_enrolled, clock.today())}
    assert set(lines.values()) == {Channel.POST}


def test_PRF_2_only_an_enrolled_professional_may_choose(alice):
    not_enrolled = factories.ProfessionalFactory(user=None)
    with pytest.raises(NotEnrolled):
        profile.change_preferences(professional=not_enrolled, expected_version=1, choices={CorrespondenceKind.PAYMENTS: Channel.POST}, by=None)


def test_PRF_3_PAY_2_a_preference_takes_effect_on_the_next_payment(client, alice, pay_calendar, frozen_clock):
    from dossier.selectors import preference_lines

    frozen_clock(MAY_18)
    effective = profile.change_preferences(
        professional=alice, expected_version=alice.preferences_version,
        choices={CorrespondenceKind.PAYMENTS: Channel.POST}, by=alice.user,
    )
    assert effective == date(2027, 5, 20)
    alice = Professional.objects.prefetch_related("preferences").get(pk=alice.pk)
    lines = {line.kind: line for line in preference_lines(alice, date(2027, 5, 19))}
    assert lines[CorrespondenceKind.PAYMENTS].in_force == Channel.SECURE_MESSAGING
    assert lines[CorrespondenceKind.PAYMENTS].pending.channel == Channel.POST
    lines = {line.kind: line for line in preference_lines(alice, date(2027, 5, 20))}
    assert lines[CorrespondenceKind.PAYMENTS].in_force == Channel.POST
    client.force_login(alice.user)
    assert "Poste, le 20 mai 2027" in client.get(reverse("dossier:profil")).content.decode()


# --- BEY-1, BEY-2: pending changes and "say when" --------------------------------------------------------------


def test_BEY_1_a_pending_address_can_be_cancelled_until_it_takes_effect(client, alice, pay_calendar, frozen_clock):
    frozen_clock(MAY_18)
    correspondence(alice, address=NEW_ADDRESS)
    client.force_login(alice.user)
    client.post(reverse("dossier:cancel_pending_address"))
    assert not alice.correspondence_addresses.filter(cancelled_at__isnull=True, line1=NEW_ADDRESS.line1).exists()
    assert "Changement en attente, en vigueur le" not in client.get(reverse("dossier:profil")).content.decode()


def test_BEY_1_a_pending_preference_can_be_cancelled(client, alice, pay_calendar, frozen_clock):
    frozen_clock(MAY_18)
    profile.change_preferences(professional=alice, expected_version=alice.preferences_version, choices={CorrespondenceKind.BILLING: Channel.POST}, by=alice.user)
    client.force_login(alice.user)
    client.post(reverse("dossier:cancel_pending_preferences"))
    assert not alice.preferences.filter(cancelled_at__isnull=True).exists()


def test_BEY_2_the_forms_say_when_a_change_will_take_effect(client, alice, pay_calendar, frozen_clock):
    frozen_clock(MAY_18)
    client.force_login(alice.user)
    for name in ("dossier:edit_correspondence", "dossier:edit_preferences"):
        assert "20 mai 2027" in client.get(reverse(name)).content.decode()


# --- optimistic locking --------------------------------------------------------------------------------------


def test_a_stale_section_is_refused_and_nothing_is_saved(client, alice, pay_calendar):
    client.force_login(alice.user)
    stale = form_data(alice, line1="1, première version")
    fresh = form_data(alice, line1="2, seconde version")
    assert client.post(reverse("dossier:edit_correspondence"), fresh).status_code == 302
    response = client.post(reverse("dossier:edit_correspondence"), stale, follow=True)
    assert "Rien n&#x27;a été enregistré" in response.content.decode()
    assert not alice.correspondence_addresses.filter(line1="1, première version").exists()
    with pytest.raises(StaleEdit):
        correspondence(alice, expected_version=1, address=NEW_ADDRESS)


# --- BEY-3: reminders and resend ------------------------------------------------------------------------------


def test_BEY_3_a_reminder_goes_out_on_day_4_once(alice, django_capture_on_commit_callbacks, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="alice@example.com"))
    frozen_clock(aware(2027, 3, 4, 9, 0))
    assert profile.send_email_reminders() == 0
    frozen_clock(aware(2027, 3, 5, 9, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert profile.send_email_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert profile.send_email_reminders() == 0
    reminders = [m for m in mail.outbox if "Rappel" in m.subject]
    assert len(reminders) == 1 and link_from(reminders[0]) == link_from(mail.outbox[0])


def test_BEY_3_resend_restarts_the_5_days_and_is_throttled(alice, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    correspondence(alice, email="alice@example.com")
    with pytest.raises(ResendTooSoon):
        profile.resend_email_link(professional=alice, by=alice.user)
    frozen_clock(aware(2027, 3, 7, 9, 0))  # after expiry
    token = profile.resend_email_link(professional=alice, by=alice.user)
    assert token.expires_at == aware(2027, 3, 12, 9, 0)


# --- sweeps and tasks ------------------------------------------------------------------------------------


def test_EML_4_the_expiry_sweep_is_one_set_based_update(alice, bob, frozen_clock, django_assert_num_queries):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    for who in (alice, bob):
        tokens.issue(professional=who, purpose=TokenPurpose.EMAIL, target=f"{who.pk}@example.com", moment=clock.now())
    frozen_clock(aware(2027, 3, 6, 9, 0))
    with django_assert_num_queries(2):  # the update, and the files it touches (for their cached pages)
        assert profile.expire_email_links() == 2
    assert profile.expire_email_links() == 0
    assert set(VerificationToken.objects.values_list("state", flat=True)) == {TokenState.EXPIRED}


def test_PRO_5_the_daily_task_records_the_change_in_force_once_as_done_by_the_system(alice, pay_calendar, frozen_clock):
    from dossier.tasks import bring_dated_changes_into_force

    frozen_clock(MAY_18)
    correspondence(alice, address=NEW_ADDRESS)
    assert bring_dated_changes_into_force() == 0
    frozen_clock(aware(2027, 5, 21, 3, 0))  # a day late
    assert bring_dated_changes_into_force() == 1
    assert bring_dated_changes_into_force() == 0
    row = alice.correspondence_addresses.get(line1=NEW_ADDRESS.line1)
    record = row.history.first()
    assert record.history_user is None and record.history_change_reason == "Entrée en vigueur"


def test_NOT_5_a_rolled_back_change_sends_nothing(alice, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                correspondence(alice, email="alice@example.com", cell="+15145550177")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == [] and LocmemSmsBackend.outbox == []
    assert not OutboundMessage.objects.exists()


def test_NOT_5_a_sending_task_run_twice_sends_once(alice, django_capture_on_commit_callbacks):
    from notifications.tasks import deliver_message

    send_after_commit(django_capture_on_commit_callbacks, lambda: correspondence(alice, email="alice@example.com"))
    message = OutboundMessage.objects.get()
    assert message.status == OutboundStatus.SENT
    assert deliver_message(message.pk) == "already handled"
    assert len(mail.outbox) == 1


def test_NOT_5_a_link_superseded_before_the_worker_ran_is_not_sent(alice, django_capture_on_commit_callbacks, frozen_clock):
    from notifications.tasks import deliver_message

    frozen_clock(aware(2027, 3, 1, 9, 0))
    correspondence(alice, email="alice@example.com")  # on_commit callbacks not run: the worker is late
    frozen_clock(aware(2027, 3, 1, 9, 2))
    correspondence(alice, email="autre@example.com")
    first = OutboundMessage.objects.order_by("pk").first()
    assert deliver_message(first.pk) == "cancelled"
    assert mail.outbox == []


# --- BEY-6: history ------------------------------------------------------------------------------------------


def test_BEY_6_the_professional_sees_the_history_of_their_file(client, alice, agent, pay_calendar, frozen_clock):
    frozen_clock(MAY_18)
    correspondence(alice, address=NEW_ADDRESS, telephones=[profile.TelephoneInput(kind="bureau", number="+14185551234")])
    correspondence(alice, email="papier@example.com", by=agent)
    frozen_clock(aware(2027, 5, 20, 1, 0))
    profile.bring_dated_changes_into_force()
    client.force_login(alice.user)
    page = client.get(reverse("dossier:history")).content.decode()
    assert "Vous" in page and "La Régie (un agent)" in page and "La Régie (automatiquement)" in page
    assert "77, rue Cartier" in page and "papier@example.com" in page and "Entrée en vigueur" in page


def test_BEY_6_the_history_page_takes_a_fixed_number_of_queries(client, alice, django_assert_max_num_queries):
    for _ in range(20):
        factories.TelephoneFactory(professional=alice)
    client.force_login(alice.user)
    # The user, the professional, one per kind of row of the file and its accounts, the names shown.
    with django_assert_max_num_queries(2 + len(history.SOURCES) + 3):
        assert client.get(reverse("dossier:history")).status_code == 200


def test_EML_4_dead_link_messages_follow_the_chosen_language(client, alice, frozen_clock):
    """Messages defined at import time are translated per request, not frozen in French."""
    frozen_clock(aware(2027, 3, 1, 9, 0))
    token = tokens.issue(professional=alice, purpose=TokenPurpose.EMAIL, target="alice@example.com", moment=clock.now())
    frozen_clock(aware(2027, 3, 7, 9, 0))
    client.cookies["mondossier_langue"] = "en"
    page = client.get(reverse("validate_email", args=[tokens.email_link_key(token)])).content.decode()
    assert "This link has expired" in page
    client.cookies["mondossier_langue"] = "fr"
    page = client.get(reverse("validate_email", args=[tokens.email_link_key(token)])).content.decode()
    assert "Ce lien a expiré" in page
