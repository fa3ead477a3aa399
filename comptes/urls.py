from django.urls import path

from comptes import views

app_name = "comptes"

urlpatterns = [
    path("", views.accounts, name="accounts"),
]
