"""The Comptes de facturation tab's rules (CPT, PAI, ETC, MAN, BEY-4, BEY-5) and data protection."""
import logging
from datetime import date
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from calendrier import paycalendar
from comptes import accounts, mandataries
from comptes.constants import AccountKind, AgencyType, PaymentMode, ReceptionMode, StatementOption
from comptes.exceptions import AgencyRefused, CompanyAccountRefused, DuplicateRequest, FreshConfirmationRequired, MandateRequired
from comptes.models import (
    BillingAccount,
    BillingAgency,
    FinancialInstitution,
    Mandatary,
    PaymentSettings,
    SoftwareDeveloper,
    StatementSettings,
)
from comptes.request_kinds import (
    AgencyForm,
    BankTransferForm,
    CollectiveAddress,
    JoinCollective,
    OpenIndividualAccount,
    SelfBillingForm,
)
from dossier import requests
from dossier.constants import RequestStatus
from dossier.models import Professional, Request
from dossier.addresses import AddressInput
from notifications.models import SecureMessage
from ramq_portal import clock, crypto
from tests import factories
from tests.factories import aware

pytestmark = pytest.mark.django_db

ADDRESS = AddressInput(line1="1, rue des États", city="Québec", province="QC", postal_code="G1R 2B5")
TUESDAY = aware(2027, 5, 18, 10, 0)  # payment dates: Thu May 20, Thu Jun 3 2027


@pytest.fixture
def reference(db):
    bmo = FinancialInstitution.objects.create(number="001", name="Banque de Montréal")
    dev = SoftwareDeveloper.objects.create(number="70001", name="Logiciels Dentaires Québec")
    atd = BillingAgency.objects.create(transmission_number="11111", name="Facturation Pro", agency_type=AgencyType.ATD, line1="1, rue A", city="Québec", province="QC", postal_code="G1R 2J7")
    ise = BillingAgency.objects.create(transmission_number="22222", name="Regroupement", agency_type=AgencyType.ISE, line1="2, rue B", city="Québec", province="QC", postal_code="G1K 3H1")
    return {"bmo": bmo, "dev": dev, "atd": atd, "ise": ise}


def personal(professional):
    return BillingAccount.objects.get(professional=professional, kind=AccountKind.PERSONAL)


def pay_by_transfer(account, *, number="123456789", confirmed=True, fresh=True, institution=None, by=None):
    account.refresh_from_db()
    return accounts.change_payment(
        account=account, expected_version=account.version, mode=PaymentMode.TRANSFER,
        bank=accounts.BankDetails(institution=institution or FinancialInstitution.objects.first(), transit="12345", account_number=number),
        personal_account_confirmed=confirmed, fresh_confirmation=fresh, by=by,
    )


def set_statement(account, **change):
    account.refresh_from_db()
    values = dict(option=StatementOption.NONE, agency=None, developer=None, reception_mode="", mandate_accepted=False, address=ADDRESS, by=None)
    values.update(change)
    return accounts.change_statement(account=account, expected_version=account.version, **values)


# --- CPT ---------------------------------------------------------------------------------------------


def test_CPT_1_the_personal_account_bears_the_professional_number_and_can_never_be_closed(alice):
    account = personal(alice)
    assert account.number == alice.professional_number
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingAccount.objects.filter(pk=account.pk).update(closed_at=clock.now())


def test_CPT_2_asking_to_open_or_join_an_account_creates_a_request_with_its_status(client, alice):
    BillingAccount.objects.create(professional=factories.ProfessionalFactory(user=None), kind=AccountKind.COLLECTIVE,
                                  number="C500001", name="Clinique", group_number="500001", opened_at=clock.now())
    client.force_login(alice.user)
    client.post(reverse("comptes:ask_open_account"), {"collective": "individuel", "name": "Clinique de Lévis"})
    client.post(reverse("comptes:ask_join_collective"), {"group_number": "500001"})
    kinds = set(Request.objects.filter(professional=alice).values_list("kind", flat=True))
    assert kinds == {OpenIndividualAccount.code, JoinCollective.code}
    page = client.get(reverse("comptes:accounts")).content.decode()
    assert "Clinique de Lévis" in page and "500001" in page and "Reçue" in page


def test_CPT_2_a_duplicate_or_unknown_group_request_is_refused(client, alice):
    accounts.ask_to_open_account(professional=alice, collective=True, name="Groupe", by=alice.user)
    with pytest.raises(DuplicateRequest):
        accounts.ask_to_open_account(professional=alice, collective=True, name="Groupe", by=alice.user)
    client.force_login(alice.user)
    response = client.post(reverse("comptes:ask_join_collective"), {"group_number": "999999"}, follow=True)
    assert "Aucun compte collectif actif ne porte ce numéro" in response.content.decode()
    assert not Request.objects.filter(kind=JoinCollective.code).exists()


def test_CPT_3_an_administrative_account_address_is_changed_by_form_or_letter(client, alice):
    individual = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A1", name="Lévis")
    collective = factories.BillingAccountFactory(professional=alice, kind=AccountKind.COLLECTIVE, number="C1", name="Groupe", group_number="500002")
    client.force_login(alice.user)
    assert "formulaire Changement d'adresse (3102)" in client.get(reverse("comptes:account", args=[individual.pk])).content.decode()
    page = client.get(reverse("comptes:account", args=[collective.pk])).content.decode()
    assert "lettre signée par chaque membre" in page and "seul membre de ce compte collectif" in page


# --- PAI ---------------------------------------------------------------------------------------------


def test_PAI_1_PAI_5_cheque_is_the_default_and_missing_bank_details_never_block(client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("comptes:account", args=[personal(alice).pk])).content.decode()
    assert "Chèque (mode par défaut)" in page


def test_PAI_2_transfer_details_are_validated(client, alice, reference, pay_calendar):
    account = personal(alice)
    client.force_login(alice.user)
    data = {"version": account.version, "mode": "virement", "institution": "", "transit": "1234", "account_number": "123",
            "personal_account_confirmed": "on", "password": factories.PASSWORD}
    page = client.post(reverse("comptes:edit_payment", args=[account.pk]), data).content.decode()
    assert "Choisissez l&#x27;institution financière." in page
    assert "Le numéro de succursale compte 5 chiffres." in page and "Le numéro de compte compte de 7 à 12 chiffres." in page
    assert not PaymentSettings.objects.exists()


def test_PAI_2_personal_finances_refuse_an_account_not_confirmed_personal(alice, reference, pay_calendar):
    with pytest.raises(CompanyAccountRefused):
        pay_by_transfer(personal(alice), confirmed=False)
    individual = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A2", name="Société")
    assert pay_by_transfer(individual, confirmed=False) is not None  # a company's account is fine there


def test_PAI_3_the_form_shows_the_deposit_date_and_the_cheque_window(client, alice, reference, pay_calendar, frozen_clock):
    frozen_clock(aware(2027, 5, 12, 10, 0))
    client.force_login(alice.user)
    page = client.get(reverse("comptes:edit_payment", args=[personal(alice).pk])).content.decode()
    assert "jeudi 20 mai 2027" in page and "mercredi 26 mai 2027" in page  # Patriots' Day pushes the deposit
    assert "25 mai et le 27 mai 2027" in page


def test_PAI_4_a_new_bank_account_recorded_close_to_a_payment_waits_for_the_next_one(alice, reference, pay_calendar, frozen_clock):
    frozen_clock(TUESDAY)
    assert paycalendar.bank_change_effective_date(TUESDAY) == date(2027, 6, 3)
    row = pay_by_transfer(personal(alice))
    assert row.effective_from == date(2027, 6, 3)
    # Friday May 14: Mon 17, Tue 18, Wed 19 remain before the payment file of the 20th: in time.
    assert paycalendar.bank_change_effective_date(aware(2027, 5, 14, 10, 0)) == date(2027, 5, 20)
    # Monday May 17: only Tue 18 and Wed 19 remain: the payment of the 20th goes to the old account.
    assert paycalendar.bank_change_effective_date(aware(2027, 5, 17, 10, 0)) == date(2027, 6, 3)


def test_PAI_4_the_page_says_which_payment_still_goes_to_the_old_account(client, alice, reference, pay_calendar, frozen_clock):
    frozen_clock(TUESDAY)
    client.force_login(alice.user)
    page = client.get(reverse("comptes:edit_payment", args=[personal(alice).pk])).content.decode()
    assert "Le paiement du 20 mai 2027 sera encore versé selon les coordonnées actuelles" in page
    pay_by_transfer(personal(alice))
    page = client.get(reverse("comptes:account", args=[personal(alice).pk])).content.decode()
    assert "appliqué au paiement du 3 juin 2027" in page and "montre encore les anciennes coordonnées" in page


def test_PAI_6_ETC_6_paper_forms_are_due_in_6_weeks():
    assert requests.due_date_for(BankTransferForm.code, date(2027, 3, 1)) == date(2027, 4, 12)
    assert requests.due_date_for(AgencyForm.code, date(2027, 3, 1)) == date(2027, 4, 12)
    assert requests.due_date_for(SelfBillingForm.code, date(2027, 3, 1)) == date(2027, 4, 12)


# --- BEY-4: re-confirmation and notice -------------------------------------------------------------------


def test_BEY_4_new_bank_details_need_the_password_typed_again(client, alice, reference, pay_calendar):
    with pytest.raises(FreshConfirmationRequired):
        pay_by_transfer(personal(alice), fresh=False)
    account = personal(alice)
    client.force_login(alice.user)
    data = {"version": account.version, "mode": "virement", "institution": reference["bmo"].pk, "transit": "12345",
            "account_number": "123456789", "personal_account_confirmed": "on", "password": "pas-le-bon"}
    page = client.post(reverse("comptes:edit_payment", args=[account.pk]), data).content.decode()
    assert "Entrez votre mot de passe actuel" in page
    assert not PaymentSettings.objects.exists()
    data["password"] = factories.PASSWORD
    assert client.post(reverse("comptes:edit_payment", args=[account.pk]), data).status_code == 302
    assert PaymentSettings.objects.get().masked_account == "•••789"


def test_BEY_4_the_professional_is_notified_in_secure_messaging_and_on_the_activated_email_only(alice, reference, pay_calendar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_transfer(personal(alice))
    assert SecureMessage.objects.filter(professional=alice, subject__contains="bancaires").count() == 1
    assert mail.outbox == []  # no activated email: nothing sent (EML-5)
    Professional.objects.filter(pk=alice.pk).update(email="alice@example.com", email_activated_at=clock.now())
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_transfer(personal(alice), number="987654321")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "987654321" not in mail.outbox[0].body and "987654321" not in SecureMessage.objects.first().body


def test_BEY_4_switching_back_to_cheque_needs_no_password(alice, reference, pay_calendar):
    pay_by_transfer(personal(alice))
    account = personal(alice)
    row = accounts.change_payment(account=account, expected_version=account.version, mode=PaymentMode.CHEQUE,
                                  bank=accounts.BankDetails(), personal_account_confirmed=False, fresh_confirmation=False, by=None)
    assert row.mode == PaymentMode.CHEQUE and row.bank_account == ""


# --- data protection ------------------------------------------------------------------------------------------


def test_bank_account_numbers_are_encrypted_at_rest_and_shown_masked(client, alice, reference, pay_calendar, agent, caplog):
    caplog.set_level(logging.DEBUG)
    pay_by_transfer(personal(alice), number="246813579")
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM comptes_paymentsettings UNION ALL SELECT bank_account FROM comptes_historicalpaymentsettings")
        raw = [row[0] for row in cursor.fetchall()]
    assert raw and all("246813579" not in value and "813579" not in value for value in raw)
    assert PaymentSettings.objects.get().bank_account == "246813579"
    client.force_login(alice.user)
    page = client.get(reverse("comptes:account", args=[personal(alice).pk])).content.decode()
    assert "•••579" in page and "246813579" not in page
    client.force_login(agent)
    admin_page = client.get(reverse("admin:comptes_paymentsettings_change", args=[PaymentSettings.objects.get().pk])).content.decode()
    assert "•••579" in admin_page and "246813579" not in admin_page
    assert all("246813579" not in record.getMessage() for record in caplog.records)


def test_a_rotated_key_keeps_old_values_readable_and_the_command_re_encrypts(alice, reference, pay_calendar, settings):
    pay_by_transfer(personal(alice), number="135792468")
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert PaymentSettings.objects.get().bank_account == "135792468"
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    crypto._fernet.cache_clear()
    assert PaymentSettings.objects.get().bank_account == "135792468"


# --- ETC ----------------------------------------------------------------------------------------------------


def test_ETC_2_ETC_3_an_ATD_needs_the_mandate_an_ISE_does_not(alice, reference):
    account = personal(alice)
    with pytest.raises(MandateRequired):
        set_statement(account, option=StatementOption.AGENCY, agency=reference["atd"], reception_mode=ReceptionMode.TELECOM)
    result = set_statement(account, option=StatementOption.AGENCY, agency=reference["atd"], reception_mode=ReceptionMode.TELECOM, mandate_accepted=True)
    assert result.settings.agency == reference["atd"] and result.settings.mandate_accepted
    result = set_statement(account, option=StatementOption.AGENCY, agency=reference["ise"], reception_mode=ReceptionMode.SECURE_MESSAGING)
    assert result.settings.agency == reference["ise"] and not result.settings.mandate_accepted


def test_ETC_3_a_private_agency_that_is_not_ones_own_is_refused(alice, bob, reference):
    bobs = BillingAgency.objects.create(transmission_number="33333", name="Privée Bob", agency_type=AgencyType.DIS, owner=bob,
                                        line1="3, rue C", city="Québec", province="QC", postal_code="G1R 2B5")
    with pytest.raises(AgencyRefused):
        set_statement(personal(alice), option=StatementOption.AGENCY, agency=bobs, reception_mode=ReceptionMode.TELECOM)
    assert set_statement(personal(bob), option=StatementOption.AGENCY, agency=bobs, reception_mode=ReceptionMode.TELECOM).settings.agency == bobs


def test_ETC_2_self_billing_creates_a_private_agency_with_a_new_transmission_number_once(alice, reference):
    result = set_statement(personal(alice), option=StatementOption.SELF_BILLING, developer=reference["dev"], reception_mode=ReceptionMode.TELECOM)
    agency = result.created_agency
    assert agency.agency_type == AgencyType.DIS and agency.owner == alice and int(agency.transmission_number) >= 80000
    again = set_statement(personal(alice), option=StatementOption.SELF_BILLING, developer=reference["dev"], reception_mode=ReceptionMode.TELECOM)
    assert again.created_agency is None and again.settings.agency == agency


def test_ETC_2_ETC_4_not_now_clears_the_agency_and_reception_mode(alice, reference):
    set_statement(personal(alice), option=StatementOption.AGENCY, agency=reference["ise"], reception_mode=ReceptionMode.TELECOM)
    settings = set_statement(personal(alice), option=StatementOption.NONE, reception_mode=ReceptionMode.TELECOM).settings
    assert settings.agency is None and settings.reception_mode == ""


def test_ETC_4_ETC_5_reception_mode_and_statement_address_are_required(client, alice, reference):
    account = personal(alice)
    client.force_login(alice.user)
    data = {"version": account.version, "option": "agence", "agency": reference["ise"].pk, "country": "CA",
            "line1": "", "city": "", "province": "QC", "postal_code": ""}
    page = client.post(reverse("comptes:edit_statement", args=[account.pk]), data).content.decode()
    assert "Choisissez le mode de réception" in page and "Entrez le code postal." in page
    assert not StatementSettings.objects.filter(account=account, agency=reference["ise"]).exists()


def test_ETC_6_a_statement_change_online_is_immediate(alice, reference):
    settings = set_statement(personal(alice), option=StatementOption.AGENCY, agency=reference["ise"], reception_mode=ReceptionMode.TELECOM).settings
    assert StatementSettings.objects.get(pk=settings.pk).agency == reference["ise"]


def test_ETC_3_the_search_finds_agencies_by_number_or_name_and_marks_others_private_ones(client, alice, bob, reference):
    BillingAgency.objects.create(transmission_number="33333", name="Privée Bob", agency_type=AgencyType.DIS, owner=bob,
                                 line1="3, rue C", city="Québec", province="QC", postal_code="G1R 2B5")
    client.force_login(alice.user)
    url = reverse("comptes:edit_statement", args=[personal(alice).pk])
    assert "Facturation Pro" in client.get(url, {"agence": "11111"}).content.decode()
    assert "Regroupement" in client.get(url, {"agence": "regroup"}).content.decode()
    assert "ne peut pas être choisie" in client.get(url, {"agence": "33333"}).content.decode()


# --- BEY-5 ----------------------------------------------------------------------------------------------------


def test_BEY_5_a_statement_change_applies_to_several_accounts_at_once(client, alice, reference):
    other = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A3", name="Lévis")
    account = personal(alice)
    client.force_login(alice.user)
    data = {"version": account.version, "option": "agence", "agency": reference["ise"].pk, "reception_mode": "telecommunication",
            "country": "CA", "line1": "1, rue des États", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5",
            "apply_to": [str(other.pk)]}
    assert client.post(reverse("comptes:edit_statement", args=[account.pk]), data).status_code == 302
    assert set(StatementSettings.objects.filter(agency=reference["ise"]).values_list("account", flat=True)) == {account.pk, other.pk}


def test_BEY_5_the_change_is_all_or_nothing(alice, reference, pay_calendar):
    other = factories.BillingAccountFactory(professional=alice, kind=AccountKind.INDIVIDUAL, number="A4", name="Lévis")
    account = personal(alice)
    with pytest.raises(CompanyAccountRefused):
        accounts.change_payment_of_accounts(
            targets=[(other, other.version), (account, account.version)], mode=PaymentMode.TRANSFER,
            bank=accounts.BankDetails(institution=reference["bmo"], transit="12345", account_number="1234567"),
            personal_account_confirmed=False, fresh_confirmation=True, by=None,
        )
    assert not PaymentSettings.objects.exists()


# --- MAN-1 ------------------------------------------------------------------------------------------------------


def test_MAN_1_an_agency_employee_is_named_with_the_agency_and_listed_per_account(client, alice, reference, agent):
    account = personal(alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandatary.objects.create(account=account, first_name="Julie", last_name="Roy", relation="employe_agence", recorded_at=clock.now())
    client.force_login(agent)
    response = client.post(reverse("admin:comptes_mandatary_add"), {
        "account": account.pk, "first_name": "Julie", "last_name": "Roy", "relation": "employe_agence", "agency": reference["atd"].pk,
    })
    assert response.status_code == 302
    assert Mandatary.objects.get().recorded_by == agent
    client.force_login(alice.user)
    assert "Julie Roy" in client.get(reverse("comptes:account", args=[account.pk])).content.decode()


@pytest.mark.parametrize("first_name, last_name, relation, agency, field", [
    ("Facturation", "Pro", "autre", None, "last_name"),            # the agency's name, split in two
    ("Julie", "FACTURATION PRO", "employe", None, "last_name"),   # the agency's name, any case
    ("Julie", "Roy", "employe_agence", None, "agency"),           # an agency employee without the agency
    ("Julie", "Roy", "conjoint", "atd", "agency"),                # a spouse tied to an agency
])
def test_STF_5_MAN_1_the_admin_add_form_refuses_what_the_paper_form_refuses_and_saves_nothing(
        client, alice, reference, agent, first_name, last_name, relation, agency, field):
    account = personal(alice)
    client.force_login(agent)
    response = client.post(reverse("admin:comptes_mandatary_add"), {
        "account": account.pk, "first_name": first_name, "last_name": last_name, "relation": relation,
        "agency": reference[agency].pk if agency else "",
    })
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Mandatary.objects.exists()


def test_MAN_1_the_service_refuses_an_agency_as_mandatary_whoever_calls_it(alice, reference, agent):
    with pytest.raises(mandataries.MandataryRefused) as refused:
        mandataries.record(account=personal(alice), first_name="", last_name="Regroupement", relation="autre", agency=None,
                           by=agent, reason="test")
    assert refused.value.errors == {"last_name": "Une agence ne peut pas être mandataire\u00a0: nommez la personne qui signera."}
    julie = mandataries.record(account=personal(alice), first_name="Julie", last_name="Roy", relation="employe_agence",
                               agency=reference["atd"], by=agent, reason="Formulaire 3005 accepté")
    assert julie.history.get().history_user == agent and not Mandatary.objects.exclude(pk=julie.pk).exists()


def test_CPT_3_alone_in_a_collective_account_the_address_goes_by_secure_message(client, alice, bob):
    collective = factories.BillingAccountFactory(professional=alice, kind=AccountKind.COLLECTIVE, number="C9", name="Groupe", group_number="500009")
    client.force_login(alice.user)
    data = {"country": "CA", "line1": "9, rue Neuve", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5",
            "date_of_change": clock.today().isoformat()}
    client.post(reverse("comptes:ask_collective_address", args=[collective.pk]), data)
    request = Request.objects.get(kind=CollectiveAddress.code)
    assert request.payload["line1"] == "9, rue Neuve" and request.status == RequestStatus.RECEIVED
    from comptes.models import AccountMembership

    AccountMembership.objects.create(account=collective, professional=bob, joined_at=clock.now())
    client.post(reverse("comptes:ask_collective_address", args=[collective.pk]), {**data, "line1": "10, rue Neuve"})
    assert Request.objects.filter(kind=CollectiveAddress.code).count() == 1  # with a second member: a signed letter


def test_BEY_4_wrong_passwords_typed_again_count_towards_the_lockout(client, alice, reference, pay_calendar, settings):
    from axes.models import AccessAttempt

    account = personal(alice)
    client.force_login(alice.user)
    data = {"version": account.version, "mode": "virement", "institution": reference["bmo"].pk, "transit": "12345",
            "account_number": "123456789", "personal_account_confirmed": "on", "password": "pas-le-bon"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("comptes:edit_payment", args=[account.pk]), data)
    assert AccessAttempt.objects.filter(username="alice").exists()
    data["password"] = factories.PASSWORD
    response = client.post(reverse("comptes:edit_payment", args=[account.pk]), data)
    assert response.status_code in (200, 429)
    assert not PaymentSettings.objects.exists()  # locked out: even the right password is refused now


def _raw_dump() -> str:
    """Every row of every table, read with plain SQL (what a raw database dump would show)."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(str(row) for row in cursor.fetchall())
    return "\n".join(rows)


def test_a_raw_dump_of_the_database_shows_no_bank_account_number_or_sin(client, alice, reference, pay_calendar, supervisor):
    pay_by_transfer(personal(alice), number="864209753")
    alice.sin = "130692544"
    alice.sin_last3 = "544"
    alice.save()
    dump = _raw_dump()
    assert "864209753" not in dump and "130692544" not in dump and "4209753" not in dump
    assert Professional.objects.get(pk=alice.pk).sin == "130692544"
    client.force_login(supervisor)
    page = client.get(reverse("admin:dossier_professional_change", args=[alice.pk])).content.decode()
    assert "••• ••• 544" in page and "130692544" not in page
    client.force_login(alice.user)
    assert "130692544" not in client.get(reverse("dossier:history")).content.decode()


def test_a_rotated_key_also_re_encrypts_sins(alice, settings):
    alice.sin = "130692544"
    alice.save()
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    crypto._fernet.cache_clear()
    assert Professional.objects.get(pk=alice.pk).sin == "130692544"
