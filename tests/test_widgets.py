"""ramq_portal.widgets.FastSelect writes the HTML Django's Select writes, without a template per option."""
from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.forms import AddressForm
from ramq_portal import widgets
from ramq_portal.widgets import FastSelect

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
choices = st.lists(st.tuples(text, text), max_size=8, unique_by=lambda pair: pair[0])


@settings(max_examples=200, deadline=None)
@given(choices=choices, value=st.one_of(st.none(), text), attrs=st.dictionaries(
    st.sampled_from(["id", "autocomplete", "aria-describedby", "class"]), text, max_size=3), required=st.booleans())
def test_fast_select_renders_what_djangos_select_renders(choices, value, attrs, required):
    attrs = {**attrs, "required": required}
    values = [choice[0] for choice in choices]
    if value is None and values:
        value = values[0]
    expected = forms.Select(choices=choices).render("pays", value, attrs=attrs)
    rendered = FastSelect(choices=choices).render("pays", value, attrs=attrs)
    assert parse_html(rendered) == parse_html(expected)


def test_fast_select_keeps_grouped_choices_to_django():
    grouped = [("Canada", [("QC", "Québec"), ("ON", "Ontario")]), ("FR", "France")]
    assert parse_html(FastSelect(choices=grouped).render("lieu", "ON")) == parse_html(forms.Select(choices=grouped).render("lieu", "ON"))


@pytest.mark.parametrize("language, canada", [("fr", ">Canada<"), ("en", ">Canada<")])
def test_the_country_list_is_built_once_per_language_and_marks_the_chosen_country(language, canada):
    widgets._OPTIONS.clear()
    with translation.override(language):
        first = str(AddressForm(initial={"country": "FR"})["country"])
        assert (("countries", language)) in widgets._OPTIONS
        second = str(AddressForm(initial={"country": "CA"})["country"])
    assert first.count("<option") == second.count("<option") > 240
    assert '<option value="FR" selected>' in first and '<option value="CA" selected>' in second
    assert canada in second and 'autocomplete="country"' in second
