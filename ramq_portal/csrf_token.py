"""The CSRF token written into a kept page, masked as Django masks it, for a fraction of the cost (issue 14).

A page served from the file's page cache (ramq_portal.filecache) gets this request's CSRF token in
place of a placeholder. Django's `get_token` masks the secret with a mask of 32 characters drawn one
at a time through `secrets.choice` (32 calls to the random generator and a list scan per character):
about 40 µs, a tenth of a kept page. `get_token` here draws the whole mask from one `os.urandom` call,
by rejection (a byte is kept only below the largest multiple of 62, so that each of the 62 characters
stays equally likely), from the same secret (the cookie's, read by CsrfViewMiddleware), and gives a
token of the same form, which Django unmasks and checks as one of its own.

One thing Django's does that this one does not: flag the cookie to be sent again with the page, to
push its expiry back (CSRF_COOKIE_AGE, a year). That is another 35 µs per page (the cookie's header
and its date formatted, on every response), and it renews nothing that could lapse: a kept page is a
page of a signed-in professional (`filecache.serve`, after `login_required`), sign-in gives a fresh CSRF
cookie (django.contrib.auth.login rotates it), and a session ends at the latest SESSION_ABSOLUTE_TIMEOUT
(12 hours) after sign-in, far inside the cookie's year (tests/test_csrf_token.py checks both). A request
with no secret yet still gets one, and its cookie, from Django.
"""
from __future__ import annotations

import os

from django.middleware import csrf

_CHARS = csrf.CSRF_ALLOWED_CHARS
_BASE = len(_CHARS)
_INDEX = {char: index for index, char in enumerate(_CHARS)}
_BELOW = 256 - 256 % _BASE  # bytes from here on are dropped: they would favour the first characters


def _mask() -> list[int]:
    """CSRF_SECRET_LENGTH uniform draws in range(62), from the operating system's random source."""
    drawn: list[int] = []
    while len(drawn) < csrf.CSRF_SECRET_LENGTH:
        drawn += [byte % _BASE for byte in os.urandom(csrf.CSRF_SECRET_LENGTH + 8) if byte < _BELOW]
    return drawn[: csrf.CSRF_SECRET_LENGTH]


def get_token(request) -> str:
    """What django.middleware.csrf.get_token returns for this request (a fresh masking of its secret),
    without sending the cookie again (see above)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:  # no secret yet: Django makes one and sets its cookie
        return csrf.get_token(request)
    mask = _mask()
    return "".join([_CHARS[m] for m in mask]) + "".join([_CHARS[(_INDEX[char] + m) % _BASE] for char, m in zip(secret, mask, strict=True)])
