from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from comptes import paycalendar
from dossier.forms import SignInForm
from dossier.selectors import correspondence_address_on, professional_for_user
from ramq_portal import clock


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_GET
@login_required
def home(request):
    return redirect("dossier:profil")


@require_GET
@login_required
def profil(request):
    """The Profil tab (read-only here): the file's identity, coordinates and places of practice."""
    professional = professional_for_user(request.user)
    today = clock.today()
    return render(
        request,
        "dossier/profil.html",
        {
            "professional": professional,
            "address": correspondence_address_on(professional, today),
            "telephones": professional.telephones.all(),
            "places": professional.places_of_practice.all(),
            "effective_date": paycalendar.effective_date(clock.now()),
            "active_tab": "profil",
        },
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout page: the same for every username, known or not."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
