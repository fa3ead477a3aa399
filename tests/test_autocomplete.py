"""Issue 15 (WCAG 1.3.5, identify input purpose): the telephone and cell fields say what they hold, so
that browsers fill them and phones show a telephone keypad."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _input(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert found, name
    return found.group(0)


def test_the_cell_and_telephone_fields_identify_their_purpose(client, alice, pay_calendar):
    client.force_login(alice.user)
    correspondence = client.get(reverse("dossier:edit_correspondence")).content.decode()
    assert 'autocomplete="mobile tel"' in _input(correspondence, "cell") and 'inputmode="tel"' in _input(correspondence, "cell")
    assert 'autocomplete="tel"' in _input(correspondence, "tel-0-number")
    practice = client.get(reverse("dossier:edit_practice")).content.decode()
    assert 'autocomplete="work tel"' in _input(practice, "lieu-0-main_telephone")
