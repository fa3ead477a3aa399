"""Session timeouts measured on the portal's clock.

Idle: 30 minutes without a request signs the person out. Absolute: 12 hours after sign-in, whatever
the activity. The session cookie's own age (SESSION_COOKIE_AGE) backs the idle rule up in the
browser; this middleware is what the server enforces.

Activity is written to the session at most once per SESSION_ACTIVITY_SECONDS (a minute): a page that
changes nothing else then neither writes the session nor sends a cookie. The idle time is therefore
counted from up to a minute before the last request: a session idle 29 minutes may end at the
30-minute mark of the activity recorded before it, never later than 30 minutes.
"""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from ramq_portal import clock

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"


def mark_signed_in(session) -> None:
    moment = clock.now().isoformat()
    session[SIGNED_IN_AT] = moment
    session[LAST_SEEN_AT] = moment


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
                    messages.info(request, _("Votre session a expiré. Veuillez vous connecter de nouveau."))
                    return self.get_response(request)
                if idle.total_seconds() >= settings.SESSION_ACTIVITY_SECONDS:
                    request.session[LAST_SEEN_AT] = now.isoformat()
        return self.get_response(request)
