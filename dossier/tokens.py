"""Verification tokens shared by email links (EML-3, EML-4) and cell codes (CEL-2).

* Email link: the link is an HMAC of the token row (id, target, creation time) keyed with
  SECRET_KEY, like Django's password-reset tokens: nothing secret is stored, the worker can rebuild
  the link for the day-4 reminder, and a rotated key (SECRET_KEY_FALLBACKS) keeps links working.
* Cell code: 6 digits from `secrets`, stored only as an HMAC, valid 10 minutes, 5 wrong tries.
Both: one active token per professional and purpose; a newer one supersedes it; single use.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from dossier.constants import TokenPurpose, TokenState
from dossier.exceptions import TooManyMessages
from dossier.models import Professional, VerificationToken
from ramq_portal import clock

EMAIL_LINK_LIFETIME = timedelta(days=5)
EMAIL_REMINDER_AFTER = timedelta(days=4)
CELL_CODE_LIFETIME = timedelta(minutes=10)
CELL_MAX_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(minutes=1)
# Issue 16: how many links or codes may go out, whatever the door (a change of cell or email, a
# resend, a form entered by staff, the wizard): per file, and per destination whatever the file, so
# that nobody can use the portal to send texts or emails to others' numbers or addresses. Over the
# limit nothing is sent and nothing saved (TooManyMessages).
LIMITS_PER_FILE = ((timedelta(hours=1), 5), (timedelta(days=1), 10))
LIMITS_PER_DESTINATION = ((timedelta(days=1), 5),)

_EMAIL_SALT = "dossier.tokens.email-link"
_CELL_SALT = "dossier.tokens.cell-code"


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def supersede_active(*, professional: Professional, purpose: str, new_target: str, moment: datetime) -> None:
    """End the active token of this purpose: 'superseded' for the same target, 'target changed' otherwise."""
    VerificationToken.objects.filter(professional=professional, purpose=purpose, state=TokenState.ACTIVE).exclude(
        target=new_target
    ).update(state=TokenState.TARGET_CHANGED, state_changed_at=moment)
    VerificationToken.objects.filter(
        professional=professional, purpose=purpose, state=TokenState.ACTIVE, target=new_target
    ).update(state=TokenState.SUPERSEDED, state_changed_at=moment)


def kill_active(*, professional: Professional, purpose: str, state: str, moment: datetime) -> None:
    VerificationToken.objects.filter(professional=professional, purpose=purpose, state=TokenState.ACTIVE).update(
        state=state, state_changed_at=moment
    )


def check_limits(*, professional: Professional, purpose: str, target: str, moment: datetime) -> None:
    """TooManyMessages when a token of this purpose to this target would go over a limit."""
    recent = VerificationToken.objects.filter(purpose=purpose)
    for window, most in LIMITS_PER_FILE:
        if recent.filter(professional=professional, created_at__gt=moment - window).count() >= most:
            raise TooManyMessages(purpose)
    for window, most in LIMITS_PER_DESTINATION:
        if recent.filter(target__iexact=target, created_at__gt=moment - window).count() >= most:
            raise TooManyMessages(purpose)


def issue(*, professional: Professional, purpose: str, target: str, moment: datetime, code: str = "") -> VerificationToken:
    """A new active token; the caller holds the transaction (and the professional's row lock).
    TooManyMessages over the limits (LIMITS_PER_FILE, LIMITS_PER_DESTINATION)."""
    check_limits(professional=professional, purpose=purpose, target=target, moment=moment)
    supersede_active(professional=professional, purpose=purpose, new_target=target, moment=moment)
    lifetime = EMAIL_LINK_LIFETIME if purpose == TokenPurpose.EMAIL else CELL_CODE_LIFETIME
    token = VerificationToken.objects.create(
        professional=professional, purpose=purpose, target=target, created_at=moment, expires_at=clock.add(moment, lifetime),
        code_hash=hash_code(professional.pk, code) if code else "",
    )
    return token


def mark_not_sent(token_id: int | None, moment: datetime) -> None:
    """A code that could not be sent ends: the confirmation page then says to ask for a new one."""
    VerificationToken.objects.filter(pk=token_id, state=TokenState.ACTIVE).update(state=TokenState.NOT_SENT, state_changed_at=moment)


def latest_cell_code_state(professional: Professional) -> str | None:
    """The state of the latest cell code (None without one), for the confirmation page."""
    return (VerificationToken.objects.filter(professional=professional, purpose=TokenPurpose.CELL)
            .order_by("-created_at").values_list("state", flat=True).first())


def death(token: VerificationToken, moment: datetime) -> str | None:
    """Why a token no longer works (a TokenState), or None while it does."""
    if token.state != TokenState.ACTIVE:
        return token.state
    if moment >= token.expires_at:
        return TokenState.EXPIRED
    return None


def can_resend(last: VerificationToken | None, moment: datetime) -> bool:
    return last is None or moment - last.created_at >= RESEND_INTERVAL


# --- email links -----------------------------------------------------------------------------------


def _link_mac(token: VerificationToken, secret: str) -> str:
    value = f"{token.pk}|{token.target.lower()}|{int(token.created_at.timestamp())}"
    return salted_hmac(_EMAIL_SALT, value, secret=secret, algorithm="sha256").hexdigest()[:40]


def email_link_key(token: VerificationToken) -> str:
    return f"{int_to_base36(token.pk)}-{_link_mac(token, settings.SECRET_KEY)}"


def find_email_token(key: str) -> VerificationToken | None:
    """The token a link designates, if the link is genuine (whatever the token's state)."""
    pk_b36, sep, mac = key.partition("-")
    if not sep or len(pk_b36) > 13:
        return None
    try:
        pk = base36_to_int(pk_b36)
    except ValueError:
        return None
    token = VerificationToken.objects.select_related("professional").filter(pk=pk, purpose=TokenPurpose.EMAIL).first()
    if token is None:
        return None
    if any(constant_time_compare(mac, _link_mac(token, secret)) for secret in _secrets()):
        return token
    return None


# --- cell codes ------------------------------------------------------------------------------------


def new_cell_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_code(professional_pk: int, code: str) -> str:
    return salted_hmac(_CELL_SALT, f"{professional_pk}|{code}", algorithm="sha256").hexdigest()


def code_matches(token: VerificationToken, code: str) -> bool:
    return any(
        constant_time_compare(
            token.code_hash, salted_hmac(_CELL_SALT, f"{token.professional_id}|{code}", secret=s, algorithm="sha256").hexdigest()
        )
        for s in _secrets()
    )
