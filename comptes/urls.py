from django.urls import path

from comptes import views

app_name = "comptes"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("demandes/ouvrir/", views.ask_open_account, name="ask_open_account"),
    path("demandes/joindre/", views.ask_join_collective, name="ask_join_collective"),
    path("<int:pk>/", views.account_detail, name="account"),
    path("<int:pk>/paiement/", views.edit_payment, name="edit_payment"),
    path("<int:pk>/paiement/annuler-changement/", views.cancel_pending_payment, name="cancel_pending_payment"),
    path("<int:pk>/etat-de-compte/", views.edit_statement, name="edit_statement"),
    path("<int:pk>/adresse/", views.ask_collective_address, name="ask_collective_address"),
]
