"""What every response of the portal owes to hostile traffic and shared computers (issue 16).

* `PrivatePagesMiddleware`: a page shown to a signed-in person is never kept by the browser's cache,
  its back-forward cache or a proxy (`Cache-Control: no-store, private`): on a shared computer, the
  next person cannot bring it back with the Back button or from the disk cache.
* `BodySizeMiddleware`: a request announcing a body larger than MAX_REQUEST_BODY_BYTES is answered 413
  before anything reads it. Its largest form (a practice with 100 places) is well under 100 KB; Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE bounds the fields of a body sent without a length. The proxy in front
  (docker-compose.yml) refuses the same sizes first.
* `DiscardUploads`, the only upload handler: the portal takes no file, so a file part of a form is read
  and dropped, never kept in memory nor spooled to disk.
"""
from __future__ import annotations

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


class DiscardUploads(FileUploadHandler):
    def receive_data_chunk(self, raw_data, start):
        return None  # consumed here, handed to no other handler

    def file_complete(self, file_size):
        return None  # no file: request.FILES stays empty
