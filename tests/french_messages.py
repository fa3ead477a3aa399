"""What "in French" means for the fuzz tests of the forms.

A rendered error must be an instance of a known French message: Django's and phonenumber_field's French
catalogues (msgstr) and the app's own messages (the msgids of locale/en, which are French). Placeholders
match anything. And it must contain no English message of those catalogues (msgids, the app's msgstr).
"""
import re
from pathlib import Path

import django
import phonenumber_field
import polib
from django.conf import settings as django_settings

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w+\}")


def _catalogues():
    django_fr = Path(django.__file__).parent / "conf" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    phone_fr = Path(phonenumber_field.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    app_en = Path(django_settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    french, english = [], []
    for path in (django_fr, phone_fr):
        for entry in polib.pofile(str(path)):
            french += [entry.msgstr, *entry.msgstr_plural.values()]
            english += [entry.msgid, entry.msgid_plural]
    for entry in polib.pofile(str(app_en)):
        french += [entry.msgid, entry.msgid_plural]
        english += [entry.msgstr, *entry.msgstr_plural.values()]
    return [m for m in french if m], [m for m in english if m]


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _french_pattern(french):
    branches = set()
    for message in french:
        message = _collapse(message)
        literal = _PLACEHOLDER.sub("", message)
        if len(literal.strip()) < 8:  # "%(value)s" alone would match anything
            continue
        parts = _PLACEHOLDER.split(message)
        # A placeholder also absorbs the spaces around it: an empty or blank value collapses them.
        branches.add(r"\s*.*?\s*".join(re.escape(p.strip(" ")) for p in parts))
    # In the error summary a field's message is preceded by its label: "Label : message".
    return re.compile(r"(?:.+ : )?(?:" + "|".join(sorted(branches)) + ")", re.DOTALL)


def _english_markers(english, french_pattern):
    markers = set()
    for message in english:
        head = _collapse(_PLACEHOLDER.split(message)[0])
        if len(head) >= 15 and not french_pattern.fullmatch(head):
            markers.add(head)
    return sorted(markers | {"This field is required", "Enter a valid", "Ensure this value", "Select a valid choice",
                             "ManagementForm data", "Please submit", "Null characters are not allowed"})


_FRENCH_MESSAGES, _ENGLISH_MESSAGES = _catalogues()
FRENCH_MESSAGE = _french_pattern(_FRENCH_MESSAGES)
ENGLISH_MARKERS = _english_markers(_ENGLISH_MESSAGES, FRENCH_MESSAGE)
