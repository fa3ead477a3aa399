"""Turn the dossier's domain events into outgoing messages (inside the same transaction)."""
from django.core import signing
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext

from comptes.signals import bank_details_changed
from dossier.signals import (
    cell_code_issued,
    email_replaced,
    email_validation_requested,
    password_recovered,
    password_reset_requested,
    registration_draft_expiring,
    request_decided,
)
from notifications import messaging, outbox, routing
from notifications.models import OutboundChannel, SecureMessage
from ramq_portal import clock, writing

REPORT_SALT = "notifications.report-email-change"


def _notify(professional, subject: str, body: str, *, template: str, context: dict, dedupe_key: str | None = None) -> None:
    """A notice in secure messaging and, to an activated address only (EML-5), its own email; the
    message therefore needs no separate "new message" notice (NOT-3)."""
    SecureMessage.objects.create(professional=professional, subject=subject, body=body, created_at=clock.now(), notice_due=False)
    if professional.has_activated_email:
        outbox.queue(professional=professional, channel=OutboundChannel.EMAIL, to=professional.email, template=template,
                     context=context, dedupe_key=dedupe_key)


@receiver(email_validation_requested)
def _queue_validation_email(sender, token, reminder=False, **kwargs):
    outbox.queue(
        professional=token.professional, channel=OutboundChannel.EMAIL, to=token.target,
        template="courriel_rappel" if reminder else "courriel_validation", context={"token_id": token.pk},
        dedupe_key=f"rappel:{token.pk}" if reminder else None,
    )


@receiver(email_replaced)
def _queue_replacement_notice(sender, professional, previous_email, **kwargs):
    """BEY-3: tell the previous activated address, with a way to report that it was not them."""
    report_key = signing.dumps({"p": professional.pk, "e": previous_email}, salt=REPORT_SALT, compress=True)
    outbox.queue(
        professional=professional, channel=OutboundChannel.EMAIL, to=previous_email, template="courriel_remplace",
        context={"report_key": report_key},
    )


@receiver(cell_code_issued)
def _queue_cell_code(sender, token, code, **kwargs):
    outbox.queue(
        professional=token.professional, channel=OutboundChannel.SMS, to=token.target, template="cellulaire_code",
        context={"token_id": token.pk}, secret=code,
    )


@receiver(bank_details_changed)
def _notify_bank_details_changed(sender, account, settings, **kwargs):
    """BEY-4: new bank details are announced in secure messaging and, if activated, by email (EML-5)."""
    professional = account.professional
    with translation.override(professional.language):
        subject = gettext("Vos coordonnées bancaires ont été modifiées")
        body = gettext(
            "Les coordonnées bancaires du compte %(account)s ont été modifiées (compte se terminant par %(last3)s). "
            "Elles s'appliqueront au paiement du %(date)s. Si vous n'êtes pas à l'origine de ce changement, "
            "communiquez avec la Régie sans tarder."
        ) % {"account": account.number, "last3": settings.bank_account_last3, "date": writing.long_date(settings.effective_from)}
    _notify(professional, subject, body, template="coordonnees_bancaires",
            context={"account_number": account.number, "effective_from": settings.effective_from.isoformat()})


@receiver(password_reset_requested)
def _queue_password_link(sender, professional, user, **kwargs):
    """INS-2: a forgotten password, by a link to the activated email (the link is built at sending time)."""
    outbox.queue(
        professional=professional, channel=OutboundChannel.EMAIL, to=professional.email, template="mot_de_passe",
        context={"user_id": user.pk},
    )


@receiver(registration_draft_expiring)
def _remind_unfinished_registration(sender, professional, kept_until, **kwargs):
    """INS-4: before an unfinished registration is purged, a reminder in secure messaging and, if
    activated, by email (EML-5)."""
    with translation.override(professional.language):
        subject = gettext("Votre inscription à la RAMQ n'est pas terminée")
        body = gettext(
            "Votre inscription à la RAMQ est en attente. Ce que vous avez saisi est conservé jusqu'au %(date)s, puis sera "
            "supprimé. Connectez-vous aux services en ligne pour la reprendre où vous l'avez laissée."
        ) % {"date": writing.long_date(kept_until)}
    _notify(professional, subject, body, template="inscription_rappel", context={"kept_until": kept_until.isoformat()},
            dedupe_key=f"inscription-rappel:{professional.pk}:{kept_until.isoformat()}")


@receiver(password_recovered)
def _notify_new_password(sender, professional, **kwargs):
    """A new password chosen through recovery is announced, so that a takeover does not go unnoticed."""
    with translation.override(professional.language):
        subject = gettext("Votre mot de passe a été changé")
        body = gettext(
            "Le mot de passe de vos services en ligne a été changé le %(date)s au moyen de la procédure de mot de passe oublié. "
            "Si vous n'êtes pas à l'origine de ce changement, communiquez avec la Régie sans tarder."
        ) % {"date": writing.long_date(clock.now())}
    _notify(professional, subject, body, template="mot_de_passe_change", context={"changed_at": clock.now().isoformat()})


@receiver(request_decided)
def _announce_decision(sender, request, notice, correspondence, **kwargs):
    """Every decision (accepted or refused) reaches the professional as routed (NOT-4), in the request's
    conversation; in secure messaging, the NOT-3 sweep announces it by email."""
    routing.send(professional=request.professional, kind=correspondence, subject=notice.subject, body=notice.body,
                 thread_id=messaging.thread_of(request))
