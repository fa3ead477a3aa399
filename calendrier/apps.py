from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendrierConfig(AppConfig):
    name = "calendrier"
    verbose_name = _("Calendrier de paiement")

    def ready(self) -> None:
        from calendrier import receivers  # noqa: F401  (connects receivers)
