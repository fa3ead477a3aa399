from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    name = "dossier"
    verbose_name = _("Dossiers des professionnels")

    def ready(self) -> None:
        from dossier import request_kinds, signals  # noqa: F401  (registers its kinds of request, connects receivers)
