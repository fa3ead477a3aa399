"""One postal address as a value (PRO-7: Canadian by default, or abroad): its fields, how it is read from a
row or a form's data, written to a row, compared, and printed line by line on an envelope. Every place
that takes, stores or shows an address goes through it, instead of repeating the field names."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.translation import get_language
from django_countries import countries

# The address fields, in the order they are printed and stored (dossier.models.PostalAddress).
FIELDS = ("line1", "line2", "city", "province", "postal_code", "region", "country")


def envelope_lines(address) -> list[str]:
    """The address as printed on an envelope, line by line: of a row or of an AddressInput."""
    lines = [address.line1]
    if address.line2:
        lines.append(address.line2)
    country = str(address.country or "CA")
    if country == "CA":
        lines.append(f"{address.city} ({address.province})  {address.postal_code}".strip())
    else:
        lines.append(" ".join(part for part in (address.city, address.region) if part))
        lines.append(str(countries.name(country) or country).upper())
    return lines


_COUNTRY_CHOICES: dict[str, list[tuple[str, str]]] = {}


def country_choices() -> list[tuple[str, str]]:
    """The countries of an address's `<select>`, named and sorted in the active language (issue 15: a
    list taken at import was French on English pages). Forms pass the function itself as their choices,
    so that each iteration asks for the page's language; each language's list is built once and shared
    by every form (ramq_portal.widgets.FastSelect keeps its escaped options per language as well)."""
    language = get_language() or settings.LANGUAGE_CODE
    choices = _COUNTRY_CHOICES.get(language)
    if choices is None:
        choices = _COUNTRY_CHOICES[language] = [(code, str(name)) for code, name in countries]
    return choices


@dataclass(frozen=True)
class AddressInput:
    line1: str
    city: str
    line2: str = ""
    province: str = ""
    postal_code: str = ""
    region: str = ""
    country: str = "CA"

    @classmethod
    def of(cls, row) -> AddressInput:
        """The address of a row that has the address fields (a correspondence address, a statement
        address, a place of practice, an agency)."""
        return cls(**{name: str(getattr(row, name) or "") for name in FIELDS})

    @classmethod
    def from_data(cls, data: Mapping) -> AddressInput:
        """The address of a form's cleaned data or a request's payload, as written (abroad too)."""
        values = {name: str(data.get(name) or "").strip() for name in FIELDS}
        values["country"] = values["country"] or "CA"
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        """The fields by name: for a request's payload, a form's initial data, a row's constructor."""
        return asdict(self)

    def write_to(self, row) -> None:
        """Set the address fields of a row (not saved)."""
        for name, value in self.as_dict().items():
            setattr(row, name, value)

    def matches(self, row) -> bool:
        """Whether a row holds this very address (None holds none)."""
        return row is not None and AddressInput.of(row) == self

    def lines(self) -> list[str]:
        return envelope_lines(self)

    def __str__(self) -> str:
        return ", ".join(self.lines())
