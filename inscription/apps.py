from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InscriptionConfig(AppConfig):
    name = "inscription"
    verbose_name = _("Inscription")
