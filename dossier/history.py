"""BEY-6: the professional's own history, from django-simple-history's records (one query per kind of
record, whatever the size of the file)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from dossier.dated import IN_FORCE_REASON
from dossier.models import CorrespondenceAddress, CorrespondencePreference, PlaceOfPractice, Professional, Telephone

LIMIT = 200
HIDDEN = {
    "id", "professional", "recorded_at", "cancelled_at", "in_force_recorded_at", "opened_at", "user",
    "reference_number_issued_at", "reference_number_used_at", "email_activated_at", "cell_confirmed_at", "sin", "sin_last3",
}
SOURCES = [
    (Professional, "id"),
    (CorrespondenceAddress, "professional_id"),
    (Telephone, "professional_id"),
    (PlaceOfPractice, "professional_id"),
    (CorrespondencePreference, "professional_id"),
]


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    when: datetime
    what: str
    reason: str
    who: str
    changes: list[Change]


def _display(field, value) -> str:
    if value in (None, ""):
        return "—"
    choices = dict(field.flatchoices) if field.choices else None
    return str(choices.get(value, value)) if choices else str(value)


def _who(record, professional: Professional) -> str:
    if record.history_user_id is None:
        return _("La Régie (automatiquement)") if record.history_change_reason == IN_FORCE_REASON else _("La Régie")
    if record.history_user_id == professional.user_id:
        return _("Vous")
    return _("La Régie (un agent)")


def entries_for(professional: Professional) -> list[Entry]:
    entries: list[Entry] = []
    for model, key in SOURCES:
        fields = [f for f in model._meta.concrete_fields if f.name not in HIDDEN and not f.name.endswith("_version")]
        records = list(model.history.filter(**{key: professional.pk}).order_by("id", "history_date", "history_id")[: LIMIT * 2])
        previous_by_object: dict[int, object] = {}
        for record in records:
            before = previous_by_object.get(record.id)
            changes = []
            for field in fields:
                new = getattr(record, field.attname, None)
                old = getattr(before, field.attname, None) if before is not None else None
                if record.history_type == "-" or (before is not None and old == new):
                    continue
                if before is None and new in (None, "", False):
                    continue
                changes.append(Change(str(field.verbose_name).capitalize(), _display(field, old) if before else "—", _display(field, new)))
            previous_by_object[record.id] = record
            if record.history_type == "~" and not changes and not record.history_change_reason:
                continue
            what = str(model._meta.verbose_name).capitalize()
            if record.history_type == "+":
                what = _("%(what)s : ajout") % {"what": what}
            elif record.history_type == "-":
                what = _("%(what)s : retrait") % {"what": what}
            entries.append(Entry(record.history_date, what, record.history_change_reason or "", _who(record, professional), changes))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:LIMIT]
