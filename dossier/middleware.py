"""BEY-8: after staff flag returned mail, the professional confirms or corrects the coordinates before
anything else. The state is kept in the session at sign-in (no query for everyone else) and checked
again while set, so that it lifts as soon as the coordinates are confirmed or saved."""
from django.shortcuts import redirect

from dossier.models import Professional
from dossier.selectors import remember_file_of_user

SESSION_KEY = "returned_mail"
# What stays reachable: the page that asks, the form that corrects, what the form leads to, and the shell.
ALLOWED_VIEWS = {
    "dossier:confirm_coordinates", "dossier:edit_correspondence", "dossier:confirm_cell", "dossier:resend_cell_code",
    "dossier:resend_email_link", "logout", "set_language", "set_display_mode", "healthz",
}


def remember_returned_mail(request, user) -> None:
    """At sign-in (and while the flag is set): the flag, and the user's file for the page cache, in one query."""
    row = Professional.objects.filter(user_id=user.pk).values_list("pk", "returned_mail_at").first()
    request.session[SESSION_KEY] = bool(row and row[1])
    if row:
        remember_file_of_user(request, row[0])


class ReturnedMailMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not request.session.get(SESSION_KEY):
            return None
        match = request.resolver_match
        if match is None or match.view_name in ALLOWED_VIEWS or match.namespace == "admin":
            return None
        remember_returned_mail(request, request.user)
        if request.session[SESSION_KEY]:
            return redirect("dossier:confirm_coordinates")
        return None
