"""BEY-6: the professional's own history, from django-simple-history's records, newest first, a page
at a time.

The records of every source (SOURCES: a kind of row of the file) are merged by date, newest first; ties
go in the order of SOURCES, then newest record first. A page starts after a position in that order (a
record: its date, source and id), written in the page's links, so that a deep page costs what the
first one does: each source reads only the records past that position, newest first, through the index
(owner, history_date, history_id) of ramq_portal.records, and the previous version of each of them
(the "old" side of a change) through the index (id, history_date, history_id), in one query per source
whatever the size of the file.

A record that changes nothing shown and has no reason (a save that only touched a hidden field) is not
an entry; each source reads PAGE_SIZE + 1 + SLACK records, so that a page skips up to SLACK of them and
still fills in one query per source. A page that skips more reads on (one more query per source, as
often as needed): a page is never short while older entries remain.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from operator import attrgetter

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from dossier.dated import IN_FORCE_REASON
from dossier.models import CorrespondenceAddress, CorrespondencePreference, PlaceOfPractice, Professional, Telephone
from ramq_portal import writing

PAGE_SIZE = 25
SLACK = 15
HIDDEN = {
    "id", "professional", "recorded_at", "cancelled_at", "in_force_recorded_at", "opened_at", "user", "reference_number_hash",
    "reference_number_issued_at", "reference_number_used_at", "email_activated_at", "cell_confirmed_at", "sin", "sin_last3",
    # The rows of an account: the entry names the account; a bank account number is never shown (its last
    # digits are, masked: MASKED).
    "account", "updated_at", "recorded_by", "bank_account", "version",
}
# Fields shown masked: their value is the last digits of a number kept encrypted.
MASKED = {"bank_account_last3"}


@dataclass(frozen=True)
class Source:
    """A kind of row whose history the professional sees.

    `model` keeps its history with ramq_portal.records.IndexedHistoricalRecords; `key` is the field of
    its historical records that holds the professional's id, indexed with history_date and history_id
    (`owner=` there, or the id itself for the professional's own row); `name` is its stable name in the
    page links.
    """

    name: str
    model: type[models.Model]
    key: str
    # What the entries of a row name besides its kind (the account it belongs to...), from a record
    # whose `related` fields are loaded with it.
    subject: Callable[[models.Model], str] | None = None
    related: tuple[str, ...] = ()


SOURCES: list[Source] = [
    Source("professional", Professional, "id"),
    Source("address", CorrespondenceAddress, "professional_id"),
    Source("telephone", Telephone, "professional_id"),
    Source("place", PlaceOfPractice, "professional_id"),
    Source("preference", CorrespondencePreference, "professional_id"),
]


def register(source: Source) -> None:
    """Show another kind of row in the history (an app's AppConfig.ready()); its ties come after those
    of the sources before it."""
    if any(known.name == source.name for known in SOURCES):
        raise ValueError(f"a history source is already named {source.name!r}")
    SOURCES.append(source)


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


@dataclass(frozen=True)
class Page:
    """Entries, newest first. `newer` and `older` name the positions the links to the neighbouring pages
    start from: None when there is no such page, "" for the first page (a link without position)."""

    entries: list[Entry]
    number: int
    newer: str | None
    older: str | None


# --- Positions in the history -----------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class _Position:
    """A record's place in the history: newer is greater."""

    when: datetime
    rank: int  # the source's index in SOURCES
    history_id: int

    @property
    def order(self) -> tuple:
        return (self.when, -self.rank, self.history_id)

    def token(self) -> str:
        return f"{(self.when - _EPOCH) // _MICROSECOND}.{SOURCES[self.rank].name}.{self.history_id}"

    @classmethod
    def parse(cls, token: str | None) -> _Position | None:
        """The position a page link names, or None when the link is not one (edited by hand)."""
        microseconds, _dot, rest = (token or "").partition(".")
        name, _dot, history_id = rest.partition(".")
        ranks = {source.name: rank for rank, source in enumerate(SOURCES)}
        if name not in ranks or not microseconds.isdigit() or not history_id.isdigit():
            return None
        try:
            when = _EPOCH + int(microseconds) * _MICROSECOND
        except OverflowError:
            return None
        return cls(when, ranks[name], int(history_id))


def _past(rank: int, position: _Position, *, older: bool) -> Q:
    """The records of source `rank` past `position`, older (or newer) than it. The date bound comes
    first so that the index scan starts at the position, however deep the page."""
    if older:
        if rank > position.rank:
            return Q(history_date__lte=position.when)
        if rank < position.rank:
            return Q(history_date__lt=position.when)
        return Q(history_date__lte=position.when) & (Q(history_date__lt=position.when) | Q(history_id__lt=position.history_id))
    if rank < position.rank:
        return Q(history_date__gte=position.when)
    if rank > position.rank:
        return Q(history_date__gt=position.when)
    return Q(history_date__gte=position.when) & (Q(history_date__gt=position.when) | Q(history_id__gt=position.history_id))


def _is_past(position: _Position, after: _Position | None, *, older: bool) -> bool:
    if after is None:
        return True
    return position.order < after.order if older else position.order > after.order


# --- Reading the records --------------------------------------------------------------------------------


def _records(rank: int, professional: Professional, after: _Position | None, *, older: bool, limit: int) -> list:
    """The `limit` records of a source nearest past `after` (newest first if `older`), with the previous
    version of each of them, in one query (the extra records are older than all of those).

    The records past the position come from a sliced subquery, their previous versions from a subquery
    per record; both go through one IN (… UNION ALL …), which the database answers through the primary
    key (an OR of two INs would scan the table)."""
    source = SOURCES[rank]
    history = source.model.history
    window = history.filter(**{source.key: professional.pk})
    if after is not None:
        window = window.filter(_past(rank, after, older=older))
    window = window.order_by(*(("-history_date", "-history_id") if older else ("history_date", "history_id")))[:limit]
    previous = (
        history.filter(id=OuterRef("id"), history_date__lte=OuterRef("history_date"))
        .filter(Q(history_date__lt=OuterRef("history_date")) | Q(history_id__lt=OuterRef("history_id")))
        .order_by("-history_date", "-history_id").values("history_id")[:1]
    )
    # SQLite refuses LIMIT inside a UNION: each side filters on the sliced window instead.
    in_window = history.filter(history_id__in=window.values("history_id")).order_by()
    wanted = in_window.values("history_id").union(in_window.annotate(previous=Subquery(previous)).values("previous"), all=True)
    return list(history.filter(history_id__in=wanted).select_related(*source.related).order_by())


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN and not f.name.endswith("_version")]


class _Names:
    """The names of the rows a page's records point to (a profession, an institution, an agency): one
    query per kind of row and page, for the ids the page shows."""

    def __init__(self):
        self._known: dict[tuple, str] = {}

    def of(self, model, pk) -> str:
        if (model, pk) not in self._known:
            row = model._default_manager.filter(pk=pk).first()
            self._known[(model, pk)] = str(row) if row is not None else "—"
        return self._known[(model, pk)]


def _display(field, value, names: _Names) -> str:
    """A value as the professional reads it: labels of choices, names of related rows, dates in words,
    yes or no; never an id, a raw boolean or a timestamp."""
    if value in (None, ""):
        return "—"
    if field.name in MASKED:
        return f"•••{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Oui") if value else _("Non")
    if field.many_to_one or field.one_to_one:
        return names.of(field.related_model, value)
    if isinstance(value, datetime):
        return writing.long_datetime(value)
    if isinstance(value, date):
        return writing.long_date(value)
    return str(value)


def reason_shown(reason: str) -> str:
    """A record's reason in the page's language: the services write them in French, marked with
    gettext_noop, so that the catalogue translates them here (a reason typed by staff stays as typed)."""
    return _(reason) if reason else ""


def _who(record, professional: Professional) -> str:
    if record.history_user_id is None:
        return _("La Régie (automatiquement)") if record.history_change_reason == IN_FORCE_REASON else _("La Régie")
    if record.history_user_id == professional.user_id:
        return _("Vous")
    return _("La Régie (un agent)")


def _label(field) -> str:
    if field.name in MASKED:
        return _("Compte bancaire")
    return capfirst(str(field.verbose_name))


def _entry(source: Source, fields: list, record, before, professional: Professional, names: _Names) -> Entry | None:
    """What a record changed against the object's previous version (`before`, None for the first); None
    when it changed nothing shown and gives no reason."""
    changes = []
    for field in fields:
        new = getattr(record, field.attname, None)
        old = getattr(before, field.attname, None) if before is not None else None
        if record.history_type == "-" or (before is not None and old == new):
            continue
        if before is None and new in (None, "", False):
            continue
        changes.append(Change(_label(field), _display(field, old, names) if before else "—", _display(field, new, names)))
    if record.history_type == "~" and not changes and not record.history_change_reason:
        return None
    what = capfirst(str(source.model._meta.verbose_name))
    if source.subject is not None:
        what = _("%(what)s (%(subject)s)") % {"what": what, "subject": source.subject(record)}
    if record.history_type == "+":
        what = _("%(what)s : ajout") % {"what": what}
    elif record.history_type == "-":
        what = _("%(what)s : retrait") % {"what": what}
    return Entry(record.history_date, what, reason_shown(record.history_change_reason or ""), _who(record, professional), changes)


def _entries(professional: Professional, after: _Position | None, *, older: bool, count: int) -> list[tuple[_Position, Entry]]:
    """Up to `count` entries nearest past `after` (the newest if None), nearest first: one query per
    source, and one more per source whenever more than SLACK records on the way show nothing."""
    found: list[tuple[_Position, Entry]] = []
    names = _Names()
    limit = count + SLACK
    while True:
        windows, previous_of, unfinished = [], {}, []
        for rank in range(len(SOURCES)):
            records = _records(rank, professional, after, older=older, limit=limit)
            for _id, versions in groupby(sorted(records, key=attrgetter("id", "history_date", "history_id")), key=attrgetter("id")):
                versions = list(versions)
                previous_of.update({(rank, v.history_id): p for p, v in zip([None, *versions], versions, strict=False)})
            past = [(_Position(r.history_date, rank, r.history_id), r) for r in records]
            past = sorted((item for item in past if _is_past(item[0], after, older=older)), key=lambda item: item[0].order, reverse=older)
            windows.append(past[:limit])  # the rest: previous versions, past every record of the window
            if len(past) >= limit:  # the source has more records past its window
                unfinished.append(past[limit - 1][0])
        # Merged, the windows hold every record up to the nearest of the unfinished windows' ends.
        horizon = (max if older else min)(unfinished, key=attrgetter("order")) if unfinished else None
        fields = [_fields(source.model) for source in SOURCES]
        for position, record in heapq.merge(*windows, key=lambda item: item[0].order, reverse=older):
            if horizon is not None and _is_past(position, horizon, older=older):
                break
            source = SOURCES[position.rank]
            entry = _entry(source, fields[position.rank], record, previous_of[(position.rank, record.history_id)], professional, names)
            if entry is not None:
                found.append((position, entry))
                if len(found) == count:
                    return found
        if horizon is None:
            return found
        after = horizon


def page_for(
    professional: Professional, *, number: int = 1, older_than: str | None = None, newer_than: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """Page `number` of the professional's history: the newest entries, or those just older than the
    position `older_than`, or just newer than `newer_than` (positions from the links of the pages before;
    a position that is not one, or a page number below 2, gives the first page)."""
    before, after = _Position.parse(older_than), _Position.parse(newer_than)
    if number < 2 or (before is None and after is None):
        number, before, after = 1, None, None
    if before is None and after is not None:
        found = _entries(professional, after, older=False, count=size + 1)
        if len(found) > size:
            shown = found[size - 1::-1]
            return Page(
                [entry for _position, entry in shown], number,
                newer="" if number == 2 else shown[0][0].token(), older=shown[-1][0].token(),
            )
        number = 1  # no full page is newer: that is the first page
    found = _entries(professional, before, older=True, count=size + 1)
    shown = found[:size]
    if number == 1:
        newer = None
    elif number == 2:
        newer = ""
    else:
        newer = shown[0][0].token() if shown else before.token()
    return Page([entry for _position, entry in shown], number, newer=newer, older=shown[-1][0].token() if len(found) > size else None)
