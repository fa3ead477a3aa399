"""One round trip to the cache for a signed-in page, instead of three (issue 14).

A signed-in request read, one after the other, its session, then its user (ramq_portal.auth_backends),
then its file's versions and the page kept whole (ramq_portal.filecache.serve): three round trips to
Redis, each costing the portal and Redis more CPU than everything else a kept page does. Each key
depends on what the previous read returned (the user and the file are in the session), so they could
not be asked together.

The browser now carries a hint: a signed cookie (`HINT_COOKIE`) naming the user and the file of its
session, set when they are known and removed at sign-out. `PrefetchMiddleware`, before any of those
reads, asks the cache for all of them at once: the session, the user, the file's versions and, for a
page of the file (a view marked by `dossier.decorators.file_page`), the kept page. What came back is
handed to the code that would have read it, as if read by it:

* the session's data to the session (cached_db reads that same key first);
* the user to `auth_backends.CachedModelBackend.get_user`, which Django asks for the session's user
  id and then checks as always (the session's hash of the password included);
* the versions and the page to `filecache.serve`, which uses them only for the file of the session
  (`file_of_request`), after the view's own checks (`login_required`), under the key it computes.

So the hint decides only what is read early, never what is shown: a hint that is stale, forged or
another's (the cookie is signed anyway) makes the portal read keys it then does not use, and do the
reads it always did.
"""
from __future__ import annotations

import functools

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django.utils.functional import empty

from ramq_portal import auth_backends, filecache

HINT_COOKIE = "mondossier_indice"
_SIGNER = signing.Signer(salt="ramq_portal.prefetch")


def hint_of(request) -> tuple[int, int | None] | None:
    """(user id, file id or None) from this browser's hint cookie, if it is one of ours."""
    value = request.COOKIES.get(HINT_COOKIE)
    return _unsigned(value) if value else None


@functools.lru_cache(maxsize=4096)
def _unsigned(value: str) -> tuple[int, int | None] | None:
    """A hint's check of signature, remembered: a browser sends the same hint with each request, and
    checking it again would give the same answer (an HMAC, a tenth of the prefetch's own time)."""
    try:
        user_id, _, file_id = _SIGNER.unsign(value).partition(":")
        return int(user_id), int(file_id) if file_id else None
    except (signing.BadSignature, ValueError):
        return None


def _hint_value(user_id, file_id) -> str:
    return _SIGNER.sign(f"{user_id}:{file_id if file_id is not None else ''}")


@functools.lru_cache(maxsize=1024)
def _route(path_info: str) -> tuple | None:
    """(the view's file_page spec, its args, its kwargs) for an address, or None when it is not a page of
    the file; remembered: resolving an address tries the URL patterns one by one (30 of them before
    /session/), and the handler resolves it again anyway. Forgotten when the URL configuration is
    replaced (tests)."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    spec = getattr(match.func, "file_page", None)  # set by dossier.decorators.file_page
    return None if spec is None else (spec, match.args, match.kwargs)


@receiver(setting_changed)
def _forget_routes(setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _route.cache_clear()


def _page_key(request, professional_id: int) -> str | None:
    """The key under which filecache.serve keeps this address's page, if it is a page of the file."""
    if request.method != "GET":
        return None
    route = _route(request.path_info)
    if route is None:
        return None
    (name, vary), args, kwargs = route
    varies = vary(request, *args, **kwargs)
    return None if varies is None else filecache.whole_page_key(request, professional_id, name, varies)


class PrefetchMiddleware:
    """After SessionMiddleware and LocaleMiddleware (the page's key holds the language), before anything
    reads the session or the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hint = hint_of(request)
        token = None
        session = getattr(request, "session", None)
        if hint is not None and session is not None and session.session_key:
            token = self._prefetch(request, session, *hint)
        try:
            response = self.get_response(request)
        finally:
            if token is not None:
                auth_backends.prefetched_user.reset(token)
        return self._with_hint(request, response, hint)

    def _prefetch(self, request, session, user_id: int, file_id: int | None):
        session_key, user_key = session.cache_key, auth_backends.cache_key(user_id)
        versions = filecache.version_keys(file_id) if file_id is not None else []
        page_key = _page_key(request, file_id) if file_id is not None else None
        found = cache.get_many([session_key, user_key, *versions, *([page_key] if page_key else [])])
        if session_key in found and not hasattr(session, "_session_cache"):
            session._session_cache = found[session_key]  # what cached_db's load() reads first
        if versions and all(key in found for key in versions):
            request.prefetched_page = filecache.Prefetched(file_id, filecache.version_of(found, versions), page_key,
                                                           found.get(page_key))
        user = found.get(user_key)
        return auth_backends.prefetched_user.set((user_id, user)) if user is not None else None

    def _with_hint(self, request, response, hint):
        """The hint set or corrected once the user and the file are known, removed when signed out. The
        user is not loaded for it: a request that never asked who is signed in leaves the hint as it is."""
        user = getattr(request, "user", None)
        user = getattr(user, "_wrapped", user)  # the lazy user of AuthenticationMiddleware, or who login()/logout() set
        if user is None or user is empty:
            return response
        if not user.is_authenticated:
            if hint is not None:
                response.delete_cookie(HINT_COOKIE, samesite="Lax")
            return response
        session = getattr(request, "session", None)
        file_id = session.get(filecache.FILE_SESSION_KEY) if session is not None else None
        if hint != (user.pk, file_id):
            response.set_cookie(HINT_COOKIE, _hint_value(user.pk, file_id), httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response

