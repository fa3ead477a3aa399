"""Rendered fragments of a professional's pages, cached under a per-file version.

A page of the file (Profil, Messagerie, Comptes...) reads the same rows until something of the file
changes, and most of its cost is reading them (building and compiling the ORM's queries) and rendering
them. So its content is rendered once and kept in the cache (Redis in production, shared by the
workers) under a key holding:

* the file's **version**, a random token in the cache that every write to the file replaces (`bump`);
* the fragment's name and what it varies on (the tab, the page number...), the language, and the day
  (Québec), since pending changes come into force at midnight;

and for no longer than the page says it stays true (`valid_until`: an emailed link that expires, for
instance) nor past midnight. The CSRF tokens inside are written as a placeholder and filled per
request (`{% filecache %}`, ramq_portal/templatetags/filecache.py).

**Every write bumps.** A model that belongs to a file names the paths to its file(s) in
`FILE_OWNERS` (for example `("professional_id",)`, or through an account to its holder and its
members), uses `FileQuerySet` as its manager and `FileModel` as a mixin. Then saves (a signal),
deletes (`FileModel.delete`), and `update()`,
`delete()`, `bulk_create()` and `bulk_update()` of its querysets, bump the files they touch: when
they happen and again when their transaction commits (a page rendered in between, from rows not yet
committed, is then never served). A write outside the ORM (COPY, raw SQL) must call `bump` itself.
tests/test_filecache.py checks that every model holding a foreign key to a file is declared.

A page is also kept **whole**, shell included (`serve`): looked up with the file's version in one round
trip, and sent as stored with this request's CSRF token and path filled in.
"""
from __future__ import annotations

import hashlib
import os
import uuid
from types import SimpleNamespace
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_save
from django.http import HttpResponse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.translation import get_language

from ramq_portal import clock, csrf_token
from ramq_portal.cache import redis_recovered
from ramq_portal.display import current_display_mode

VERSION_KEY = "file:{}:version"
# Reference data shown on every file's pages (professions, financial institutions, agencies, the pay
# calendar): a model declares FILE_OWNERS = (EVERY_FILE,) and a write to it bumps this version, which is
# part of every page's key.
EVERY_FILE = "*"
# The staff's request queue (guichet.admin): a list of many files' requests, kept whole per agent under
# a version of its own. A model whose rows it shows (the requests; the professionals' names and numbers)
# declares STAFF_QUEUE among its FILE_OWNERS, and every write to one bumps that version; so does the save
# of a staff user (the agents' names in the list and its filter).
STAFF_QUEUE = "queue"
_SHARED = (EVERY_FILE, STAFF_QUEUE)  # owners that are not a file: the same for every row
# A version is kept a week after its last change: one that expired is replaced by a new one, which is
# always safe (the pages cached under the old one are never served again), and Redis keeps no key for
# the files nobody opened lately.
VERSION_TTL = 7 * 24 * 3600


def _code_release() -> str:
    """What the pages were rendered by: the RELEASE the image was built with (docker-compose.yml), or
    else a digest of the code, templates and catalogues as deployed (their paths, sizes and dates), so
    that a page cached by the code before a deploy is never served by the code after it."""
    if os.environ.get("RELEASE"):
        return os.environ["RELEASE"][:40]
    digest = hashlib.blake2b(digest_size=8)
    base = str(settings.BASE_DIR)
    for folder, folders, files in os.walk(base):
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name not in {"node_modules", "__pycache__", "var", "staticfiles"})
        for name in sorted(files):
            if name.endswith((".py", ".html", ".txt", ".mo")):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{os.path.join(folder, name)[len(base):]}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


RELEASE = _code_release()


def _version_key(professional_id) -> str:
    return VERSION_KEY.format(professional_id)


def version_keys(professional_id) -> list[str]:
    """The keys of a page's version: the file's (or the queue's) and the shared one."""
    return [_version_key(professional_id), _version_key(EVERY_FILE)]


def version_of(found: dict, keys: list[str]) -> str:
    return ".".join(str(found[key]) for key in keys)


def version(professional_id: int) -> str:
    """The file's current version, with the reference data's (each created on first use): one round trip."""
    return _version_and(professional_id)[0]


def _version_and(professional_id: int, *keys: str) -> tuple[str, dict]:
    """The file's version and the values of `keys`, read in the same round trip."""
    versions = version_keys(professional_id)
    found = cache.get_many([*versions, *keys])
    for key in versions:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, VERSION_TTL)
            found[key] = cache.get(key)
    return version_of(found, versions), found


def _replace(ids: set) -> None:
    cache.set_many({_version_key(pk): uuid.uuid4().hex for pk in ids}, VERSION_TTL)


def bump_now(ids: Iterable[int | str | None]) -> None:
    """Replace these files' versions now, and only now: for a caller that bumps again itself once its
    transaction has committed (the payment run, whose batches are transactions of their own)."""
    ids = {pk for pk in ids if pk is not None}
    if ids:
        _replace(ids)


def bump(ids: Iterable[int | str | None]) -> None:
    """Every cached page of these files (EVERY_FILE: of all files) is out of date: now, and again when
    the transaction commits."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return
    _replace(ids)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _replace(ids))


# --- Who owns a row ------------------------------------------------------------------------------------


def _owner_ids_of(model, instances: list, path: str) -> set:
    """The files of these instances along `path` ("professional_id", "account__memberships__professional_id", "pk"),
    or EVERY_FILE, or STAFF_QUEUE."""
    if path in _SHARED:
        return {path}
    if path == "pk":
        return {instance.pk for instance in instances}
    first, _, rest = path.partition("__")
    if not rest:
        return {getattr(instance, first) for instance in instances}
    field = model._meta.get_field(first)
    if not field.concrete:  # a reverse relation (an account's members): asked of the rows themselves
        keys, model, rest = {instance.pk for instance in instances} - {None}, model, path
    else:
        keys, model = {getattr(instance, field.attname) for instance in instances} - {None}, field.related_model
    if not keys:
        return set()
    return set(model._default_manager.filter(pk__in=keys).order_by().values_list(rest, flat=True))


def owners_of_rows(model, columns, rows) -> set:
    """The files of rows given as tuples of `columns` (attribute names), as ramq_portal.bulk writes them:
    `owners`, read from the tuples' values."""
    if not getattr(model, "FILE_OWNERS", None):
        return set()
    return owners(model, [SimpleNamespace(**dict(zip(columns, row, strict=True))) for row in rows])


def owners(model, instances: list) -> set[int]:
    found: set[int] = set()
    for path in model.FILE_OWNERS:
        found |= _owner_ids_of(model, instances, path)
    return found - {None}


class FileQuerySet(models.QuerySet):
    """The queryset of a model with FILE_OWNERS: its bulk writes bump the files they touch."""

    def _owners_here(self) -> set[int]:
        found: set = set()
        for path in self.model.FILE_OWNERS:
            found |= {path} if path in _SHARED else set(self.order_by().values_list(path, flat=True).distinct())
        return found

    def update(self, **kwargs):
        touched = self._owners_here()
        count = super().update(**kwargs)
        if count:
            bump(touched)
        return count

    update.alters_data = True

    def delete(self):
        touched = self._owners_here()
        result = super().delete()
        bump(touched)
        return result

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        bump(owners(self.model, list(created)))
        return created

    def bulk_update(self, objs, *args, **kwargs):
        count = super().bulk_update(objs, *args, **kwargs)
        bump(owners(self.model, list(objs)))
        return count


class FileModel:
    """The mixin of a model with FILE_OWNERS (before models.Model in its bases): deleting one row bumps
    its files. Not a post_delete receiver: a delete signal listener would stop Django from deleting a
    queryset in one statement (it would load every row to send the signal), and FileQuerySet.delete
    already bumps the files of the rows it deletes, in one query. Rows deleted by cascade belong to
    the files of the row that cascades."""

    def delete(self, *args, **kwargs):
        touched = owners(type(self), [self])
        result = super().delete(*args, **kwargs)
        bump(touched)
        return result

    delete.alters_data = True


def _saved(sender, instance, **kwargs) -> None:
    if getattr(sender, "FILE_OWNERS", None):
        bump(owners(sender, [instance]))


post_save.connect(_saved, dispatch_uid="filecache.saved")


def _staff_saved(sender, instance, **kwargs) -> None:
    if instance.is_staff:
        bump([STAFF_QUEUE])


post_save.connect(_staff_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="filecache.staff_saved")


def _after_an_outage(sender, **kwargs) -> None:
    """The writes made while Redis was unreachable could not replace their files' versions: every page
    is out of date."""
    bump_now([EVERY_FILE])


redis_recovered.connect(_after_an_outage, dispatch_uid="filecache.after_an_outage")


# --- A page's place in the cache -----------------------------------------------------------------------


@dataclass
class FilePage:
    """What `{% filecache %}` needs: the file, its version, the day, and how long the page stays true."""

    professional_id: int
    version: str
    day: date
    valid_until: datetime | None = None  # set by the page, on a miss, before the fragment is stored

    def key(self, name: str, vary: Iterable) -> str:
        return _key(name, self.professional_id, self.version, RELEASE, get_language() or "", self.day.isoformat(), *vary)

    def has(self, name: str, vary: Iterable = ()) -> bool:
        """Whether the fragment is cached: a page whose checks (the account is the professional's) live
        in what it builds asks first, and builds eagerly on a miss. A fragment is only ever stored by a
        build that passed them, under this version of the file."""
        return cache.has_key(self.key(name, vary))

    def keep_not(self) -> None:
        """This page, as built for this request, is not to be kept (it reads more than the file)."""
        self.valid_until = clock.now()

    def timeout(self) -> int:
        now = clock.now()
        midnight = datetime.combine(self.day + timedelta(days=1), time.min, tzinfo=clock.QUEBEC)
        until = min(midnight, self.valid_until) if self.valid_until else midnight
        return max(0, int((until - now).total_seconds()))


def _key(*parts) -> str:
    return "filepage:" + ":".join(str(part).replace(":", "_") for part in parts)


def fill_csrf(html: str, token) -> str:
    """A cached fragment with this request's CSRF token; `token()` gives it, and is called only where a
    form needs it (asking for the token sends its cookie)."""
    if CSRF_PLACEHOLDER in html:
        value = token()
        html = html.replace(CSRF_PLACEHOLDER, str(value) if value else "")
    return html


def cached_fragment(page: FilePage, name: str, vary: Iterable, token) -> str | None:
    """A fragment of a file's page from the cache, with this request's CSRF token (`fill_csrf`), or None."""
    html = cache.get(page.key(name, vary))
    return None if html is None else fill_csrf(str(html), token)


def page_of(professional_id: int) -> FilePage:
    return FilePage(professional_id, version(professional_id), clock.today())


# --- A whole page ---------------------------------------------------------------------------------------

# What differs between two requests for the same page of the same file, in the same language and mode:
# written as placeholders in the cached page and filled per request.
CSRF_PLACEHOLDER = "@@csrf-token-of-this-request@@"
PATH_PLACEHOLDER = "@@path-of-this-request@@"
_CSRF_BYTES, _PATH_BYTES = CSRF_PLACEHOLDER.encode(), PATH_PLACEHOLDER.encode()
HOLES_ATTRIBUTE = "file_page_holes"  # set on the request while a page to be cached renders (context_processors.shell)


def _fill(request, content: bytes) -> bytes:
    """The page's content (UTF-8, as sent: a large page is neither decoded nor encoded again) with this
    request's CSRF token and path."""
    if _CSRF_BYTES in content:  # the token only where a form needs it (a browser without one gets its cookie)
        content = content.replace(_CSRF_BYTES, csrf_token.get_token(request).encode())
    return content.replace(_PATH_BYTES, escape(request.get_full_path()).encode())


# The session's file id (dossier.selectors.remember_file_of_user), read by ramq_portal.prefetch too.
FILE_SESSION_KEY = "file"


@dataclass(frozen=True)
class Prefetched:
    """What ramq_portal.prefetch read before the view (`request.prefetched_page`): the version of a file's
    pages and, if asked for, the kept page under `page_key` (None when not kept)."""

    professional_id: int
    version: str
    page_key: str | None
    entry: object


def whole_page_key(request, professional_id, name: str, vary: Iterable) -> str:
    """The key of a page kept whole: the file, the page and what it varies on, the code's release, the
    language, the display mode and the day."""
    return _key("whole", name, professional_id, RELEASE, get_language() or "", current_display_mode(request),
                clock.today().isoformat(), *vary)


def _version_and_page(request, professional_id, key: str) -> tuple[str, object]:
    """The file's version and the page kept under `key`: as read early by ramq_portal.prefetch when it
    read them for this file and this key, else in one round trip now."""
    early = getattr(request, "prefetched_page", None)
    if early is not None and early.professional_id == professional_id and early.page_key == key:
        return early.version, early.entry
    current, found = _version_and(professional_id, key)
    return current, found.get(key)


def serve(request, professional_id: int, name: str, vary: Iterable | None, view) -> HttpResponse:
    """A page of a file, served whole from the cache while the file does not change.

    `view(page)` renders it (with the FilePage its `{% filecache %}` fragments use). A GET whose page
    may be cached (`vary` is not None: what the page varies on besides the file, the language, the
    display mode and the day) is looked up together with the file's version, in one round trip; on a
    hit nothing else is read, rendered or written. On a miss the page is rendered with placeholders for
    the CSRF token and the request's path (the shell's forms), stored with the version it was rendered
    under, then filled. Never cached: anything but a 200, a page shown with flash messages or that
    queued some, and a POST (`view(None)`: the form being sent is not the page as first shown)."""
    if request.method != "GET":
        return view(None)
    if vary is None or len(get_messages(request)):
        return view(page_of(professional_id))
    day = clock.today()
    key = whole_page_key(request, professional_id, name, vary)
    current, entry = _version_and_page(request, professional_id, key)
    if entry is not None and entry[0] == current:
        return HttpResponse(_fill(request, entry[1]))
    page = FilePage(professional_id, current, day)
    setattr(request, HOLES_ATTRIBUTE, True)
    try:
        response = view(page)
    finally:
        setattr(request, HOLES_ATTRIBUTE, False)
    if response.streaming:
        return response
    timeout = page.timeout()
    if response.status_code == 200 and not response.cookies and not len(get_messages(request)) and timeout > 0:
        cache.set(key, (current, response.content), timeout)
    response.content = _fill(request, response.content)
    return response


def lazily(build, *names: str) -> dict:
    """{name: lazy value} for a page's context, computed by `build()` (once, for all names) only when
    something reads one of them: on a cache hit the fragments that read them are not rendered, and
    nothing is computed. The values stand in for the real ones (attributes, iteration, length, truth,
    comparisons, str), in templates and in tests alike."""
    computed: dict = {}

    def value(name):
        def read():
            if not computed:
                computed.update(build())
            return computed[name]
        return SimpleLazyObject(read)

    return {name: value(name) for name in names}
