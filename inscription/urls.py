from django.urls import path

from inscription import views

app_name = "inscription"

urlpatterns = [
    path("inscription/", views.start, name="start"),
    path("inscription/services-en-ligne/", views.enrol, name="enrol"),
    path("inscription/services-en-ligne/compte/", views.enrol_account, name="enrol_account"),
    path("inscription/non-participation/", views.not_registering, name="not_registering"),
    path("inscription/etapes/", views.resume, name="resume"),
    path("inscription/etapes/<int:number>/", views.step, name="step"),
    path("inscription/recapitulatif/", views.summary, name="summary"),
    path("inscription/confirmation/", views.done, name="done"),
    path("inscription/quitter/", views.quit_wizard, name="quit"),
    path("connexion/mot-de-passe-oublie/", views.forgot, name="forgot"),
    path("connexion/mot-de-passe-oublie/questions/", views.forgot_questions, name="forgot_questions"),
]

# Named without a namespace: the email renderer builds this link by name.
public_urlpatterns = [
    path("connexion/reinitialiser/<uidb64>/<token>/", views.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
]
