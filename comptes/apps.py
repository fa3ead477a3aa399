from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComptesConfig(AppConfig):
    name = "comptes"
    verbose_name = _("Comptes de facturation")

    def ready(self) -> None:
        from comptes import history_sources, receivers, request_kinds  # noqa: F401  (history sources, receivers, kinds of request)
