"""Display modes of the page shell (BEY-9): normal, high contrast, inverted contrast."""
from django.utils.translation import gettext_lazy as _

DISPLAY_COOKIE = "mondossier_affichage"
DISPLAY_MODES = [
    ("normal", _("Affichage normal")),
    ("contraste-eleve", _("Contraste élevé")),
    ("contraste-inverse", _("Contraste inversé")),
]
_VALID = {code for code, _label in DISPLAY_MODES}


def current_display_mode(request) -> str:
    mode = request.COOKIES.get(DISPLAY_COOKIE, "normal")
    return mode if mode in _VALID else "normal"


def is_valid_mode(mode: str) -> bool:
    return mode in _VALID
