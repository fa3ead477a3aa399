"""The context of each message template, rebuilt at sending time from the ids the row holds."""
from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse

from dossier import tokens
from dossier.models import VerificationToken
from notifications.models import OutboundMessage
from ramq_portal import clock


def _validation(message: OutboundMessage, secret: str) -> dict | None:
    token = VerificationToken.objects.select_related("professional").filter(pk=message.context.get("token_id")).first()
    if token is None or tokens.death(token, clock.now()) is not None:
        return None  # superseded, used or expired before the worker ran: a dead link is not sent
    return {
        "professional": token.professional,
        "link": settings.PORTAL_BASE_URL + reverse("validate_email", args=[tokens.email_link_key(token)]),
        "expires_at": token.expires_at,
    }


def _replaced(message: OutboundMessage, secret: str) -> dict | None:
    return {
        "professional": message.professional,
        "changed_at": message.created_at,
        "report_link": settings.PORTAL_BASE_URL + reverse("report_email_change", args=[message.context["report_key"]]),
    }


def _cell_code(message: OutboundMessage, secret: str) -> dict | None:
    token = VerificationToken.objects.filter(pk=message.context.get("token_id")).first()
    if token is None or tokens.death(token, clock.now()) is not None or not secret:
        return None
    return {"code": secret, "minutes": int(tokens.CELL_CODE_LIFETIME.total_seconds() // 60)}


def _bank_details(message: OutboundMessage, secret: str) -> dict | None:
    return {
        "professional": message.professional,
        "account_number": message.context["account_number"],
        "effective_from": date.fromisoformat(message.context["effective_from"]),
        "inbox_link": settings.PORTAL_BASE_URL + reverse("notifications:inbox"),
    }


BUILDERS = {
    "coordonnees_bancaires": _bank_details,
    "courriel_validation": _validation,
    "courriel_rappel": _validation,
    "courriel_remplace": _replaced,
    "cellulaire_code": _cell_code,
}


def build(message: OutboundMessage, secret: str) -> dict | None:
    return BUILDERS[message.template](message, secret)
