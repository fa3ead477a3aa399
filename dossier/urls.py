from django.contrib.auth import views as auth_views
from django.urls import path

from dossier import views

app_name = "dossier"

urlpatterns = [
    path("", views.home, name="home"),
    path("profil/", views.profil, name="profil"),
    path("profil/correspondance/", views.edit_correspondence, name="edit_correspondence"),
    path("profil/correspondance/annuler-changement/", views.cancel_pending_address, name="cancel_pending_address"),
    path("profil/courriel/renvoyer/", views.resend_email_link, name="resend_email_link"),
    path("profil/cellulaire/confirmer/", views.confirm_cell, name="confirm_cell"),
    path("profil/cellulaire/renvoyer/", views.resend_cell_code, name="resend_cell_code"),
    path("profil/pratique/", views.edit_practice, name="edit_practice"),
    path("profil/preferences/", views.edit_preferences, name="edit_preferences"),
    path("profil/preferences/annuler-changement/", views.cancel_pending_preferences, name="cancel_pending_preferences"),
    path("profil/historique/", views.file_history, name="history"),
    path("profil/confirmer-coordonnees/", views.confirm_coordinates, name="confirm_coordinates"),
]

# Named without a namespace: sign-in and sign-out (settings.LOGIN_URL = "login"), and the public page
# reached from the validation email.
public_urlpatterns = [
    path("connexion/", views.SignInView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("courriel/valider/<str:key>/", views.validate_email, name="validate_email"),
]
