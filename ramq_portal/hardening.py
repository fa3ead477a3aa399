"""What every response of the portal owes to hostile traffic and shared computers (issue 16).

* `PrivatePagesMiddleware`: a page shown to a signed-in person is never kept by the browser's cache,
  its back-forward cache or a proxy (`Cache-Control: no-store, private`): on a shared computer, the
  next person cannot bring it back with the Back button or from the disk cache.
* `BodySizeMiddleware`: a request announcing a body larger than MAX_REQUEST_BODY_BYTES is answered 413
  before anything reads it. Its largest form (a practice with 100 places) is well under 100 KB; Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE bounds the fields of a body sent without a length. The proxy in front
  (docker-compose.yml) refuses the same sizes first.
* `ContentSecurityPolicyMiddleware`: django-csp's middleware, with the header built once per policy
  rather than for every response (issue 14: django-csp copies each of its thirty-odd directives, for the
  policy and again for the report-only one, about a fifth of the CPU of a page served from its cache).
* `DiscardUploads`, the only upload handler: the portal takes no file, so a file part of a form is read
  and dropped, never kept in memory nor spooled to disk.
"""
from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None:
            patch_cache_control(response, no_store=True, private=True)
        return response


class BodySizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return HttpResponse(_("La demande est trop volumineuse."), status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The portal's policy is one for every page (settings.CONTENT_SECURITY_POLICY: no nonce, no view
    with a policy of its own), so its header is built once per settings value. A response given a policy
    of its own by django-csp's decorators, a request that used a nonce, or an exempted response goes
    through django-csp unchanged."""

    OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
                  "_csp_exempt", "_csp_exempt_ro")
    _built: tuple[object, object, str, str] | None = None  # (policy, report-only policy, their headers)

    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, name) for name in self.OWN_POLICY)
                or (settings.DEBUG and response.status_code in (404, 500))):
            return super().process_response(request, response)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = self._built
        if built is None or built[0] is not policy or built[1] is not report_only:
            built = self._built = (policy, report_only, build_policy(), build_policy(report_only=True))
        for header, value, config in ((HEADER, built[2], policy), (HEADER_REPORT_ONLY, built[3], report_only)):
            prefixes = tuple((config or {}).get("EXCLUDE_URL_PREFIXES") or ())
            if value and header not in response and not request.path_info.startswith(prefixes):
                response[header] = value
        # As django-csp does: once the header is written, a nonce asked for is an error, never ignored.
        request.csp_nonce = self._post_response_nonce
        return response

    # One shared object for every request: it only raises django-csp's error, whenever it is read.
    _post_response_nonce = CheckableLazyObject(CSPMiddleware._csp_nonce_post_response)


class DiscardUploads(FileUploadHandler):
    def receive_data_chunk(self, raw_data, start):
        return None  # consumed here, handed to no other handler

    def file_complete(self, file_size):
        return None  # no file: request.FILES stays empty
