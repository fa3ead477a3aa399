from django.contrib.auth import views as auth_views
from django.urls import path

from dossier import views

app_name = "dossier"

urlpatterns = [
    path("", views.home, name="home"),
    path("profil/", views.profil, name="profil"),
]

# Sign-in and sign-out are named without a namespace (settings.LOGIN_URL = "login").
auth_urlpatterns = [
    path("connexion/", views.SignInView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]
