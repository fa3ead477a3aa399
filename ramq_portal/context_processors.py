from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from ramq_portal.display import DISPLAY_MODES, current_display_mode
from ramq_portal.filecache import CSRF_PLACEHOLDER, HOLES_ATTRIBUTE, PATH_PLACEHOLDER

DRAFT_KEY_SALT = "ramq_portal.session.drafts"


def draft_key(user) -> str:
    """The key that tags what session.js keeps in the browser for this person (the session's timer, the
    drafts of forms): an HMAC of the user's id, so that nothing in the browser names them, and
    another person signing in on the same tab never gets their drafts back."""
    return salted_hmac(DRAFT_KEY_SALT, str(user.pk)).hexdigest()[:32]


def session_timer(user) -> dict:
    """HLP-2: what the shell gives static/js/session.js on a signed-in page. Per person, never per request
    (the page may be served whole from the file's page cache): the browser counts the idle time itself,
    from the page's load or the last *Rester connecté*. The deadline it warns of is the earliest the
    server may end the session: activity is recorded at most once per SESSION_ACTIVITY_SECONDS, so the
    server may count the idle time from up to that long before the page was loaded."""
    if user is None or not user.is_authenticated:
        return {}
    return {"session_timer": {
        "key": draft_key(user),
        "idle": settings.SESSION_COOKIE_AGE,
        "lead": settings.SESSION_WARNING_SECONDS,
        "margin": settings.SESSION_ACTIVITY_SECONDS,
        "keep_alive_url": reverse("session_alive"),
        "sign_in_url": reverse("login"),
        "warning_minutes": max(1, settings.SESSION_WARNING_SECONDS // 60),
    }}


def shell(request):
    """What the page shell needs on every page: the display mode and its choices, and the path the
    language and display forms come back to, and the session's timer on a signed-in page. While a page
    of the file renders for the page cache (ramq_portal.filecache.serve), the CSRF token and the path
    are placeholders, filled per request."""
    context = {"display_mode": current_display_mode(request), "display_modes": DISPLAY_MODES,
               **session_timer(getattr(request, "user", None))}
    if getattr(request, HOLES_ATTRIBUTE, False):
        return {**context, "page_path": PATH_PLACEHOLDER, "csrf_token": CSRF_PLACEHOLDER}
    return {**context, "page_path": request.get_full_path()}
