"""The project's URLs plus one that fails, for the browser tests that look at the page of a server error
(templates/500.html, shown by Django's handler500): `@pytest.mark.urls("tests.browser.error_urls")`.
The project itself has no URL that raises."""
from django.urls import path

from ramq_portal import urls as portal_urls

SERVER_ERROR_PATH = "/tests/erreur-serveur/"


def fail(request):
    raise RuntimeError("a server error, on purpose (tests/browser/error_urls.py)")


urlpatterns = [*portal_urls.urlpatterns, path(SERVER_ERROR_PATH.lstrip("/"), fail)]
# The project's own error views if it names some, Django's otherwise (as for the project's URLs).
handler403 = getattr(portal_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(portal_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(portal_urls, "handler500", "django.views.defaults.server_error")
