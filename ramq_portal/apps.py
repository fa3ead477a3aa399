from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, with the portal's site (ramq_portal.admin_site.PortalAdminSite) as the default."""

    default_site = "ramq_portal.admin_site.PortalAdminSite"
