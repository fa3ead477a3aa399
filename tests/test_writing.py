"""Issue 15: dates, amounts and "label: value" as the Régie writes them, in one place (ramq_portal/writing.py):
"1er septembre 2026" / "September 1, 2026", "1 369,68 $" / "$1,369.68", "Téléphone : …" / "Telephone: …"."""
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from notifications.models import Statement
from ramq_portal import clock, writing

NBSP = "\u00a0"
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
             "décembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
             "December"]


# --- dates -----------------------------------------------------------------------------------------

@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_long_date_in_french_writes_the_first_of_the_month_1er(day):
    with translation.override("fr"):
        text = writing.long_date(day)
    first = "1er" if day.day == 1 else str(day.day)
    assert text == f"{first} {MONTHS_FR[day.month - 1]} {day.year}"


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_long_date_in_english_is_month_day_comma_year(day):
    with translation.override("en"):
        assert writing.long_date(day) == f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def test_a_long_date_with_its_weekday_and_a_day_of_the_month():
    with translation.override("fr"):
        assert writing.long_date(date(2026, 9, 1), weekday=True) == "mardi 1er septembre 2026"
        assert writing.day_month(date(2026, 9, 1)) == "1er septembre"
    with translation.override("en"):
        assert writing.long_date(date(2026, 9, 1), weekday=True) == "Tuesday, September 1, 2026"
        assert writing.day_month(date(2026, 9, 1)) == "September 1"


def test_a_moment_is_dated_in_quebec_time():
    late_evening = datetime(2026, 9, 2, 3, 30, tzinfo=clock.UTC)  # 23:30 on September 1 in Québec
    with translation.override("fr"):
        assert writing.long_datetime(late_evening) == "1er septembre 2026, 23:30"
        assert writing.long_date(late_evening) == "1er septembre 2026"
    with translation.override("en"):
        assert writing.long_datetime(late_evening) == "September 1, 2026, 23:30"


def test_the_template_filters_are_built_in():
    template = Template('{{ day|long_date }} / {{ day|long_date:"weekday" }} / {{ day|day_month }} / {{ value|amount }}')
    context = Context({"day": date(2026, 9, 1), "value": Decimal("1369.68")})
    with translation.override("fr"):
        assert template.render(context) == f"1er septembre 2026 / mardi 1er septembre 2026 / 1er septembre / 1{NBSP}369,68{NBSP}$"
    with translation.override("en"):
        assert template.render(context) == "September 1, 2026 / Tuesday, September 1, 2026 / September 1 / $1,369.68"


# --- amounts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "french", "english"), [
    (Decimal("1369.68"), f"1{NBSP}369,68{NBSP}$", "$1,369.68"),
    (Decimal("1234567.89"), f"1{NBSP}234{NBSP}567,89{NBSP}$", "$1,234,567.89"),
    (Decimal("0"), f"0,00{NBSP}$", "$0.00"),
    (Decimal("-12.5"), f"-12,50{NBSP}$", "-$12.50"),
    (Decimal("999.995"), f"1{NBSP}000,00{NBSP}$", "$1,000.00"),
])
def test_an_amount_is_grouped_with_non_breaking_spaces_in_french(value, french, english):
    with translation.override("fr"):
        assert writing.amount(value) == french
    with translation.override("en"):
        assert writing.amount(value) == english


@given(cents=st.integers(min_value=-10**13, max_value=10**13))
def test_an_amount_reads_back_as_its_value_in_both_languages(cents):
    value = Decimal(cents) / 100
    french = writing.amount(value, language="fr")
    english = writing.amount(value, language="en")
    assert re.fullmatch(r"-?\d{1,3}(\u00a0\d{3})*,\d\d\u00a0\$", french)
    assert re.fullmatch(r"-?\$\d{1,3}(,\d{3})*\.\d\d", english)
    assert Decimal(french.replace(NBSP, "").replace("$", "").replace(",", ".")) == value
    assert Decimal(english.replace(",", "").replace("$", "")) == value


# --- "label: value" --------------------------------------------------------------------------------

def test_the_separator_is_a_non_breaking_space_and_a_colon_in_french_only():
    with translation.override("fr"):
        assert writing.labelled("Téléphone", "418 555-0100") == f"Téléphone{NBSP}: 418 555-0100"
    with translation.override("en"):
        assert writing.labelled("Telephone", "418 555-0100") == "Telephone: 418 555-0100"


def test_the_admin_shows_a_statement_balance_as_an_amount(client, supervisor, alice):
    statement = Statement.objects.create(account=alice.billing_accounts.first(), payment_date=date(2027, 5, 20),
                                         balance=Decimal("1369.68"), issued_at=clock.now())
    client.force_login(supervisor)
    for url in (reverse("admin:notifications_statement_changelist"), reverse("admin:notifications_statement_change", args=[statement.pk])):
        assert f"1{NBSP}369,68{NBSP}$" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "$1,369.68" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
