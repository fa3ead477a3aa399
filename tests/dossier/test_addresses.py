"""The address value object (dossier.addresses): one way to read, write, compare and print an address."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dossier.addresses import FIELDS, AddressInput
from dossier.models import CorrespondenceAddress, PlaceOfPractice

TEXT = st.text(alphabet=st.characters(categories=("L", "N", "Zs")), max_size=30).map(str.strip)
ADDRESSES = st.builds(AddressInput, line1=TEXT, city=TEXT, line2=TEXT, province=st.sampled_from(["", "QC", "ON"]),
                      postal_code=st.sampled_from(["", "G1R 2B5"]), region=TEXT, country=st.sampled_from(["CA", "FR", "US"]))


@given(ADDRESSES)
def test_PRO_7_an_address_survives_a_payload_and_a_row_unchanged(address):
    assert AddressInput.from_data(address.as_dict()) == address
    row = PlaceOfPractice()
    address.write_to(row)
    assert AddressInput.of(row) == address
    assert address.matches(row)


@given(ADDRESSES)
def test_PRO_7_an_address_prints_as_its_row_prints(address):
    row = CorrespondenceAddress()
    address.write_to(row)
    assert address.lines() == row.lines()


def test_PRO_7_addresses_differing_by_one_field_do_not_match():
    address = AddressInput(line1="1200, rue Saint-Jean", city="Québec", province="QC", postal_code="G1R 1S2")
    row = CorrespondenceAddress()
    address.write_to(row)
    for name in FIELDS:
        other = AddressInput.from_data({**address.as_dict(), name: "X" if name != "country" else "FR"})
        assert not other.matches(row), name
    assert not address.matches(None)


def test_PRO_7_an_address_abroad_prints_its_country_in_capitals_and_a_blank_country_means_canada():
    abroad = AddressInput.from_data({"line1": "10, rue de Rivoli", "city": "Paris", "region": "75001", "country": "FR"})
    assert abroad.lines() == ["10, rue de Rivoli", "Paris 75001", "FRANCE"]
    assert AddressInput.from_data({"line1": " 1, rue A ", "city": "Québec", "province": "QC", "postal_code": "G1R 2B5"}).lines() == [
        "1, rue A", "Québec (QC)  G1R 2B5"]
