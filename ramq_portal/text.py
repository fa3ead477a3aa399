"""Free text as the Régie prints, reads and shows it (issue 16): no control character, no invisible or
bidirectional formatting character (ESC, U+202E that reverses the text after it, zero-width spaces,
line or paragraph separators, private-use characters). Typed into an address, a place's name or a
message, they would reach the print queue and the agents' screens, where they hide or disguise text.

`PlainTextForm` is the base of the portal's forms (the professional's, the wizard's, the paper forms
staff enter): every text field of a form refuses them, next to the field, in the page's language; a
multi-line field (a message) keeps its line breaks and tabs. The admin's model forms get the same
validator (ramq_portal.history.MaskedHistoryAdmin). Passwords and hidden fields are left alone.
"""
from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Control (Cc), format (Cf: bidi controls, zero-width characters), surrogate (Cs), private use (Co),
# and the line and paragraph separators (Zl, Zp). Not "unassigned" (Cn): a character newer than this
# Python's Unicode tables (a recent letter or emoji) is not refused for that.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
LINE_BREAKS = frozenset("\n\r\t")


def invisible_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The characters of `value` that a free-text field refuses, in order."""
    return [ch for ch in value if unicodedata.category(ch) in REFUSED_CATEGORIES and not (multiline and ch in LINE_BREAKS)]


@deconstructible
class PlainTextValidator:
    message = _("Ce champ contient un caractère invisible ou de contrôle (%(characters)s) : retirez-le, puis envoyez de nouveau.")
    code = "invisible_character"

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        found = invisible_characters(str(value), multiline=self.multiline)
        if found:
            names = ", ".join(dict.fromkeys(f"U+{ord(ch):04X}" for ch in found))
            raise ValidationError(self.message, code=self.code, params={"characters": names})

    def __eq__(self, other) -> bool:
        return isinstance(other, PlainTextValidator) and other.multiline == self.multiline


def guard(field: forms.Field) -> forms.Field:
    """Give a text field the validator (once); passwords and hidden fields are left alone."""
    if isinstance(field, forms.CharField) and not isinstance(field.widget, (forms.PasswordInput, forms.HiddenInput)):
        if not any(isinstance(validator, PlainTextValidator) for validator in field.validators):
            field.validators.append(PlainTextValidator(multiline=isinstance(field.widget, forms.Textarea)))
    return field


class PlainTextForm(forms.Form):
    def full_clean(self):
        for field in self.fields.values():  # here, so that fields a form adds in its __init__ are guarded too
            guard(field)
        super().full_clean()
