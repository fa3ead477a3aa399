from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dossier.models import Professional
from django.http import Http404


@require_GET
@login_required
def inbox(request):
    """Messagerie sécurisée: the inbox (its messages arrive with the notifications issue)."""
    professional = Professional.objects.filter(user_id=request.user.pk).first()
    if professional is None:
        raise Http404
    return render(request, "notifications/inbox.html", {"professional": professional, "active_tab": "messagerie"})
