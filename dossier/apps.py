from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    name = "dossier"
    verbose_name = _("Dossiers des professionnels")

    def ready(self) -> None:
        from dossier import receivers, request_kinds  # noqa: F401  (connects receivers, registers its kinds of request)
