from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuichetConfig(AppConfig):
    """The staff's case tool (STF-1, STF-2): the request queue, paper forms, replies, the file at a glance.
    It stands above every other app and nothing imports it."""

    name = "guichet"
    verbose_name = _("Traitement des demandes")
