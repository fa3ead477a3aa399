"""A `<select>` that renders its options without a template per option.

Django renders each `<option>` of a Select through a widget template (and an include for its
attributes): about 4 template renders per option. An address form's country list has 249 options,
and a page may hold several address forms (correspondence address, each place of practice, each
account's address), so that up to 29,000 template renders went into one page, 70-80% of its cost.

`FastSelect` writes the same HTML with string joins: the `<select>` element's attributes are those
Django would write (`build_attrs`, then `renderers.attributes`: in order, False dropped, True bare), each
option is `<option value="…">label</option>` with ` selected` on the chosen one, values and labels
escaped. The escaped option list of a choice set is built once per language and kept (the countries'
names depend on the language, so the key holds the active language). Grouped choices, and multiple
selection, go through Django's own rendering.

A named choice set never changes, so the forms built from a form class share its list: each form's
copy of the widget (and of its field, `FixedChoices`) keeps the very list instead of copying and
normalizing the 249 countries again for every address form of a page.
"""
from __future__ import annotations

import copy

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ramq_portal.renderers import attributes

_OPTIONS: dict[tuple, tuple[tuple[str, str], ...]] = {}


def _escaped_options(choices, cache_key) -> tuple[tuple[str, str], ...] | None:
    """((escaped value, escaped label), ...), or None for grouped choices."""
    key = (cache_key, get_language()) if cache_key is not None else None
    if key is not None and key in _OPTIONS:
        return _OPTIONS[key]
    options = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            return None
        options.append((str(conditional_escape("" if value is None else value)), str(conditional_escape(label))))
    options = tuple(options)
    if key is not None:
        _OPTIONS[key] = options
    return options


class FastSelect(forms.Select):
    """A Select rendered without templates. `cache_key` names a choice set that never changes
    (besides its language), such as the countries: its escaped options are then built once."""

    def __init__(self, attrs=None, choices=(), cache_key: str | None = None):
        super().__init__(attrs, choices)
        self.cache_key = cache_key

    def __deepcopy__(self, memo):
        if self.cache_key is None:
            return super().__deepcopy__(memo)
        obj = copy.copy(self)  # Django's own copy, but for the choices: shared, never changed in place
        obj.attrs = self.attrs.copy()
        memo[id(self)] = obj
        return obj

    def render(self, name, value, attrs=None, renderer=None):
        options = None if self.allow_multiple_selected else _escaped_options(self.choices, self.cache_key)
        if options is None:
            return super().render(name, value, attrs, renderer)
        selected = self.format_value(value)
        chosen = str(conditional_escape(selected[0])) if selected else None
        final_attrs = self.build_attrs(self.attrs, attrs)
        parts = [f'<select name="{conditional_escape(name)}"{attributes(final_attrs)}>']
        found = False
        for option_value, label in options:
            if not found and option_value == chosen:
                found = True  # only the first match is selected, as Django does for a single select
                parts.append(f'<option value="{option_value}" selected>{label}</option>')
            else:
                parts.append(f'<option value="{option_value}">{label}</option>')
        parts.append("</select>")
        return mark_safe("\n".join(parts))


class FixedChoices:
    """The mixin of a choice field whose choices never change (the one a FastSelect with a `cache_key`
    shows): the forms built from its form class share its list instead of each deep-copying it."""

    def __deepcopy__(self, memo):
        memo[id(self._choices)] = self._choices  # deepcopy returns what the memo holds: the list itself
        return super().__deepcopy__(memo)
