"""Opening a file (DOS-1..3): numbers, the reference number kept only as a hash, letters, personal account."""
import hashlib
from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from comptes.constants import AccountKind
from comptes.models import BillingAccount
from dossier import numbers, services
from dossier.addresses import AddressInput
from dossier.exceptions import LicenceAlreadyOnFile
from dossier.models import Profession, Professional
from ramq_portal import clock

pytestmark = pytest.mark.django_db

ADDRESS = AddressInput(line1="1200, rue Saint-Jean", city="Québec", province="QC", postal_code="G1R 1S2")


def open_dentist(licence="12345", **overrides):
    kwargs = dict(
        profession=Profession.objects.get(code="chirurgien-dentiste"), licence_number=licence, last_name="Tremblay",
        first_name="Alice", birth_date=date(1985, 3, 14), language="fr", address=ADDRESS, opened_by=None,
    )
    kwargs.update(overrides)
    return services.open_file(**kwargs)


@given(digit=st.sampled_from("0123456789"), licence=st.from_regex(r"\A[0-9]{5}\Z"))
def test_DOS_1_professional_number_is_profession_digit_licence_and_check_digit(digit, licence):
    number = numbers.professional_number(profession_digit=digit, licence_number=licence)
    assert len(number) == 7 and number[0] == digit and number[1:6] == licence
    assert numbers.is_valid_professional_number(number)
    wrong = number[:6] + str((int(number[6]) + 1) % 10)
    assert not numbers.is_valid_professional_number(wrong)


@given(licence=st.text(max_size=8))
def test_DOS_1_a_licence_number_that_is_not_5_digits_is_refused(licence):
    if len(licence) == 5 and licence.isdigit() and licence.isascii():
        return
    with pytest.raises(ValueError, match="the licence number is 5 digits"):
        numbers.professional_number(profession_digit="2", licence_number=licence)


def test_DOS_1_professions_are_data_with_their_digit():
    codes = dict(Profession.objects.values_list("code", "number_digit"))
    assert codes == {"chirurgien-dentiste": "2", "chirurgien-buccal": "2", "optometriste": "6"}


def test_DOS_2_opening_a_file_creates_the_numbers_and_keeps_only_a_hash_of_the_reference():
    opened = open_dentist()
    professional = Professional.objects.get(pk=opened.professional.pk)
    assert professional.professional_number == numbers.professional_number(profession_digit="2", licence_number="12345")
    reference = opened.reference_number
    assert len(numbers.normalize_reference_number(reference)) == 12
    normalized = numbers.normalize_reference_number(reference)
    assert professional.reference_number_hash == hashlib.sha256(normalized.encode()).hexdigest()
    stored = " ".join(str(v) for v in Professional.objects.filter(pk=professional.pk).values().first().values())
    assert normalized not in stored and reference not in stored


def test_DOS_2_reference_numbers_are_random():
    assert len({numbers.new_reference_number() for _ in range(200)}) == 200


def test_DOS_2_the_same_licence_cannot_be_opened_twice():
    open_dentist()
    with pytest.raises(LicenceAlreadyOnFile):
        open_dentist(first_name="Autre")
    assert Professional.objects.count() == 1


@pytest.mark.dates  # the opening day is a Québec date
def test_DOS_2_the_correspondence_address_is_in_force_from_the_opening():
    professional = open_dentist().professional
    address = professional.correspondence_addresses.get()
    assert address.line1 == ADDRESS.line1 and address.effective_from == clock.quebec_date(professional.opened_at)


def test_DOS_3_the_personal_account_is_created_with_the_file():
    professional = open_dentist().professional
    account = BillingAccount.objects.get(professional=professional)
    assert account.kind == AccountKind.PERSONAL
    assert account.number == professional.professional_number


def test_DOS_3_a_failed_opening_leaves_no_account_behind():
    open_dentist()
    with pytest.raises(LicenceAlreadyOnFile):
        open_dentist()
    assert BillingAccount.objects.count() == 1


def test_DOS_2_reissuing_a_reference_number_kills_the_previous_one():
    opened = open_dentist()
    new = services.issue_reference_number(professional=opened.professional, issued_by=None)
    professional = Professional.objects.get(pk=opened.professional.pk)
    assert professional.reference_number_hash == numbers.hash_reference_number(new)
    assert professional.reference_number_hash != numbers.hash_reference_number(opened.reference_number)


# --- in the admin --------------------------------------------------------------------------------------

FORM = {
    "profession": "", "licence_number": "54321", "last_name": "Lavoie", "first_name": "Marie", "birth_date": "1990-04-02",
    "remuneration_mode": "acte", "language": "fr", "line1": "10, rue du Fort", "line2": "", "city": "Québec",
    "province": "QC", "postal_code": "G1R 3Z8",
}


def _form():
    return {**FORM, "profession": str(Profession.objects.get(code="chirurgien-dentiste").pk)}


def test_DOS_2_an_agent_opens_a_file_and_gets_both_letters_to_print(client, agent):
    client.force_login(agent)
    response = client.post(reverse("admin:dossier_professional_open"), _form())
    assert response.status_code == 200
    page = response.content.decode()
    professional = Professional.objects.get(licence_number="54321")
    assert page.count('class="letter"') == 2
    assert professional.professional_number in page
    assert "10, rue du Fort" in page and "Québec (QC)  G1R 3Z8" in page
    assert "numéro de référence" in page
    # The printed reference number matches the stored hash.
    printed = [line for line in page.splitlines() if 'class="number"' in line][1]
    printed_number = printed.split(">")[1].split("<")[0]
    assert numbers.hash_reference_number(printed_number) == professional.reference_number_hash
    assert professional.history.first().history_user == agent


def test_DOS_2_bad_input_in_the_opening_form_saves_nothing(client, agent):
    client.force_login(agent)
    response = client.post(reverse("admin:dossier_professional_open"), {**_form(), "licence_number": "12", "postal_code": "ABC"})
    assert response.status_code == 200
    assert "Le numéro de permis compte 5 chiffres." in response.content.decode()
    assert not Professional.objects.exists()


def test_DOS_2_a_licence_already_on_file_is_reported_next_to_the_field(client, agent):
    client.force_login(agent)
    client.post(reverse("admin:dossier_professional_open"), _form())
    response = client.post(reverse("admin:dossier_professional_open"), _form())
    assert "Un dossier existe déjà pour ce numéro de permis" in response.content.decode()
    assert Professional.objects.count() == 1


def test_DOS_2_the_number_letter_can_be_reprinted_without_the_reference(client, agent, alice):
    client.force_login(agent)
    page = client.get(reverse("admin:dossier_professional_number_letter", args=[alice.pk])).content.decode()
    assert alice.professional_number in page and page.count('class="letter"') == 1


def test_DOS_2_reissuing_from_the_admin_needs_a_post_and_shows_the_new_letter(client, agent):
    opened = open_dentist()
    client.force_login(agent)
    url = reverse("admin:dossier_professional_reissue_reference", args=[opened.professional.pk])
    assert client.get(url).status_code == 200
    before = Professional.objects.get(pk=opened.professional.pk).reference_number_hash
    assert Professional.objects.get(pk=opened.professional.pk).reference_number_hash == before
    response = client.post(url)
    assert response.status_code == 200
    assert Professional.objects.get(pk=opened.professional.pk).reference_number_hash != before


def test_DOS_2_an_enrolled_professional_gets_no_new_reference_number(client, agent, alice):
    client.force_login(agent)
    before = alice.reference_number_hash
    response = client.post(reverse("admin:dossier_professional_reissue_reference", args=[alice.pk]))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.reference_number_hash == before
