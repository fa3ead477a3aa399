"""STF-7: form 3102 as the paper form is (correspondence address and the accounts it applies to,
telephone, email, main place of practice: any part alone), administrative accounts' own correspondence
address (shown in Comptes and in the admin, distinct from the statement address), and the collective
account's letter with its date of change."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from calendrier import paycalendar
from comptes import services as comptes_services
from comptes.models import AccountAddress, AccountMembership
from comptes.request_kinds import CollectiveAddress, CoordinatesForm
from dossier.addresses import AddressInput
from dossier.constants import RequestStatus, TelephoneKind
from dossier.models import Request
from notifications.models import SecureMessage
from ramq_portal import clock, writing
from tests import factories

pytestmark = pytest.mark.django_db

NEW = {"country": "CA", "line1": "77, rue Cartier", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5"}


def html(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


# What a browser posts untouched: the preselected country and telephone kind. A part is "written" only
# when the agent types in it, so these alone must never make a part required.
PRESELECTED = {CoordinatesForm.code: {"country": "CA", "place_country": "CA", "telephone_kind": TelephoneKind.OFFICE},
               CollectiveAddress.code: {"country": "CA"}}


def enter(client, kind, professional, **data):
    return client.post(reverse("admin:dossier_request_paper_form", args=[kind]),
                       {**PRESELECTED[kind], "professional_number": professional.professional_number,
                        "received_on": clock.today().isoformat(), **data},
                       follow=True)


def accept(client, request):
    return client.post(reverse("admin:dossier_request_decide", args=[request.pk]), {"accept": "1"}, follow=True)


def snapshot(professional):
    professional.refresh_from_db()
    return (
        [AddressInput.of(a) for a in professional.correspondence_addresses.filter(cancelled_at__isnull=True)],
        [AddressInput.of(p) for p in professional.places_of_practice.all()],
        professional.email,
        list(AccountAddress.objects.filter(account__professional=professional).values_list("line1", flat=True)),
    )


@pytest.fixture
def individual(alice):
    return comptes_services.open_administrative_account(professional=alice, collective=False, name="Clinique du Nord", by=None)


def test_STF_7_a_3102_with_only_a_telephone_changes_that_telephone_and_nothing_else(client, alice, agent, pay_calendar):
    factories.TelephoneFactory(professional=alice, kind=TelephoneKind.HOME, number="+14185550199")
    before = snapshot(alice)
    client.force_login(agent)
    enter(client, CoordinatesForm.code, alice, country="CA", telephone_kind=TelephoneKind.OFFICE, telephone="418 555-0123", extension="42")
    request = Request.objects.get(kind=CoordinatesForm.code)
    page = html(client.get(reverse("admin:dossier_request_change", args=[request.pk])))
    assert "Bureau\u00a0: (418) 555-0123 poste 42" in page  # BEY-7: the change in words before deciding
    accept(client, request)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    phones = {(t.kind, t.number.as_e164, t.extension) for t in alice.telephones.all()}
    assert phones == {(TelephoneKind.OFFICE, "+14185550123", "42"), (TelephoneKind.HOME, "+14185550199", "")}
    assert snapshot(alice) == before  # no address, place, email or account touched
    notice = SecureMessage.objects.get(professional=alice, thread=request)
    assert "Votre numéro de téléphone est changé." in notice.body and "adresse" not in notice.body


def test_STF_7_a_3102_naming_only_an_individual_account_changes_its_address_not_the_file(client, alice, agent, individual, pay_calendar):
    file_before = snapshot(alice)[0]
    client.force_login(agent)
    enter(client, CoordinatesForm.code, alice, **NEW, accounts=individual.number.lower())
    request = Request.objects.get(kind=CoordinatesForm.code)
    assert request.payload["accounts"] == [individual.number]
    accept(client, request)
    assert snapshot(alice)[0] == file_before
    effective = paycalendar.effective_date(clock.now())
    row = individual.correspondence_addresses.get(line1="77, rue Cartier")
    assert row.effective_from == effective
    assert AddressInput.of(individual.statement_settings) != AddressInput.from_data(NEW)  # distinct from the statement address
    notice = SecureMessage.objects.get(professional=alice, thread=request).body
    assert f"La nouvelle adresse de correspondance du compte {individual.number} entre en vigueur le {writing.long_date(effective)}." in notice


def test_STF_7_a_3102_for_the_file_and_an_account_changes_both(client, alice, agent, individual, pay_calendar):
    client.force_login(agent)
    enter(client, CoordinatesForm.code, alice, **NEW, accounts=f"{alice.professional_number}, {individual.number}")
    accept(client, Request.objects.get(kind=CoordinatesForm.code))
    assert alice.correspondence_addresses.filter(line1="77, rue Cartier", cancelled_at__isnull=True).exists()
    assert individual.correspondence_addresses.filter(line1="77, rue Cartier").exists()


def test_STF_7_a_3102_with_only_the_practice_place_changes_the_main_place(client, alice, agent, pay_calendar):
    second = factories.PlaceOfPracticeFactory(professional=alice, is_main=False, name="Clinique Sud")
    before = snapshot(alice)
    client.force_login(agent)
    enter(client, CoordinatesForm.code, alice, country="CA", place_country="CA", place_line1="5, rue du Lieu", place_city="Lévis",
          place_province="QC", place_postal_code="G6V 1A1", place_telephone="418 555-0777")
    request = Request.objects.get(kind=CoordinatesForm.code)
    assert "5, rue du Lieu" in html(client.get(reverse("admin:dossier_request_change", args=[request.pk])))
    accept(client, request)
    main = alice.places_of_practice.get(is_main=True)
    assert (main.name, main.line1, main.city, main.main_telephone.as_e164) == ("Clinique Tremblay", "5, rue du Lieu", "Lévis", "+14185550777")
    assert alice.places_of_practice.get(pk=second.pk).name == "Clinique Sud"
    after = snapshot(alice)
    assert (after[0], after[2], after[3]) == (before[0], before[2], before[3])


PLACE = {"place_country": "CA", "place_line1": "5, rue du Lieu", "place_city": "Lévis", "place_province": "QC",
         "place_postal_code": "G6V 1A1", "place_telephone": "418 555-0777"}


def test_PRO_2_STF_7_a_file_without_a_main_place_gets_one_only_with_its_name_address_and_telephone(client, alice, agent, pay_calendar):
    alice.places_of_practice.all().delete()
    client.force_login(agent)
    page = html(enter(client, CoordinatesForm.code, alice, **PLACE))  # no name
    assert "Ce dossier n'a pas de lieu principal de pratique\u00a0: le formulaire doit en donner le nom, l'adresse et le téléphone." in page
    assert not Request.objects.filter(kind=CoordinatesForm.code).exists()
    enter(client, CoordinatesForm.code, alice, place_name="Clinique de Lévis", **PLACE)
    accept(client, Request.objects.get(kind=CoordinatesForm.code))
    main = alice.places_of_practice.get(is_main=True)
    assert (main.name, main.line1, main.main_telephone.as_e164) == ("Clinique de Lévis", "5, rue du Lieu", "+14185550777")


def test_PRO_2_STF_7_a_3102_entered_before_the_main_place_was_removed_is_refused_at_acceptance(client, alice, agent, pay_calendar):
    client.force_login(agent)
    enter(client, CoordinatesForm.code, alice, place_telephone="418 555-0777")  # the telephone alone: fine while a main place exists
    request = Request.objects.get(kind=CoordinatesForm.code)
    alice.places_of_practice.all().delete()
    page = html(accept(client, request))
    assert "Ce dossier n'a plus de lieu principal de pratique" in page
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and not alice.places_of_practice.exists()


@pytest.mark.parametrize("data, field_message", [
    ({"accounts": "C000001", **NEW}, "est collectif\u00a0: son adresse change par une lettre signée par ses membres"),
    ({"accounts": "I999999", **NEW}, "Ce professionnel n'a pas de compte ouvert portant le numéro I999999."),
    ({"accounts": "I000001"}, "Les comptes visés reçoivent l'adresse de correspondance\u00a0: écrivez cette adresse."),
    ({"extension": "12"}, "Un poste accompagne un numéro de téléphone\u00a0: écrivez le numéro."),
    ({"place_line1": "5, rue du Lieu", "place_country": "CA"}, "Choisissez la province."),
])
def test_STF_7_a_3102_that_cannot_apply_says_why_in_french_and_saves_nothing(client, alice, agent, data, field_message):
    comptes_services.open_administrative_account(professional=alice, collective=True, name="Groupe", by=None)
    comptes_services.open_administrative_account(professional=alice, collective=False, name="Ind", by=None)
    client.force_login(agent)
    page = html(enter(client, CoordinatesForm.code, alice, **{"country": "CA", **data}))
    assert field_message in page
    assert not Request.objects.filter(kind=CoordinatesForm.code).exists()


def test_STF_7_a_collective_letter_records_its_date_of_change_even_with_several_members(client, alice, bob, agent):
    group = comptes_services.open_administrative_account(professional=alice, collective=True, name="Groupe Nord", by=None)
    AccountMembership.objects.create(account=group, professional=bob, joined_at=clock.now())
    day = clock.today() + timedelta(days=20)
    client.force_login(agent)
    page = html(enter(client, CollectiveAddress.code, bob, **NEW, account_number_billing=group.number, date_of_change=day.isoformat()))
    assert "Ce champ est obligatoire." in page  # the members' signatures are attested
    enter(client, CollectiveAddress.code, bob, **NEW, account_number_billing=group.number, date_of_change=day.isoformat(), signed_by_all="on")
    request = Request.objects.get(kind=CollectiveAddress.code)
    assert request.payload["date_of_change"] == day.isoformat() and request.payload["letter"] is True
    accept(client, request)
    assert group.correspondence_addresses.get(line1="77, rue Cartier").effective_from == day
    body = SecureMessage.objects.get(professional=bob, thread=request).body
    assert f"en vigueur à compter du {writing.long_date(day)}" in body


def test_STF_7_the_account_address_is_shown_in_comptes_and_in_the_admin_apart_from_the_statement_address(
        client, alice, agent, individual, pay_calendar):
    AccountAddress.objects.filter(account=individual).update(line1="1, rue du Compte")
    individual.statement_settings.line1 = "2, rue de l'État"
    individual.statement_settings.save()
    client.force_login(alice.user)
    page = html(client.get(reverse("comptes:account", args=[individual.pk])))
    account_part = page.split("Adresse de correspondance du compte")[1]
    assert "1, rue du Compte" in account_part and "2, rue de l'État" not in account_part
    assert "2, rue de l'État" in page.split("Adresse de correspondance du compte")[0]
    client.force_login(agent)
    page = html(client.get(reverse("admin:comptes_billingaccount_change", args=[individual.pk])))
    assert "Adresses de correspondance du compte" in page and "1, rue du Compte" in page


def test_STF_7_online_the_collective_address_asks_the_date_and_a_past_date_is_refused_next_to_the_field(client, alice):
    group = comptes_services.open_administrative_account(professional=alice, collective=True, name="Seule", by=None)
    client.force_login(alice.user)
    response = client.post(reverse("comptes:ask_collective_address", args=[group.pk]),
                           {**NEW, "date_of_change": (clock.today() - timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert "La date du changement ne peut pas être passée\u00a0: indiquez aujourd'hui ou une date à venir." in html(response)
    assert not Request.objects.exists()


def test_STF_7_an_administrative_account_opens_with_the_files_address_as_its_own(alice):
    account = comptes_services.open_administrative_account(professional=alice, collective=False, name="Ind", by=None)
    file_address = alice.correspondence_addresses.get()
    assert AddressInput.of(account.correspondence_addresses.get()) == AddressInput.of(file_address)
