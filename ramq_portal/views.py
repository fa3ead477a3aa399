from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ramq_portal.display import DISPLAY_COOKIE, is_valid_mode


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_POST
def set_display_mode(request):
    """Remember the chosen display mode in a cookie; works without JavaScript."""
    mode = request.POST.get("mode", "")
    if not is_valid_mode(mode):
        return HttpResponseBadRequest()
    response = redirect(_safe_next(request))
    response.set_cookie(DISPLAY_COOKIE, mode, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    return response


@require_GET
def healthz(request):
    """A bare view: liveness probe, and the baseline of `make bench`."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@login_required
def session_alive(request):
    """A signed-in bare view: answers 204 and, like any request, counts as activity for the session's
    idle timeout. The floor of `make bench` for a signed-in page."""
    return HttpResponse(status=204)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a form refused by the CSRF check gets the portal's own page, in the
    person's language, which says what happened and what to do (Django's is a technical page in
    English). The reason is for the log only (django.security.csrf logs it), never shown."""
    return render(request, "403.html", {"csrf_failure": True}, status=403)
