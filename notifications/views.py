from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from dossier import profile
from dossier.selectors import own_professional
from notifications.receivers import REPORT_SALT

REPORT_LINK_MAX_AGE = timedelta(days=30)


@require_GET
@login_required
def inbox(request):
    """Messagerie sécurisée: the inbox (its messages arrive with the notifications issue)."""
    professional = own_professional(request.user)
    return render(request, "notifications/inbox.html", {"professional": professional, "active_tab": "messagerie"})


@require_http_methods(["GET", "POST"])
def report_email_change(request, key):
    """BEY-3: from the notice sent to the previous address, report that the change was not theirs."""
    try:
        data = signing.loads(key, salt=REPORT_SALT, max_age=REPORT_LINK_MAX_AGE)
    except signing.BadSignature:
        return render(request, "notifications/report_email_change.html", {"invalid": True}, status=400)
    if request.method == "POST":
        profile.report_unrecognised_email_change(professional_id=data["p"], previous_email=data["e"])
        return render(request, "notifications/report_email_change.html", {"done": True})
    return render(request, "notifications/report_email_change.html", {})
