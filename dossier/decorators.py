from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from dossier.models import Professional
from dossier.selectors import file_of_request
from ramq_portal import filecache


SESSION_KEY = "registration_pending"


def remember_registration_state(request, user) -> None:
    """At sign-in (and when the wizard completes): whether this user still has a registration to finish,
    kept in the session so that billing pages cost no query for it."""
    request.session[SESSION_KEY] = Professional.objects.filter(user_id=user.pk, registered_at__isnull=True).exists()


def registration_pending(request) -> bool:
    """Whether the signed-in user still has a registration to finish. Registered is final (no query);
    pending is checked again, since the registration may have been completed on another device."""
    if request.user.is_authenticated and request.session.get(SESSION_KEY, True):
        remember_registration_state(request, request.user)
    return request.user.is_authenticated and bool(request.session.get(SESSION_KEY))


def registration_required(view):
    """INS-5: billing features open only once the registration wizard is complete. A professional who
    has not finished is taken back to where they stopped (staff and others go on to the view, which
    refuses them as before)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if registration_pending(request):
            messages.info(request, _("Terminez d'abord votre inscription à la RAMQ : vous pourrez ensuite gérer vos comptes de facturation."))
            return redirect("inscription:resume")
        return view(request, *args, **kwargs)

    return wrapper


def file_page(name: str, vary=lambda request, *args, **kwargs: ()):
    """A page of the signed-in professional's file, served whole from the file's page cache
    (ramq_portal.filecache.serve) while the file does not change. The view is called as
    `view(request, page, *args, **kwargs)`, `page` being the FilePage its `{% filecache %}` fragments use
    (None on POST). `vary(request, *args, **kwargs)` gives what the page varies on besides the file, the
    language, the display mode and the day (the account shown, the page number...), or None when this
    request's page is not to be cached (a search)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return filecache.serve(request, file_of_request(request), name, vary(request, *args, **kwargs),
                                   lambda page: view(request, page, *args, **kwargs))

        # For ramq_portal.prefetch, which asks for the kept page before the view runs (copied outward by
        # the decorators above this one, which use functools.wraps).
        wrapper.file_page = (name, vary)
        return wrapper

    return decorator
