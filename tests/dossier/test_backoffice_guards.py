"""STF-1..3, BEY-7, CPT-3, PAI-6: the back office's guards — no silent overwrite of newer data, no decision
on what closed, four eyes that exclude the typist, read-only history, honest messages (found by review)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from comptes.constants import MandataryRelation, PaymentMode
from comptes.models import PaymentSettings
from comptes.request_kinds import BankTransferForm, CollectiveAddress, MandataryForm, OpenIndividualAccount
from dossier import backoffice, requests
from dossier.constants import RequestStatus
from dossier.models import Request
from comptes.request_kinds import CoordinatesForm
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock
from tests import factories

pytestmark = pytest.mark.django_db


def paper(client, kind, data):
    return client.post(reverse("admin:dossier_request_paper_form", args=[kind]), data, follow=True)


def decide(client, request, **buttons):
    return client.post(reverse("admin:dossier_request_decide", args=[request.pk]), buttons, follow=True)


def test_STF_2_PRO_7_a_paper_3102_with_an_address_abroad_is_kept_abroad(client, alice, agent, pay_calendar):
    client.force_login(agent)
    paper(client, "3102", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                           "line1": "1 Main Street", "city": "Boston", "country": "US", "region": "MA 02110"})
    request = Request.objects.get(kind=CoordinatesForm.code)
    decide(client, request, accept="1")
    new = alice.correspondence_addresses.get(line1="1 Main Street")
    assert (new.country, new.region, new.province, new.postal_code) == ("US", "MA 02110", "", "")


def test_BEY_7_the_difference_shown_is_what_is_applied(client, alice, agent, pay_calendar):
    current = alice.correspondence_addresses.get()
    current.line2 = "Bureau 200"
    current.save()
    client.force_login(agent)
    paper(client, "3102", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                           "line1": "77, rue Cartier", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5", "country": "CA"})
    request = Request.objects.get(kind=CoordinatesForm.code)
    shown_after = backoffice.diff(request)[0].after
    decide(client, request, accept="1")
    applied = alice.correspondence_addresses.get(line1="77, rue Cartier")
    assert ("Bureau 200" in shown_after) == (applied.line2 == "Bureau 200")


def test_STF_2_a_paper_3102_entered_before_an_online_change_does_not_silently_undo_it(client, alice, agent, pay_calendar):
    from dossier import profile
    from dossier.addresses import AddressInput
    client.force_login(agent)
    paper(client, "3102", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                           "line1": "77, rue Cartier", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5", "country": "CA"})
    request = Request.objects.get(kind=CoordinatesForm.code)
    alice.refresh_from_db()
    profile.update_correspondence(professional=alice, expected_version=alice.correspondence_version,
                                  address=AddressInput(line1="9, rue Neuve", city="Lévis", province="QC", postal_code="G6V 1A1"),
                                  declared_agency_address=False, telephones=[profile.TelephoneInput(kind=t.kind, number=str(t.number), extension=t.extension) for t in alice.telephones.all()],
                                  cell="", email=alice.email, by=alice.user)
    page = decide(client, request, accept="1").content.decode().replace("&#x27;", "'")
    request.refresh_from_db()
    assert request.status != RequestStatus.ACCEPTED, "stale paper data applied over a newer online change without a word"
    assert "Le dossier a changé depuis la saisie de la demande" in page


def test_PAI_6_a_2914_on_an_account_closed_since_entry_is_refused(client, alice, agent, supervisor):
    from comptes import services as comptes_services
    factories.FinancialInstitutionFactory(number="815")
    extra = comptes_services.open_administrative_account(professional=alice, collective=False, name="Lévis", by=None)
    client.force_login(agent)
    paper(client, "2914", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                           "account_number_billing": extra.number, "institution": "815", "transit": "30012", "bank_account": "987654321"})
    request = Request.objects.get(kind=BankTransferForm.code)
    decide(client, request, accept="1")
    extra.closed_at = clock.now()
    extra.save()
    client.force_login(supervisor)
    decide(client, request, accept="1")
    assert not PaymentSettings.objects.filter(account=extra).exists()


def test_BEY_7_the_person_who_keyed_the_bank_number_cannot_approve_it(client, alice, agent, supervisor):
    factories.FinancialInstitutionFactory(number="815")
    client.force_login(supervisor)  # the supervisor keys the paper form (bank number typed by them)
    paper(client, "2914", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                           "account_number_billing": alice.billing_accounts.get().number, "institution": "815",
                           "transit": "30012", "bank_account": "987654321",
                           "personal_account_confirmed": "on"})
    request = Request.objects.get(kind=BankTransferForm.code)
    client.force_login(agent)
    decide(client, request, accept="1")  # an agent "prepares" seeing only •••321
    client.force_login(supervisor)
    decide(client, request, accept="1")
    request.refresh_from_db()
    assert request.status != RequestStatus.ACCEPTED, "the supervisor who typed the number approved it"


def test_STF_1_a_decided_request_cannot_be_reverted_through_the_history_and_applied_again(client, alice, agent):
    from comptes.models import Mandatary
    factories.BillingAgencyFactory(name="Facturation Pro", transmission_number="11111")
    client.force_login(agent)
    paper(client, "3005", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                           "account_number_billing": alice.billing_accounts.get().number, "first_name": "Julie",
                           "last_name": "Roy", "relation": MandataryRelation.AGENCY_EMPLOYEE, "transmission_number": "11111"})
    request = Request.objects.get(kind=MandataryForm.code)
    decide(client, request, accept="1")
    before = request.history.filter(status=RequestStatus.RECEIVED).order_by("history_id").last().history_id
    client.post(reverse("admin:dossier_request_simple_history", args=[request.pk, before]), {})
    request.refresh_from_db()
    decide(client, request, accept="1")
    assert Mandatary.objects.filter(first_name="Julie").count() == 1


def test_CPT_3_a_collective_address_is_applied_only_while_the_professional_is_still_alone(client, alice, bob, agent):
    from comptes import accounts
    from comptes import services as comptes_services
    from comptes.models import AccountMembership
    from dossier.addresses import AddressInput
    group = comptes_services.open_administrative_account(professional=alice, collective=True, name="Seule", by=None)
    request = accounts.ask_collective_address_change(account=group, professional=alice, by=alice.user, date_of_change=clock.today(),
                                                     address=AddressInput(line1="10, rue du Groupe", city="Lévis", province="QC", postal_code="G6V 1A1"))
    AccountMembership.objects.create(account=group, professional=bob, joined_at=clock.now())  # Bob joined since
    client.force_login(agent)
    decide(client, request, accept="1")
    assert not group.correspondence_addresses.filter(line1="10, rue du Groupe").exists(), "CPT-3: a letter signed by every member is now needed"


def test_STF_1_accepting_a_secure_message_does_not_claim_a_change_was_applied(client, alice, agent):
    request = requests.submit(professional=alice, kind=MessageToTheBoard.code, payload={"subject": "Q", "body": "B"}, by=None)
    client.force_login(agent)
    page = decide(client, request, accept="1").content.decode()
    assert "le changement est appliqué au dossier" not in page and "ne change rien au dossier par elle-même" in page


def test_STF_1_a_request_changes_only_through_its_decisions(client, alice, agent):
    request = requests.submit(professional=alice, kind=OpenIndividualAccount.code, payload={"name": "X"}, by=None)
    client.force_login(agent)
    n = request.history.count()
    response = client.post(reverse("admin:dossier_request_change", args=[request.pk]), {"status": "acceptee", "_save": "1"})
    assert response.status_code == 403 and request.history.count() == n


def test_STF_1_assigning_every_request_of_the_list_assigns_what_it_announces(client, alice, agent):
    ids = [requests.submit(professional=alice, kind=OpenIndividualAccount.code, payload={"name": str(i)}, by=None).pk for i in range(3)]
    client.force_login(agent)
    changelist = reverse("admin:dossier_request_changelist")
    # the page shows all 3; the user ticks 1 box, then "select all 3" (select_across)
    page = client.post(changelist, {"action": "assign_to", "_selected_action": [ids[0]], "select_across": "1"}).content.decode()
    assert "3 demandes choisies" in page
    assert 'name="select_across" value="1"' in page  # the selection travels to the second step
    client.post(changelist, {"action": "assign_to", "_selected_action": [ids[0]], "agent": agent.pk, "select_across": "1"})
    assert Request.objects.filter(agent=agent).count() == 3


def test_STF_1_a_request_whose_account_no_longer_exists_gets_a_message_not_an_error(client, alice, agent):
    request = requests.submit(professional=alice, kind=CollectiveAddress.code, payload={"account": "C999999", "line1": "x"}, by=None)
    client.force_login(agent)
    client.raise_request_exception = False
    response = decide(client, request, accept="1")
    assert response.status_code == 200 and "n'existe plus" in response.content.decode().replace("&#x27;", "'")


def test_STF_3_history_pages_never_restore_an_old_version(client, alice, agent):
    factories.FinancialInstitutionFactory(number="815")
    account = alice.billing_accounts.get()
    institution = factories.FinancialInstitutionFactory(number="816")
    row = PaymentSettings.objects.create(account=account, mode=PaymentMode.TRANSFER, institution=institution, transit="30012",
                                         bank_account="111222333", bank_account_last3="333", personal_account_confirmed=True,
                                         effective_from=clock.today(), recorded_at=clock.now())
    first = row.history.get().history_id
    row.cancelled_at = clock.now()
    row.save()
    client.force_login(agent)
    assert not agent.has_perm("comptes.change_paymentsettings")
    response = client.post(reverse("admin:comptes_paymentsettings_simple_history", args=[row.pk, first]), {})
    row.refresh_from_db()
    assert row.cancelled_at is not None, f"an agent with view permission only reverted the row ({response.status_code})"


def test_STF_7_a_collective_address_applied_by_staff_leaves_an_open_statement_form_valid(client, alice, agent):
    """The group's correspondence address is not its statement address: a statement form open at the same
    time still saves (it used to be refused as stale, the letter having changed the statement address)."""
    from comptes import accounts
    from comptes import services as comptes_services
    from comptes.constants import StatementOption
    from dossier.addresses import AddressInput
    group = comptes_services.open_administrative_account(professional=alice, collective=True, name="Seule", by=None)
    group.refresh_from_db()
    version_in_open_form = group.version
    old = AddressInput.of(group.statement_settings)
    request = accounts.ask_collective_address_change(account=group, professional=alice, by=alice.user, date_of_change=clock.today(),
                                                     address=AddressInput(line1="10, rue du Groupe", city="Lévis", province="QC", postal_code="G6V 1A1"))
    client.force_login(agent)
    decide(client, request, accept="1")
    accounts.change_statement(account=group, expected_version=version_in_open_form, option=StatementOption.NONE, agency=None,
                              developer=None, reception_mode="", mandate_accepted=False, address=old, by=alice.user)
    assert group.correspondence_addresses.get(effective_from=clock.today(), line1="10, rue du Groupe")