"""The routing service (NOT-4): how each correspondence reaches a professional, post or secure
messaging, decided in one place.

* A kind that cannot be chosen (PRF-1: legal notices, tax slips) always goes by post.
* A choosable kind follows the professional's preference **in force on the sending date** (a pending
  change does not count yet); without one, PRF-2's default: secure messaging once enrolled in the
  online services, post otherwise.
* A statement of account (ETC-4, ETC-5) goes to secure messaging, and by post as well when its balance
  is negative, when it goes to the estate of a deceased professional, or when the professional asked
  for paper.
* A deposit notice (NOT-2) is a correspondence of the kind *Vos paiements*.

What goes by post enters the print queue with the address in force on the sending date: the
correspondence address for letters (the old one until a change takes effect, PRO-5), the statement
address for statements.

The rules are plain functions of rows already loaded (`choose`, `decide_statement`, `items`), so the
payment run applies them to a batch of thousands with a fixed number of queries; `send` and
`send_statement` are the one-letter entry points.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext

from dossier import dated
from dossier.constants import ALWAYS_BY_POST, Channel, CorrespondenceKind
from dossier.models import CorrespondenceAddress, CorrespondencePreference, Professional
from dossier.selectors import correspondence_address_on
from notifications.models import DepositNotice, PrintItem, SecureMessage, Statement
from ramq_portal import clock

STATEMENT = "etat_de_compte"
DEPOSIT_NOTICE_KIND = CorrespondenceKind.PAYMENTS


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


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


def choose(*, professional: Professional, kind: str, preference: CorrespondencePreference | None) -> Decision:
    """PRF-1..3, given the professional's preference for `kind` in force on the sending date (or None)."""
    if kind in ALWAYS_BY_POST:
        return Decision(True, False, Reason.ALWAYS_BY_POST)
    if preference is not None:
        channel, reason = preference.channel, Reason.PREFERENCE
    else:
        channel, reason = (Channel.SECURE_MESSAGING if professional.is_enrolled else Channel.POST), Reason.DEFAULT
    if channel == Channel.SECURE_MESSAGING and not professional.is_enrolled:
        channel = Channel.POST  # no inbox to read without an online-services account
    return Decision(channel == Channel.POST, channel == Channel.SECURE_MESSAGING, reason)


def in_force(rows: Iterable, on: date):
    """The row of one dated slot in force on `on` (None before the first)."""
    return dated.split(rows, on).in_force


def decide(*, professional: Professional, kind: str, on: date) -> Decision:
    """PRF-1..3 for one kind of correspondence sent on `on`."""
    rows = professional.preferences.filter(kind=kind, cancelled_at__isnull=True)
    return choose(professional=professional, kind=kind, preference=in_force(rows, on))


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


def envelope(professional: Professional, address: CorrespondenceAddress | None) -> str:
    """An address as printed on the envelope ("" when the file has none: staff see it in the queue)."""
    return "\n".join([professional.full_name, *address.lines()]) if address is not None else ""


def correspondence_address(professional: Professional, on: date) -> str:
    """The correspondence address in force on `on`, as printed on the envelope."""
    return envelope(professional, correspondence_address_on(professional, on).in_force)


def statement_address(statement: Statement, correspondence: CorrespondenceAddress | None = None) -> str:
    """ETC-5: the statement address of the account; an account without one falls back on the file's
    correspondence address (`correspondence`, when the caller already loaded it)."""
    settings = getattr(statement.account, "statement_settings", None)
    professional = statement.account.professional
    if settings is not None:
        return envelope(professional, settings)
    if correspondence is not None:
        return envelope(professional, correspondence)
    return correspondence_address(professional, statement.payment_date)


def statement_letter(statement: Statement) -> Letter:
    """The statement's message, in the professional's language."""
    with translation.override(statement.account.professional.language):
        return Letter(
            gettext("État de compte du %(date)s — compte %(account)s") % {
                "date": clock.long_date(statement.payment_date), "account": statement.account.number},
            gettext("Votre état de compte du paiement du %(date)s est produit. Solde : %(balance)s $.") % {
                "date": clock.long_date(statement.payment_date), "balance": formats.number_format(statement.balance, 2)},
        )


def deposit_letter(notice: DepositNotice) -> Letter:
    """The deposit notice's message (NOT-2, PAI-3), in the professional's language."""
    with translation.override(notice.account.professional.language):
        return Letter(
            gettext("Avis de dépôt du paiement du %(date)s — compte %(account)s") % {
                "date": clock.long_date(notice.payment_date), "account": notice.account.number},
            gettext("Le paiement du %(date)s sera déposé le %(deposit)s dans votre compte bancaire %(bank)s.") % {
                "date": clock.long_date(notice.payment_date), "deposit": clock.long_date(notice.deposit_date), "bank": notice.bank_account_masked},
        )


def items(
    *, professional: Professional, decision: Decision, letter: Letter, kind: str, address: str, on: date, moment: datetime,
    account=None, thread_id: int | None = None,
) -> list[SecureMessage | PrintItem]:
    """The unsaved rows that carry one correspondence as decided: a message (in the conversation
    `thread_id`, a request, when there is one), a print-queue item, or both."""
    rows: list[SecureMessage | PrintItem] = []
    if decision.by_secure_messaging:
        rows.append(SecureMessage(professional=professional, subject=letter.subject, body=letter.body, created_at=moment, thread_id=thread_id))
    if decision.by_post:
        rows.append(PrintItem(professional=professional, account=account, kind=kind, reason=decision.reason, subject=letter.subject,
                              body=letter.body, address=address, sending_date=on, created_at=moment))
    return rows


def _save(rows: list[SecureMessage | PrintItem]) -> None:
    with transaction.atomic():
        for row in rows:
            row.save()


def send(*, professional: Professional, kind: str, subject: str, body: str, on: date | None = None,
         thread_id: int | None = None) -> Decision:
    """Send one correspondence of `kind` as routed (in the conversation `thread_id` when it answers
    a request). Written in the caller's transaction: nothing goes out for a change that is rolled back."""
    on = on or clock.today()
    decision = decide(professional=professional, kind=kind, on=on)
    address = correspondence_address(professional, on) if decision.by_post else ""
    _save(items(professional=professional, decision=decision, letter=Letter(subject, body), kind=kind, address=address, on=on,
                moment=clock.now(), thread_id=thread_id))
    return decision


def send_statement(*, statement: Statement) -> Decision:
    """Route one statement (ETC-4, ETC-5): in secure messaging and/or in the print queue, to the
    statement address."""
    decision = decide_statement(statement=statement)
    address = statement_address(statement) if decision.by_post else ""
    _save(items(professional=statement.account.professional, decision=decision, letter=statement_letter(statement), kind=STATEMENT,
                address=address, on=statement.payment_date, moment=clock.now(), account=statement.account))
    return decision
