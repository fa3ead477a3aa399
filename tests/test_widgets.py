"""ramq_portal.widgets.FastSelect writes the HTML Django's Select writes, without a template per option."""
from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.test.html import parse_html
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.forms import AddressForm
from ramq_portal import widgets
from ramq_portal.renderers import FastTemplatesSetting
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


# --- ramq_portal.renderers.FastTemplatesSetting -------------------------------------------------------

attr_values = st.one_of(st.booleans(), text, st.integers())
widget_attrs = st.dictionaries(st.sampled_from(["id", "required", "autocomplete", "aria-describedby", "aria-invalid", "maxlength",
                                                "checked", "inputmode", "class", "disabled"]), attr_values, max_size=5)
plain_widgets = [forms.TextInput, forms.EmailInput, forms.NumberInput, forms.PasswordInput, forms.HiddenInput, forms.URLInput,
                 forms.DateInput, forms.TimeInput, forms.DateTimeInput, forms.CheckboxInput, forms.Textarea]


@settings(max_examples=300, deadline=None)
@given(widget=st.sampled_from(plain_widgets), value=st.one_of(st.none(), text, st.booleans(), st.integers()), attrs=widget_attrs)
def test_the_fast_renderer_writes_byte_for_byte_what_the_widget_templates_write(widget, value, attrs):
    instance = widget(attrs=attrs)
    assert instance.render("champ", value, renderer=FastTemplatesSetting()) == instance.render("champ", value, renderer=TemplatesSetting())


def test_the_fast_renderer_is_the_forms_renderer_and_leaves_other_templates_to_django():
    renderer = get_default_renderer()
    assert isinstance(renderer, FastTemplatesSetting)
    assert "django/forms/widgets/text.html" in renderer._fast and "django/forms/widgets/select.html" not in renderer._fast
    radios = forms.RadioSelect(choices=[("a", "Un"), ("b", "Deux")]).render("choix", "b", renderer=renderer)
    assert 'value="b"' in radios and "checked" in radios


def test_forms_share_a_fixed_choice_set_and_still_change_their_own_fields_alone():
    first, second = AddressForm(), AddressForm()
    for name in ("country", "province"):
        field = AddressForm.base_fields[name]
        assert first.fields[name]._choices is field._choices and first.fields[name].widget.choices is field.widget.choices
        assert first.fields[name] is not second.fields[name] and first.fields[name].widget is not second.fields[name].widget
    first.fields["province"].choices = [("QC", "Québec")]
    first.fields["country"].widget.attrs["class"] = "court"
    assert len(second.fields["province"].choices) == len(AddressForm.base_fields["province"].choices) > 1
    assert len(second.fields["province"].widget.choices) > 1 and "class" not in second.fields["country"].widget.attrs
    assert parse_html(second["country"].as_widget()) == parse_html(AddressForm()["country"].as_widget())
