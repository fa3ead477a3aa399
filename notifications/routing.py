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
`send_statement` are the one-letter entry points. Under those, each rule is a function of plain values
(`route`, `route_statement`, `statement_envelope`, `PaymentLetters`, `item_rows`): the payment run
calls these with the tuples it reads, without building model instances, and gets the same decisions,
texts and rows as the functions above, which call them too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Iterable

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from dossier.addresses import envelope_lines

from dossier import dated
from dossier.constants import ALWAYS_BY_POST, Channel, CorrespondenceKind
from dossier.models import CorrespondenceAddress, CorrespondencePreference, Professional
from dossier.selectors import correspondence_address_on
from notifications.models import DepositNotice, PrintItem, SecureMessage, Statement
from ramq_portal import clock, writing

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


@lru_cache(maxsize=64)
def route(*, kind: str, enrolled: bool, preferred: str | None) -> Decision:
    """PRF-1..3: the decision for a correspondence of `kind` to a professional enrolled or not, whose
    preference for that kind in force on the sending date is the channel `preferred` (None: none).
    A function of these three values only, hence cached (a payment run asks it 100,000 times)."""
    if kind in ALWAYS_BY_POST:
        return Decision(True, False, Reason.ALWAYS_BY_POST)
    if preferred is not None:
        channel, reason = preferred, Reason.PREFERENCE
    else:
        channel, reason = (Channel.SECURE_MESSAGING if enrolled else Channel.POST), Reason.DEFAULT
    if channel == Channel.SECURE_MESSAGING and not enrolled:
        channel = Channel.POST  # no inbox to read without an online-services account
    return Decision(channel == Channel.POST, channel == Channel.SECURE_MESSAGING, reason)


def choose(*, professional: Professional, kind: str, preference: CorrespondencePreference | None) -> Decision:
    """PRF-1..3, given the professional's preference for `kind` in force on the sending date (or None)."""
    return route(kind=kind, enrolled=professional.is_enrolled, preferred=preference.channel if preference is not None else None)


def in_force(rows: Iterable, on: date):
    """The row of one dated slot in force on `on` (None before the first)."""
    return dated.split(rows, on).in_force


def decide(*, professional: Professional, kind: str, on: date) -> Decision:
    """PRF-1..3 for one kind of correspondence sent on `on`."""
    rows = professional.preferences.filter(kind=kind, cancelled_at__isnull=True)
    return choose(professional=professional, kind=kind, preference=in_force(rows, on))


_STATEMENT_DECISIONS = {
    (reason, on_screen): Decision(reason != Reason.STATEMENT or not on_screen, on_screen, reason)
    for reason in (Reason.NEGATIVE_BALANCE, Reason.ESTATE, Reason.PAPER_REQUESTED, Reason.STATEMENT) for on_screen in (True, False)
}


def route_statement(*, balance, payment_date: date, professional: Professional, settings) -> Decision:
    """ETC-4, ETC-5: secure messaging (when enrolled), and by post in the three cases that force it (or
    when there is no inbox). From the statement's balance and date, the professional's file and the
    account's statement settings (None when it has none); a file or settings read as a tuple with the
    same names will do."""
    if balance < 0:
        reason = Reason.NEGATIVE_BALANCE
    elif professional.deceased_on is not None and professional.deceased_on <= payment_date:
        reason = Reason.ESTATE
    elif settings is not None and settings.paper_requested:
        reason = Reason.PAPER_REQUESTED
    else:
        reason = Reason.STATEMENT
    return _STATEMENT_DECISIONS[reason, professional.is_enrolled]


def decide_statement(*, statement: Statement) -> Decision:
    """ETC-4, ETC-5: secure messaging, and by post in the three cases that force it."""
    account = statement.account
    return route_statement(balance=statement.balance, payment_date=statement.payment_date, professional=account.professional,
                           settings=getattr(account, "statement_settings", None))


def envelope(professional: Professional, address: CorrespondenceAddress | None) -> str:
    """An address as printed on the envelope ("" when the file has none: staff see it in the queue).
    `address` is a row with the address fields (or a tuple with the same names: `envelope_lines`)."""
    return "\n".join([professional.full_name, *envelope_lines(address)]) if address is not None else ""


def correspondence_address(professional: Professional, on: date) -> str:
    """The correspondence address in force on `on`, as printed on the envelope."""
    return envelope(professional, correspondence_address_on(professional, on).in_force)


def statement_address(statement: Statement, correspondence: CorrespondenceAddress | None = None) -> str:
    """ETC-5: the statement address of the account; an account without one falls back on the file's
    correspondence address (`correspondence`, when the caller already loaded it)."""
    settings = getattr(statement.account, "statement_settings", None)
    professional = statement.account.professional
    if settings is None and correspondence is None:
        return correspondence_address(professional, statement.payment_date)
    return statement_envelope(professional, settings, correspondence)


def statement_envelope(professional: Professional, settings, correspondence: CorrespondenceAddress | None) -> str:
    """ETC-5: the statement address (`settings`, the account's statement settings) as printed on the
    envelope; for an account without one, the correspondence address in force (`correspondence`)."""
    return envelope(professional, settings if settings is not None else correspondence)


class PaymentLetters:
    """The texts of one payment date's letters in one language: translated and dated once (a payment
    run renders 100,000 of them in two languages), then filled with each account's number and amounts
    exactly as `statement_letter` and `deposit_letter`, which use it, render one."""

    def __init__(self, language: str, payment_date: date, deposit_date: date | None = None):
        with translation.override(language):
            self.statement_subject = gettext("État de compte du %(date)s — compte %(account)s")
            self.statement_body = gettext("Votre état de compte du paiement du %(date)s est produit. Solde : %(balance)s.")
            self.deposit_subject = gettext("Avis de dépôt du paiement du %(date)s — compte %(account)s")
            self.deposit_body = gettext("Le paiement du %(date)s sera déposé le %(deposit)s dans votre compte bancaire %(bank)s.")
            self.date = writing.long_date(payment_date)
            self.deposit = writing.long_date(deposit_date) if deposit_date is not None else None
        self.language = language
        self._amounts: dict[tuple[type, str], str] = {}

    def amount(self, value) -> str:
        """`writing.amount(value)` in this language (amounts repeat: each is formatted once)."""
        key = (type(value), str(value))
        text = self._amounts.get(key)
        if text is None:
            text = self._amounts[key] = writing.amount(value, language=self.language)
        return text

    def statement(self, *, account_number: str, balance: Decimal) -> Letter:
        return Letter(self.statement_subject % {"date": self.date, "account": account_number},
                      self.statement_body % {"date": self.date, "balance": self.amount(balance)})

    def deposit_notice(self, *, account_number: str, bank_account_masked: str) -> Letter:
        return Letter(self.deposit_subject % {"date": self.date, "account": account_number},
                      self.deposit_body % {"date": self.date, "deposit": self.deposit, "bank": bank_account_masked})


def statement_letter(statement: Statement) -> Letter:
    """The statement's message, in the professional's language."""
    letters = PaymentLetters(statement.account.professional.language, statement.payment_date)
    return letters.statement(account_number=statement.account.number, balance=statement.balance)


def deposit_letter(notice: DepositNotice) -> Letter:
    """The deposit notice's message (NOT-2, PAI-3), in the professional's language."""
    letters = PaymentLetters(notice.account.professional.language, notice.payment_date, notice.deposit_date)
    return letters.deposit_notice(account_number=notice.account.number, bank_account_masked=notice.bank_account_masked)


# The columns of the rows `item_rows` gives, in order (model attribute names).
MESSAGE_COLUMNS = ("professional_id", "subject", "body", "created_at", "thread_id")
PRINT_COLUMNS = ("professional_id", "account_id", "kind", "reason", "subject", "body", "address", "sending_date", "created_at")


def item_rows(
    *, professional_id: int, decision: Decision, letter: Letter, kind: str, address: str, on: date, moment: datetime,
    account_id: int | None = None, thread_id: int | None = None,
) -> tuple[tuple | None, tuple | None]:
    """What carries one correspondence as decided, as values: the message's (MESSAGE_COLUMNS) or None,
    and the print-queue item's (PRINT_COLUMNS) or None."""
    message = (professional_id, letter.subject, letter.body, moment, thread_id) if decision.by_secure_messaging else None
    printed = ((professional_id, account_id, kind, decision.reason, letter.subject, letter.body, address, on, moment)
               if decision.by_post else None)
    return message, printed


def items(
    *, professional: Professional, decision: Decision, letter: Letter, kind: str, address: str, on: date, moment: datetime,
    account=None, thread_id: int | None = None,
) -> list[SecureMessage | PrintItem]:
    """The unsaved rows that carry one correspondence as decided: a message (in the conversation
    `thread_id`, a request, when there is one), a print-queue item, or both."""
    message, printed = item_rows(professional_id=professional.pk, decision=decision, letter=letter, kind=kind, address=address, on=on,
                                 moment=moment, account_id=account.pk if account is not None else None, thread_id=thread_id)
    rows: list[SecureMessage | PrintItem] = []
    if message is not None:
        rows.append(SecureMessage(professional=professional, **dict(zip(MESSAGE_COLUMNS[1:], message[1:], strict=True))))
    if printed is not None:
        rows.append(PrintItem(professional=professional, account=account, **dict(zip(PRINT_COLUMNS[2:], printed[2:], strict=True))))
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
