from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications et messagerie sécurisée")

    def ready(self) -> None:
        from notifications import receivers, request_kinds  # noqa: F401  (connects receivers, registers its kinds of request)
