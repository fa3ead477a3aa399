from ramq_portal.display import DISPLAY_MODES, current_display_mode
from ramq_portal.filecache import CSRF_PLACEHOLDER, HOLES_ATTRIBUTE, PATH_PLACEHOLDER


def shell(request):
    """What the page shell needs on every page: the display mode and its choices, and the path the
    language and display forms come back to. While a page of the file renders for the page cache
    (ramq_portal.filecache.serve), the CSRF token and the path are placeholders, filled per request."""
    if getattr(request, HOLES_ATTRIBUTE, False):
        return {"display_mode": current_display_mode(request), "display_modes": DISPLAY_MODES,
                "page_path": PATH_PLACEHOLDER, "csrf_token": CSRF_PLACEHOLDER}
    return {"display_mode": current_display_mode(request), "display_modes": DISPLAY_MODES, "page_path": request.get_full_path()}
