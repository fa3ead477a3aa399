"""The staff's admin site: Django's, with every view guarded against addresses no search or filter can
serve. It is the default site (ramq_portal.apps.PortalAdminConfig), so every app's
`@admin.register` lands here."""
from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def has_nul_character(query) -> bool:
    """A NUL character in a query string's keys or values: never legitimate, and PostgreSQL refuses it
    in any text (an admin search or filter with `%00` was a server error)."""
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class PortalAdminSite(admin.AdminSite):
    site_header = "Mon dossier — administration"
    site_title = "Mon dossier"
    # Django's "Voir le site" led staff to the professionals' portal, which answers them 404 (DOS-5):
    # the top bar links to the request queue instead (templates/admin/base_site.html).
    site_url = None

    def admin_view(self, view, cacheable=False):
        guarded_view = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            if "\x00" in request.path or has_nul_character(request.GET):
                context = {**self.each_context(request), "title": _("Adresse invalide")}
                return TemplateResponse(request, "admin/bad_address.html", context, status=400)
            return guarded_view(request, *args, **kwargs)

        return inner
