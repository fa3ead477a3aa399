"""Issue 16: an obviously invalid social insurance number is refused, by the service itself (every
door) and next to the field: a check digit that passes is not enough (000 000 000 passes it)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from dossier import numbers, services

pytestmark = pytest.mark.django_db

BODIES = st.text("0123456789", min_size=8, max_size=8)


@given(BODIES)
def test_a_sin_is_plausible_exactly_when_its_check_digit_passes_and_its_first_digit_is_in_use(body):
    sin = body + luhn.calc_check_digit(body)
    assert numbers.is_plausible_sin(sin) == (sin[0] not in "08")
    wrong = body + str((int(luhn.calc_check_digit(body)) + 1) % 10)
    assert not numbers.is_plausible_sin(wrong)


@given(st.text(max_size=12))
def test_anything_but_nine_digits_is_not_a_sin(text):
    if not (len(text) == 9 and text.isascii() and text.isdigit()):
        assert not numbers.is_plausible_sin(text)


@pytest.mark.parametrize("sin", ["000 000 000", "046 454 286", "800 000 002", "130 692 545"])
def test_the_service_refuses_an_implausible_sin_whatever_the_door(alice, sin):
    with pytest.raises(ValueError, match="social insurance number"):
        services.set_sin(professional=alice, sin=sin, by=None)
    alice.refresh_from_db()
    assert alice.sin == ""


def test_the_service_keeps_a_plausible_sin(alice):
    assert services.set_sin(professional=alice, sin="130 692 544", by=None)
    alice.refresh_from_db()
    assert alice.sin == "130692544" and alice.sin_last3 == "544"
