from ramq_portal.display import DISPLAY_MODES, current_display_mode


def shell(request):
    """What the page shell needs on every page: the display mode and its choices."""
    return {"display_mode": current_display_mode(request), "display_modes": DISPLAY_MODES}
