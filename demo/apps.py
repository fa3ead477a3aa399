from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data of `make run` (demo/data.py) and its commands: the top layer, which every app may
    feed and none imports."""

    name = "demo"
    verbose_name = _("Données de démonstration")
