"""The request queue's list page in the admin (STF-1): what it loads and how its rows are written.

Django writes a list's rows cell by cell: for each of the 8 cells of each of the 50 rows it looks the
column up again, translates the empty value, formats through `format_html` twice, reverses the
request's URL and merges the filters into it, and renders the checkbox through a form widget. That
was more than half of the page's CPU time. Here what is the same for every row (the column classes, the
URL around the id, the checkbox's label, the labels of each kind and status, each due date's words)
is worked out once per page, and each row is one string: the same HTML, cell for cell,
as Django's `items_for_result` (tests/guichet/test_queue_rows.py compares the two).

Only the columns of RequestAdmin.list_display are written here; a list that has anything else (another
column, an editable column, a popup, other links) is handed back to Django's own rows whole.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from django.contrib.admin.templatetags.admin_list import ResultList, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ramq_portal import writing
from ramq_portal.admin_site import stock

# What a row shows, and nothing else: not the file's encrypted SIN, its telephone numbers (each parsed
# when loaded), the request's encrypted part or its decision's outcome.
COLUMNS = (
    "kind", "payload", "status", "received_at", "due_date", "professional", "agent",
    "professional__first_name", "professional__last_name", "professional__professional_number",
    "agent__username",
)

_PK = "0queue0"  # stands for a request's id in its URL, worked out once per page


@lru_cache(maxsize=4096)
def _moment_words(moment: datetime, zone: str, datetime_format: str, language: str | None) -> str:
    """A moment in the time zone `zone` as Django's admin writes it ("5 décembre 2026 19:26").
    Formatting costs more than the rest of a row, and the queue's first pages show the same requests to
    every agent all day: the words are kept per moment, zone (two aware moments are equal across zones),
    format and language (the month's name is translated)."""
    return dateformat.format(moment, datetime_format)


@lru_cache(maxsize=4096)
def _day_words(day: date, language: str | None) -> str:
    return writing.long_date(day)


def permissions_digest(user) -> str:
    """What a user may do, in a few characters: part of the key of the queue's kept pages, so that a change
    of permissions (a group joined or left) is a page of its own at once."""
    return hashlib.blake2b(repr((user.is_superuser, sorted(user.get_all_permissions()))).encode(), digest_size=8).hexdigest()


def day_words(day: date) -> str:
    """writing.long_date ("18 décembre 2026"), kept per day and language: the queue's due dates."""
    return _day_words(day, get_language())


class QueueChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).only(*COLUMNS)


def rows(cl) -> list[ResultList]:
    """The rows of the queue's page, as Django's `results(cl)` gives them (one item per row here)."""
    writers = _writers(cl)
    if writers is None:
        return list(results(cl))
    return [ResultList(None, [mark_safe("".join([write(obj) for write in writers]))]) for obj in cl.result_list]


def _writers(cl) -> list[Callable[[object], str]] | None:
    if cl.formset or cl.is_popup or cl.to_field or list(cl.list_display_links or ()) != ["received_at"]:
        return None
    page = _Page(cl)
    makers = {
        "action_checkbox": page.checkbox, "received_at": page.received_at, "kind_label": page.kind_label, "about": page.about,
        "professional": page.professional, "status_label": page.status_label, "due": page.due, "agent": page.agent,
    }
    if any(not isinstance(name, str) or name not in makers for name in cl.list_display):
        return None
    return [makers[name] for name in cl.list_display]


class _Page:
    """What the rows of one page share, worked out once."""

    def __init__(self, cl):
        self.admin = cl.model_admin
        self.empty = cl.model_admin.get_empty_value_display()
        opts = cl.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=(_PK,), current_app=cl.model_admin.admin_site.name)
        url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": opts}, url)
        before, _, after = url.partition(_PK)
        self.link_before, self.link_after = f'<th class="field-received_at nowrap"><a href="{escape(before)}', f'{escape(after)}">'
        # Django's label for the checkbox ("Choisir cette ligne pour une action : {}"), as its widget writes it.
        self.checkbox_label = stock("Select this object for an action - {}")
        # Django's `localize(template_localtime(value))`, with the time zone and the format looked up once.
        self.timezone, self.datetime_format = timezone.get_current_timezone(), formats.get_format("DATETIME_FORMAT")
        self.zone, self.language = str(self.timezone), get_language()
        self.kind_labels: dict[str, str] = {}
        self.status_labels: dict[str, str] = {}
        self.due_texts: dict[tuple, str] = {}

    def checkbox(self, obj) -> str:
        label = escape(format_html(self.checkbox_label, str(obj)))
        return (f'<td class="action-checkbox"><input type="checkbox" name="_selected_action" value="{escape(obj.pk)}"'
                f' class="action-select" aria-label="{label}"></td>')

    def received_at(self, obj) -> str:
        when = self.empty if obj.received_at is None else _moment_words(obj.received_at.astimezone(self.timezone), self.zone,
                                                                         self.datetime_format, self.language)
        return f"{self.link_before}{obj.pk}{self.link_after}{conditional_escape(when)}</a></th>"

    def kind_label(self, obj) -> str:
        return self._once(self.kind_labels, obj.kind, "kind_label", obj)

    def about(self, obj) -> str:
        return self._cell("about", self.admin.about(obj))

    def professional(self, obj) -> str:
        return self._related("professional", obj.professional)

    def status_label(self, obj) -> str:
        return self._once(self.status_labels, obj.status, "status_label", obj)

    def due(self, obj) -> str:
        return self._once(self.due_texts, (obj.due_date, obj.status), "due", obj)

    def agent(self, obj) -> str:
        return self._related("agent", obj.agent)

    def _once(self, cells: dict, key, name: str, obj) -> str:
        """The admin's column `name` for `obj`, written once for all the rows that share `key` (what the
        column depends on: a kind's label, a status's label, a due date and whether it is late)."""
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = self._cell(name, getattr(self.admin, name)(obj))
        return cell

    def _cell(self, name: str, value) -> str:
        """A column of the admin's own (a method): blank is written as the empty value, as Django does."""
        text = self.empty if value is None or value == "" or isinstance(value, str) and not value.strip() else str(value)
        return f'<td class="field-{name}">{conditional_escape(text)}</td>'

    def _related(self, name: str, value) -> str:
        return f'<td class="field-{name} nowrap">{conditional_escape(self.empty if value is None else str(value))}</td>'
