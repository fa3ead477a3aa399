from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from dossier.urls import public_urlpatterns
from inscription.urls import public_urlpatterns as inscription_public_urlpatterns
from notifications.views import report_email_change
from ramq_portal import views

# Django tries the patterns in order, one by one, on every request: the tabs under a prefix of their
# own come first, so that a page of Comptes or Messagerie is found at once instead of after the ~30
# patterns of the Profil and the wizard, included without a prefix (no two patterns overlap).
urlpatterns = [
    path("comptes/", include("comptes.urls")),
    path("messagerie/", include("notifications.urls")),
    path("", include("dossier.urls")),
    *public_urlpatterns,
    path("", include("inscription.urls")),
    *inscription_public_urlpatterns,
    path("courriel/signaler/<str:key>/", report_email_change, name="report_email_change"),
    path("affichage/", views.set_display_mode, name="set_display_mode"),
    path("langue/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("session/", views.session_alive, name="session_alive"),
    path("admin/", admin.site.urls),
]

