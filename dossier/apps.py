from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    name = "dossier"
    verbose_name = _("Dossiers des professionnels")

    def ready(self) -> None:
        from dossier import signals  # noqa: F401  (connects receivers)
