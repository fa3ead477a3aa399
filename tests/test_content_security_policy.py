"""The portal's Content-Security-Policy header (ramq_portal.hardening.ContentSecurityPolicyMiddleware):
django-csp's policy, built once per settings value instead of for every response (issue 14), and still
django-csp's own build wherever a response or a request asks for something else."""
from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from ramq_portal.hardening import ContentSecurityPolicyMiddleware


def _respond(view, path="/profil/"):
    middleware = ContentSecurityPolicyMiddleware(view)
    request = RequestFactory().get(path)
    return request, middleware(request)


def _page(request):
    return HttpResponse("page")


def _directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
def test_every_page_carries_django_csps_policy(client):
    response = client.get(reverse("login"))
    assert _directives(response[HEADER]) == _directives(build_policy())
    assert _directives(response[HEADER])["script-src"] == "'self'"
    assert _directives(response[HEADER])["frame-ancestors"] == "'none'"
    assert HEADER_REPORT_ONLY not in response


def test_the_header_follows_a_change_of_the_settings():
    _request, before = _respond(_page)
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "https://cartes.example"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy):
        _request, during = _respond(_page)
    _request, after = _respond(_page)
    assert _directives(during[HEADER])["img-src"] == "'self' https://cartes.example"
    assert _directives(during[HEADER_REPORT_ONLY])["img-src"] == "'self' https://cartes.example"
    assert "cartes.example" not in before[HEADER] and after[HEADER] == before[HEADER]
    assert HEADER_REPORT_ONLY not in after


def test_a_view_with_a_policy_of_its_own_gets_it():
    @csp_update({"img-src": "https://cartes.example"})
    def own(request):
        return HttpResponse("carte")

    _request, response = _respond(own)
    assert _directives(response[HEADER])["img-src"] == "'self' data: https://cartes.example"
    _request, plain = _respond(_page)
    assert "cartes.example" not in plain[HEADER]


def test_an_exempted_view_gets_no_header():
    _request, response = _respond(csp_exempt()(_page))
    assert HEADER not in response


def test_a_nonce_used_by_the_page_is_in_its_header_and_refused_once_the_header_is_written():
    def with_nonce(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    policy = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        request, response = _respond(with_nonce)
        nonce = request._csp_nonce
        assert f"'nonce-{nonce}'" in _directives(response[HEADER])["script-src"]
        _request, plain = _respond(_page)
    assert "nonce" not in _directives(plain[HEADER])["script-src"]
    plain_request, _response = _respond(_page)
    with pytest.raises(CSPNonceError):
        str(plain_request.csp_nonce)
