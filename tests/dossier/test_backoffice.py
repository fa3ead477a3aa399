"""STF-1, STF-2, BEY-7, EML-7, PAI-6, INS-7: the request queue in the admin — assignment, paper forms,
the before/after difference, decisions through the Mon dossier services, refusal reasons sent to the
professional, and four eyes on bank details entered from paper."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from comptes.constants import PaymentMode
from comptes.models import PaymentSettings
from comptes.request_kinds import (
    AgencyForm,
    AtdMandateForm,
    BankTransferForm,
    MandataryForm,
    OpenIndividualAccount,
    SelfBillingForm,
)
from dossier import backoffice, requests
from dossier.constants import ParticipationStatus, RequestStatus
from dossier.models import Request
from comptes.request_kinds import CoordinatesForm
from dossier.request_kinds import ParticipationForm
from dossier.tasks import bring_dated_changes_into_force
from notifications.models import PrintItem, SecureMessage
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock, writing
from tests import factories
from tests.factories import aware

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:dossier_request_changelist"


def html(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def paper(client, kind, data):
    return client.post(reverse("admin:dossier_request_paper_form", args=[kind]), data, follow=True)


def decide(client, request, **buttons):
    return client.post(reverse("admin:dossier_request_decide", args=[request.pk]), buttons, follow=True)


@pytest.fixture
def second_agent(db):
    return factories.StaffFactory(username="gilles.agent", role="agent")


@pytest.fixture
def form_2914(alice, agent, client):
    factories.FinancialInstitutionFactory(number="815")
    client.force_login(agent)
    response = paper(client, "2914", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                                      "account_number_billing": alice.billing_accounts.get().number, "institution": "815",
                                      "transit": "30012", "bank_account": "987654321",
                                      "personal_account_confirmed": "on"})
    assert "Formulaire saisi" in html(response)
    return Request.objects.get(kind=BankTransferForm.code)


def test_STF_1_an_agent_takes_requests_and_assigns_others_in_bulk(client, alice, agent, second_agent):
    first = requests.submit(professional=alice, kind=OpenIndividualAccount.code, payload={"name": "Lévis"}, by=None)
    second = requests.submit(professional=alice, kind=MessageToTheBoard.code, payload={"subject": "Question"}, by=None)
    client.force_login(agent)
    client.post(reverse(CHANGELIST), {"action": "assign_to_me", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert (first.agent, first.status) == (agent, RequestStatus.IN_PROGRESS)
    page = client.post(reverse(CHANGELIST), {"action": "assign_to", "_selected_action": [first.pk, second.pk]})
    assert "Assigner des demandes" in html(page)  # the intermediate page asks to whom
    done = client.post(reverse(CHANGELIST), {"action": "assign_to", "_selected_action": [first.pk, second.pk],
                                             "agent": second_agent.pk}, follow=True)
    assert "2 demandes assignées à gilles.agent." in html(done)
    assert set(Request.objects.values_list("agent__username", flat=True)) == {"gilles.agent"}
    link = f"/admin/dossier/request/{first.pk}/change/"
    assert link not in html(client.get(reverse(CHANGELIST) + "?agent=moi"))
    assert link in html(client.get(reverse(CHANGELIST) + f"?agent={second_agent.pk}"))
    client.force_login(second_agent)
    assert link in html(client.get(reverse(CHANGELIST) + "?agent=moi"))


def test_STF_1_the_overdue_filter_shows_open_requests_past_their_due_date(client, alice, agent, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    late = requests.submit(professional=alice, kind=CoordinatesForm.code, payload={}, by=None)
    frozen_clock(aware(2027, 3, 25, 9, 0))
    on_time = requests.submit(professional=alice, kind=BankTransferForm.code, payload={"account_id": 0, "institution": "815",
                                                                                        "transit": "1", "last3": "1"}, by=None)
    client.force_login(agent)
    page = html(client.get(reverse(CHANGELIST) + "?echeance=depassee"))
    assert f"/admin/dossier/request/{late.pk}/change/" in page and f"/admin/dossier/request/{on_time.pk}/change/" not in page
    assert "en retard" in page


def test_STF_2_EML_7_a_paper_3102_with_a_new_email_gets_the_validation_link_and_a_dated_address(
        client, alice, agent, pay_calendar, django_capture_on_commit_callbacks):
    client.force_login(agent)
    response = paper(client, "3102", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                                      "line1": "77, rue Cartier", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5",
                                      "country": "CA", "email": "alice.papier@example.com"})
    request = Request.objects.get(kind=CoordinatesForm.code)
    assert request.due_date == requests.due_date_for(CoordinatesForm.code, clock.today())
    page = html(response)
    assert "Différence dans le dossier" in page and "77, rue Cartier" in page and "alice.papier@example.com" in page  # BEY-7
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, request, accept="1")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.ACCEPTED, agent)
    assert [m.to for m in mail.outbox] == [["alice.papier@example.com"]]  # the same validation link as online (EML-7)
    new = alice.correspondence_addresses.get(line1="77, rue Cartier")
    assert new.effective_from > clock.today()  # the address follows PRO-5's effective date
    record = new.history.first()
    assert record.history_user == agent  # on whose behalf: the agent, from the paper form


def test_STF_2_EML_7_a_paper_3102_with_only_an_email_changes_the_email_and_keeps_the_address(
        client, alice, agent, pay_calendar, django_capture_on_commit_callbacks):
    address = alice.correspondence_addresses.get()
    client.force_login(agent)
    response = paper(client, "3102", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                                      "country": "CA", "province": "", "email": "alice.papier@example.com"})
    request = Request.objects.get(kind=CoordinatesForm.code)
    page = html(response)
    assert "alice.papier@example.com" in page and "Adresse de correspondance" not in page  # the difference: the email only
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, request, accept="1")
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert [m.to for m in mail.outbox] == [["alice.papier@example.com"]]
    assert list(alice.correspondence_addresses.all()) == [address]  # no new address, none pending


def test_STF_2_a_paper_3102_with_neither_address_nor_email_is_refused_in_french(client, alice, agent):
    client.force_login(agent)
    page = html(paper(client, "3102", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                                       "country": "CA"}))
    assert ("Le formulaire 3102 ne change rien tel qu'il est saisi\u00a0: remplissez au moins une section (adresse, téléphone, courriel ou "
            "lieu principal de pratique).") in page
    page = html(paper(client, "3102", {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
                                       "country": "CA", "line1": "77, rue Cartier"}))
    assert "Ce champ est obligatoire." in page and "Choisissez la province." in page  # an address begun is an address
    assert not Request.objects.exists()


def test_STF_2_a_paper_form_with_errors_says_what_is_wrong_in_french_and_saves_nothing(client, alice, agent):
    client.force_login(agent)
    page = html(paper(client, "2914", {"professional_number": "9999999", "received_on": (clock.today() + timedelta(days=2)).isoformat(),
                                       "account_number_billing": "X", "institution": "12", "transit": "abc", "bank_account": "12"}))
    for message in ("Aucun dossier ne porte ce numéro de professionnel.", "La date de réception ne peut pas être dans le futur.",
                    "Entrez les 3 chiffres de l'institution.", "Entrez les 5 chiffres du transit.", "Entrez de 7 à 12 chiffres."):
        assert message in page
    assert not Request.objects.exists()


def test_BEY_7_PAI_6_a_paper_bank_change_needs_a_supervisor_who_is_not_the_agent(
        client, alice, agent, second_agent, supervisor, form_2914, django_capture_on_commit_callbacks):
    assert "987654321" not in str(form_2914.payload) and form_2914.payload["last3"] == "321"  # encrypted apart, never in the payload
    page = html(client.get(reverse("admin:dossier_request_change", args=[form_2914.pk])))
    assert "•••321" in page and "987654321" not in page
    response = decide(client, form_2914, accept="1")
    assert "un superviseur doit l'approuver" in html(response)
    assert not PaymentSettings.objects.filter(mode=PaymentMode.TRANSFER).exists()  # nothing applied yet
    assert "Une autre personne doit approuver" in html(decide(client, form_2914, accept="1"))
    client.force_login(second_agent)
    assert "Seul un superviseur peut approuver" in html(decide(client, form_2914, accept="1"))
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, form_2914, accept="1")
    form_2914.refresh_from_db()
    assert (form_2914.status, form_2914.prepared_by, form_2914.decided_by) == (RequestStatus.ACCEPTED, agent, supervisor)
    assert form_2914.sensitive == ""  # the bank number is erased once decided
    applied = PaymentSettings.objects.get(mode=PaymentMode.TRANSFER)
    assert applied.bank_account == "987654321" and applied.bank_account_last3 == "321" and applied.effective_from > clock.today()
    assert SecureMessage.objects.filter(professional=alice).exists()  # BEY-4's notice, as for a change made online


def test_BEY_7_STF_4_a_decided_2914_keeps_its_before_and_after_and_is_announced(client, alice, agent, supervisor, form_2914):
    decide(client, form_2914, accept="1")
    client.force_login(supervisor)
    decide(client, form_2914, accept="1")
    page = html(client.get(reverse("admin:dossier_request_change", args=[form_2914.pk])))
    before, after = page.index("Chèque"), page.index("Virement bancaire 815-30012 •••321")
    assert before < after  # the difference as it stood when decided, not the file as it is now
    notice = SecureMessage.objects.get(professional=alice, thread=form_2914)
    assert "les paiements du compte" in notice.body and "•••321" in notice.body and "987654321" not in notice.body
    effective = PaymentSettings.objects.get(mode=PaymentMode.TRANSFER).effective_from
    with translation.override("fr"):
        assert f"à compter du paiement du {writing.long_date(effective)}" in notice.body


def test_STF_1_a_refusal_needs_a_reason_which_reaches_the_professional(client, alice, agent, form_2914):
    assert "Indiquez le motif du refus" in html(decide(client, form_2914, refuse="1", reason="  "))
    decide(client, form_2914, refuse="1", reason="Le formulaire n'est pas signé.")
    form_2914.refresh_from_db()
    assert (form_2914.status, form_2914.reason, form_2914.sensitive) == (RequestStatus.REFUSED, "Le formulaire n'est pas signé.", "")
    letters = [*SecureMessage.objects.filter(professional=alice).values_list("body", flat=True),
               *PrintItem.objects.filter(professional=alice).values_list("body", flat=True)]
    assert any("Le formulaire n'est pas signé." in body for body in letters)
    received = clock.quebec_date(form_2914.received_at)
    with translation.override("fr"):
        in_words = writing.long_date(received)  # "9 mars 2027", "1er avril 2027"
    assert any(f"Votre demande reçue le {in_words} est refusée" in body for body in letters)
    assert not any(received.isoformat() in body for body in letters)
    again = html(decide(client, form_2914, accept="1"))
    assert "Cette demande est déjà décidée." in again
    assert not PaymentSettings.objects.filter(mode=PaymentMode.TRANSFER).exists()


def test_INS_7_a_paper_1378_takes_effect_30_days_after_the_notice(client, alice, agent, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    client.force_login(agent)
    paper(client, "1378", {"professional_number": alice.professional_number, "received_on": "2027-03-01",
                           "status": ParticipationStatus.NON_PARTICIPANT, "notice_date": "2027-02-25"})
    request = Request.objects.get(kind=ParticipationForm.code)
    page = html(client.get(reverse("admin:dossier_request_change", args=[request.pk])))
    assert "Non participant à compter du 27 mars 2027" in page  # a date as the portal writes it, never ISO
    decide(client, request, accept="1")
    alice.refresh_from_db()
    assert alice.participation_status == ParticipationStatus.PARTICIPANT
    assert (alice.pending_participation_status, alice.pending_participation_from) == (ParticipationStatus.NON_PARTICIPANT, date(2027, 3, 27))
    frozen_clock(aware(2027, 3, 27, 0, 30))
    bring_dated_changes_into_force()
    alice.refresh_from_db()
    assert (alice.participation_status, alice.pending_participation_from) == (ParticipationStatus.NON_PARTICIPANT, None)
    assert bring_dated_changes_into_force() == 0  # run twice, same state


@pytest.mark.parametrize("notice_on", [lambda received: received + timedelta(days=1), lambda received: date(9999, 12, 31)],
                         ids=["the-next-day", "in-year-9999"])
def test_INS_7_a_1378_notice_dated_after_its_reception_is_refused_next_to_the_field(client, alice, agent, notice_on):
    received = clock.today()
    notice = notice_on(received)
    client.force_login(agent)
    response = paper(client, "1378", {"professional_number": alice.professional_number, "received_on": received.isoformat(),
                                      "status": ParticipationStatus.NON_PARTICIPANT, "notice_date": notice.isoformat()})
    assert response.status_code == 200
    assert "L'avis ne peut pas être daté après le jour de sa réception." in html(response)
    assert not Request.objects.exists()


def test_STF_3_an_agent_cannot_approve_but_a_supervisor_can(agent, supervisor):
    assert not agent.has_perm(backoffice.SUPERVISOR_PERMISSION)
    assert supervisor.has_perm(backoffice.SUPERVISOR_PERMISSION)
    assert agent.has_perm("dossier.change_request")


def test_STF_1_CPT_2_accepting_online_account_requests_opens_or_joins_the_account(client, alice, bob, agent):
    from comptes import accounts
    from comptes.constants import AccountKind
    from comptes.models import AccountMembership, BillingAccount

    individual = accounts.ask_to_open_account(professional=alice, collective=False, name="Clinique de Lévis", by=alice.user)
    collective = accounts.ask_to_open_account(professional=alice, collective=True, name="Groupe Saint-Jean", by=alice.user)
    client.force_login(agent)
    for request in (individual, collective):
        decide(client, request, accept="1")
    opened = {a.kind: a for a in BillingAccount.objects.filter(professional=alice).exclude(kind=AccountKind.PERSONAL)}
    assert (opened[AccountKind.INDIVIDUAL].number, opened[AccountKind.INDIVIDUAL].name) == ("I000001", "Clinique de Lévis")
    group = opened[AccountKind.COLLECTIVE]
    assert (group.number, group.group_number) == ("C000001", "000001")
    assert group.statement_settings.line1 == alice.correspondence_addresses.get().line1  # ETC-5: an address from the start

    unknown = accounts.ask_to_join_collective(professional=bob, group_number="999999", by=bob.user)
    assert "Aucun compte collectif ouvert ne porte ce numéro" in html(decide(client, unknown, accept="1"))
    unknown.refresh_from_db()
    assert unknown.status != RequestStatus.ACCEPTED
    joining = accounts.ask_to_join_collective(professional=bob, group_number="000001", by=bob.user)
    decide(client, joining, accept="1")
    assert AccountMembership.objects.filter(account=group, professional=bob).exists()


def test_STF_7_CPT_3_accepting_a_collective_address_changes_the_account_address_from_its_date_not_the_statement_address(
        client, alice, agent):
    from comptes import accounts
    from comptes import services as comptes_services
    from dossier.addresses import AddressInput

    group = comptes_services.open_administrative_account(professional=alice, collective=True, name="Seule", by=None)
    statement_before = AddressInput.of(group.statement_settings)
    day = clock.today() + timedelta(days=10)
    request = accounts.ask_collective_address_change(
        account=group, professional=alice, by=alice.user, date_of_change=day,
        address=AddressInput(line1="10, rue du Groupe", city="Lévis", province="QC", postal_code="G6V 1A1"))
    client.force_login(agent)
    page = html(client.get(reverse("admin:dossier_request_change", args=[request.pk])))
    assert "10, rue du Groupe" in page and f"à compter du {writing.long_date(day)}" in page  # BEY-7
    decide(client, request, accept="1")
    group.statement_settings.refresh_from_db()
    assert AddressInput.of(group.statement_settings) == statement_before
    row = group.correspondence_addresses.get(line1="10, rue du Groupe")
    assert (row.city, row.effective_from) == ("Lévis", day)


def test_STF_2_ETC_3_paper_2404_and_3018_change_the_accreditation_through_the_same_rules(client, alice, agent):
    from comptes.constants import AgencyType, ReceptionMode, StatementOption
    from comptes.models import StatementSettings

    StatementSettings.objects.create(account=alice.billing_accounts.get(), line1="500, rue de l'État", city="Québec", province="QC",
                                     postal_code="G1R 2B5", updated_at=clock.now())
    atd = factories.BillingAgencyFactory(transmission_number="11111", agency_type=AgencyType.ATD)
    factories.SoftwareDeveloperFactory(number="70001")
    client.force_login(agent)
    common = {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
              "account_number_billing": alice.billing_accounts.get().number, "reception_mode": ReceptionMode.TELECOM}
    paper(client, "2404", {**common, "transmission_number": "11111"})  # an ATD without its 2788 mandate
    without_mandate = Request.objects.get(kind=AgencyForm.code)
    assert "Une ATD exige le formulaire 2788" in html(decide(client, without_mandate, accept="1"))
    paper(client, "2404", {**common, "transmission_number": "11111", "mandate_accepted": "on"})
    decide(client, Request.objects.filter(kind=AgencyForm.code).latest("pk"), accept="1")
    settings_row = StatementSettings.objects.get(account__professional=alice)
    assert (settings_row.option, settings_row.agency, settings_row.mandate_accepted) == (StatementOption.AGENCY, atd, True)
    assert settings_row.line1 == "500, rue de l'État"  # the statement address stays (ETC-5)
    paper(client, "3018", {**common, "developer_number": "70001"})
    decide(client, Request.objects.get(kind=SelfBillingForm.code), accept="1")
    settings_row.refresh_from_db()
    assert settings_row.option == StatementOption.SELF_BILLING and settings_row.agency.owner == alice  # her private agency


def test_MAN_1_a_paper_3005_records_a_person_never_an_agency(client, alice, agent):
    from comptes.constants import MandataryRelation
    from comptes.models import Mandatary

    agency = factories.BillingAgencyFactory(name="Facturation Pro", transmission_number="11111")
    client.force_login(agent)
    common = {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
              "account_number_billing": alice.billing_accounts.get().number}
    page = html(paper(client, "3005", {**common, "first_name": "Facturation", "last_name": "Facturation Pro",
                                       "relation": MandataryRelation.OTHER}))
    assert "Une agence ne peut pas être mandataire\u00a0: nommez la personne qui signera." in page
    page = html(paper(client, "3005", {**common, "first_name": "Julie", "last_name": "Roy", "relation": MandataryRelation.AGENCY_EMPLOYEE}))
    assert "Indiquez l'agence qui emploie ce mandataire" in page
    assert not Request.objects.exists()
    paper(client, "3005", {**common, "first_name": "Julie", "last_name": "Roy", "relation": MandataryRelation.AGENCY_EMPLOYEE,
                           "transmission_number": "11111"})
    request = Request.objects.get(kind=MandataryForm.code)
    assert request.due_date == clock.quebec_date(request.received_at) + timedelta(weeks=6)  # ETC-6 / SPEC §8: 4 to 6 weeks
    decide(client, request, accept="1")
    assert Mandatary.objects.filter(account__professional=alice, first_name="Julie", last_name="Roy", agency=agency,
                                    recorded_by=agent).exists()


def test_STF_2_ETC_3_a_paper_2788_gives_the_mandate_to_the_atd(client, alice, agent):
    from comptes.constants import AgencyType, ReceptionMode, StatementOption
    from comptes.models import StatementSettings

    StatementSettings.objects.create(account=alice.billing_accounts.get(), line1="500, rue de l'État", city="Québec", province="QC",
                                     postal_code="G1R 2B5", updated_at=clock.now(), reception_mode=ReceptionMode.SECURE_MESSAGING)
    atd = factories.BillingAgencyFactory(transmission_number="11111", agency_type=AgencyType.ATD)
    factories.BillingAgencyFactory(transmission_number="22222", agency_type=AgencyType.ISE)
    client.force_login(agent)
    common = {"professional_number": alice.professional_number, "received_on": clock.today().isoformat(),
              "account_number_billing": alice.billing_accounts.get().number}
    assert "Aucune ATD active ne porte ce numéro de transmission." in html(paper(client, "2788", {**common, "transmission_number": "22222"}))
    paper(client, "2788", {**common, "transmission_number": "11111"})
    request = Request.objects.get(kind=AtdMandateForm.code)
    assert request.due_date == clock.quebec_date(request.received_at) + timedelta(weeks=6)
    decide(client, request, accept="1")
    settings_row = StatementSettings.objects.get(account__professional=alice)
    assert (settings_row.option, settings_row.agency, settings_row.mandate_accepted, settings_row.reception_mode) == (
        StatementOption.AGENCY, atd, True, ReceptionMode.SECURE_MESSAGING)
