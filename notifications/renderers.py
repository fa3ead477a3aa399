"""The context of each message template, rebuilt at sending time from the ids the row holds."""
from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dossier import tokens
from dossier.models import User, VerificationToken
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


def _password_link(message: OutboundMessage, secret: str) -> dict | None:
    user = User.objects.filter(pk=message.context.get("user_id"), is_active=True).first()
    if user is None:
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return {
        "professional": message.professional,
        "link": settings.PORTAL_BASE_URL + reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]),
        "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }


def _registration_reminder(message: OutboundMessage, secret: str) -> dict | None:
    return {
        "professional": message.professional,
        "kept_until": date.fromisoformat(message.context["kept_until"]),
        "link": settings.PORTAL_BASE_URL + reverse("login"),
    }


def _password_changed(message: OutboundMessage, secret: str) -> dict | None:
    return {"professional": message.professional, "changed_at": message.created_at}


def _new_message(message: OutboundMessage, secret: str) -> dict | None:
    professional = message.professional
    if not (professional.has_activated_email and professional.email == message.to):
        return None  # EML-5: the address changed, or is no longer activated, since the sweep
    return {"professional": message.professional, "count": message.context.get("count", 1),
            "inbox_link": settings.PORTAL_BASE_URL + reverse("notifications:inbox")}


BUILDERS = {
    "nouveau_message": _new_message,
    "mot_de_passe": _password_link,
    "mot_de_passe_change": _password_changed,
    "inscription_rappel": _registration_reminder,
    "coordonnees_bancaires": _bank_details,
    "courriel_validation": _validation,
    "courriel_rappel": _validation,
    "courriel_remplace": _replaced,
    "cellulaire_code": _cell_code,
}


def build(message: OutboundMessage, secret: str) -> dict | None:
    return BUILDERS[message.template](message, secret)
