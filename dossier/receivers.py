"""The dossier app's receivers of Django's signals, connected from DossierConfig.ready."""
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from dossier.decorators import remember_registration_state
from dossier.middleware import remember_returned_mail
from ramq_portal.middleware import mark_signed_in


@receiver(user_logged_in)
def _start_session_clock(sender, request, user, **kwargs):
    """At sign-in: the session's clock, and what the session keeps of the file (registration state,
    returned mail, the file's id)."""
    mark_signed_in(request.session)
    remember_registration_state(request, user)
    remember_returned_mail(request, user)
