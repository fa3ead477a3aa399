"""The routing service (NOT-4): how each correspondence reaches a professional, post or secure
messaging, decided in one place.

* A kind that cannot be chosen (PRF-1: legal notices, tax slips) always goes by post.
* A choosable kind follows the professional's preference **in force on the sending date** (a pending
  change does not count yet); without one, PRF-2's default: secure messaging once enrolled in the
  online services, post otherwise.
* A statement of account (ETC-4, ETC-5) goes to secure messaging, and by post as well when its balance
  is negative, when it goes to the estate of a deceased professional, or when the professional asked
  for paper.

What goes by post enters the print queue with the address in force on the sending date: the
correspondence address for letters (the old one until a change takes effect, PRO-5), the statement
address for statements.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext

from dossier import dated
from dossier.constants import ALWAYS_BY_POST, Channel
from dossier.models import Professional
from notifications.models import PrintItem, SecureMessage, Statement
from ramq_portal import clock

STATEMENT = "etat_de_compte"


class Reason:
    ALWAYS_BY_POST = "toujours_poste"
    PREFERENCE = "preference"
    DEFAULT = "defaut"
    NEGATIVE_BALANCE = "solde_negatif"
    ESTATE = "succession"
    PAPER_REQUESTED = "papier_demande"
    STATEMENT = "etat_de_compte"


@dataclass(frozen=True)
class Decision:
    by_post: bool
    by_secure_messaging: bool
    reason: str


def decide(*, professional: Professional, kind: str, on: date) -> Decision:
    """PRF-1..3 for one kind of correspondence sent on `on`."""
    if kind in ALWAYS_BY_POST:
        return Decision(True, False, Reason.ALWAYS_BY_POST)
    rows = professional.preferences.filter(kind=kind, cancelled_at__isnull=True).order_by("effective_from", "recorded_at")
    in_force = dated.split(rows, on).in_force
    if in_force is not None:
        channel, reason = in_force.channel, Reason.PREFERENCE
    else:
        channel, reason = (Channel.SECURE_MESSAGING if professional.is_enrolled else Channel.POST), Reason.DEFAULT
    if channel == Channel.SECURE_MESSAGING and not professional.is_enrolled:
        channel = Channel.POST  # no inbox to read without an online-services account
    return Decision(channel == Channel.POST, channel == Channel.SECURE_MESSAGING, reason)


def decide_statement(*, statement: Statement) -> Decision:
    """ETC-4, ETC-5: secure messaging, and by post in the three cases that force it."""
    account = statement.account
    professional = account.professional
    settings = getattr(account, "statement_settings", None)
    on_screen = professional.is_enrolled
    if statement.balance < 0:
        return Decision(True, on_screen, Reason.NEGATIVE_BALANCE)
    if professional.deceased_on is not None and professional.deceased_on <= statement.payment_date:
        return Decision(True, on_screen, Reason.ESTATE)
    if settings is not None and settings.paper_requested:
        return Decision(True, on_screen, Reason.PAPER_REQUESTED)
    return Decision(not on_screen, on_screen, Reason.STATEMENT)


def correspondence_address(professional: Professional, on: date) -> str:
    """The correspondence address in force on `on`, as printed on the envelope."""
    rows = professional.correspondence_addresses.filter(cancelled_at__isnull=True).order_by("effective_from", "recorded_at")
    address = dated.split(rows, on).in_force
    return "\n".join([professional.full_name, *address.lines()]) if address is not None else ""


def send(*, professional: Professional, kind: str, subject: str, body: str, on: date | None = None) -> Decision:
    """Send one correspondence of `kind` as routed: a message in secure messaging, a print-queue item, or
    both. Written in the caller's transaction: nothing goes out for a change that is rolled back."""
    on = on or clock.today()
    decision = decide(professional=professional, kind=kind, on=on)
    now = clock.now()
    with transaction.atomic():
        if decision.by_secure_messaging:
            SecureMessage.objects.create(professional=professional, subject=subject, body=body, created_at=now)
        if decision.by_post:
            PrintItem.objects.create(professional=professional, kind=kind, reason=decision.reason, subject=subject, body=body,
                                     address=correspondence_address(professional, on), sending_date=on, created_at=now)
    return decision


def statement_address(statement: Statement) -> str:
    settings = getattr(statement.account, "statement_settings", None)
    if settings is None:  # ETC-5 makes it required; an account without settings falls back on the file's
        return correspondence_address(statement.account.professional, statement.payment_date)
    return "\n".join([statement.account.professional.full_name, *settings.lines()])


def send_statement(*, statement: Statement) -> Decision:
    """Route one statement (ETC-4, ETC-5): in secure messaging and/or in the print queue, to the
    statement address."""
    decision = decide_statement(statement=statement)
    professional = statement.account.professional
    with translation.override(professional.language):
        subject = gettext("État de compte du %(date)s — compte %(account)s") % {
            "date": formats.date_format(statement.payment_date, "j F Y"), "account": statement.account.number}
        body = gettext("Votre état de compte du paiement du %(date)s est produit. Solde : %(balance)s $.") % {
            "date": formats.date_format(statement.payment_date, "j F Y"), "balance": formats.number_format(statement.balance, 2)}
    now = clock.now()
    with transaction.atomic():
        if decision.by_secure_messaging:
            SecureMessage.objects.create(professional=professional, subject=subject, body=body, created_at=now)
        if decision.by_post:
            PrintItem.objects.create(professional=professional, account=statement.account, kind=STATEMENT, reason=decision.reason,
                                     subject=subject, body=body, address=statement_address(statement),
                                     sending_date=statement.payment_date, created_at=now)
    return decision
