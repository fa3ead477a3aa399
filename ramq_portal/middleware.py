"""Session timeouts measured on the portal's clock.

Idle: 30 minutes without a request signs the person out. Absolute: 12 hours after sign-in, whatever
the activity. The session cookie's own age (SESSION_COOKIE_AGE) backs the idle rule up in the
browser; this middleware is what the server enforces.

Activity is written to the session at most once per SESSION_ACTIVITY_SECONDS (a minute): a page that
changes nothing else then neither writes the session nor sends a cookie. The idle time is therefore
counted from up to a minute before the last request: a session idle 29 minutes may end at the
30-minute mark of the activity recorded before it, never later than 30 minutes.

The page warns before (HLP-2, static/js/session.js): it counts the idle time in the browser, and its
*Rester connecté* asks `/session/`, which like any request counts as activity.
"""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from ramq_portal import clock

SIGNED_IN_AT = "signed_in_at"
# The tag of the message that says the session expired: the shell marks it for static/js/session.js,
# and the sign-in page does not say it twice (HLP-2).
SESSION_EXPIRED_TAG = "session-expiree"
LAST_SEEN_AT = "last_seen_at"
SIGNED_IN_COOKIE = "mondossier_connecte"


def mark_signed_in(session) -> None:
    moment = clock.now().isoformat()
    session[SIGNED_IN_AT] = moment
    session[LAST_SEEN_AT] = moment


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ended = False
        if request.user.is_authenticated:
            now = clock.now()
            signed_in = request.session.get(SIGNED_IN_AT)
            last_seen = request.session.get(LAST_SEEN_AT)
            if signed_in is None or last_seen is None:
                mark_signed_in(request.session)
            else:
                idle = now - datetime.fromisoformat(last_seen)
                age = now - datetime.fromisoformat(signed_in)
                if idle.total_seconds() > settings.SESSION_COOKIE_AGE or age > settings.SESSION_ABSOLUTE_TIMEOUT:
                    # Signed out, the request goes on as anonymous: a public page (an emailed link)
                    # still opens, and a private one sends to the sign-in page with its way back.
                    logout(request)
                    ended = True
                elif idle.total_seconds() >= settings.SESSION_ACTIVITY_SECONDS:
                    request.session[LAST_SEEN_AT] = now.isoformat()
        elif request.COOKIES.get(SIGNED_IN_COOKIE):
            # The browser was signed in and did not sign out, but its session is gone: the session's cookie
            # and its cache entry last as long as the idle timeout, so an idle session usually ends
            # this way, before this middleware sees it idle.
            ended = True
        if ended:
            messages.info(request, _("Votre session a expiré. Veuillez vous connecter de nouveau."), extra_tags=SESSION_EXPIRED_TAG)
        response = self.get_response(request)
        return _with_signed_in_cookie(request, response)


def _with_signed_in_cookie(request, response):
    """HLP-2: a cookie that says only "this browser is signed in" (no id, no secret), set at sign-in and
    removed at sign-out or once the end of the session was said, so that the sign-in page can say that
    the session expired, without JavaScript, even when the session's cookie is already gone."""
    user = getattr(request, "user", None)
    has_cookie = bool(request.COOKIES.get(SIGNED_IN_COOKIE))
    if user is not None and user.is_authenticated:
        if not has_cookie:
            response.set_cookie(SIGNED_IN_COOKIE, "1", max_age=int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()),
                                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    elif has_cookie:
        response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
    return response
