"""The kinds of request staff review (STF-1, STF-2): one class per kind, in one registry.

A kind is everything the back office knows about one sort of request: its label, the paper form an agent
types it from, its processing delay (SPEC §8), what accepting it applies, the difference it makes in
words (BEY-7), and what the professional is told when it is accepted or refused. Each kind is written
and registered by the app that owns the change it makes, the way plugins register in Open Forms:

    @kinds.register
    class BankTransfer(kinds.RequestKind):
        code = "2914"
        label = _("Formulaire 2914 (virement bancaire)")
        ...

`dossier` (the queue machinery: `requests`, `backoffice`) only ever asks the registry, so it imports no
app above it. Apps register their kinds from their `AppConfig.ready`, before any request is handled.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext, gettext_lazy as _

from calendrier import paycalendar
from dossier.constants import CorrespondenceKind
from ramq_portal import clock, writing

if TYPE_CHECKING:
    from django import forms

    from dossier.models import Request, User


class DecisionRefused(Exception):
    """A decision that the rules do not allow; the message says why, in French."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Change:
    """One line of a request's before/after difference (BEY-7)."""

    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def as_list(self) -> list[str]:
        return [str(self.label), str(self.before), str(self.after)]


@dataclass(frozen=True)
class Notice:
    """What the professional is told of a decision: a correspondence, routed like any other (NOT-4)."""

    subject: str
    body: str


class RequestKind:
    """One kind of request. Subclasses set `code` and `label` and override what differs."""

    code: ClassVar[str]
    label: ClassVar[str]
    # The form an agent types the paper form with (STF-2); None: the request comes from Mon dossier only.
    paper_form: ClassVar[type[forms.Form] | None] = None
    # SPEC §8: a delay in weeks (its outer bound), else in business days.
    weeks: ClassVar[int | None] = None
    business_days: ClassVar[int] = 10
    # BEY-7: a second person (a supervisor) approves the acceptance prepared by an agent.
    four_eyes: ClassVar[bool] = False
    # PRF-1: the kind of correspondence its decisions are, for the routing service.
    correspondence: ClassVar[str] = CorrespondenceKind.BILLING

    def due_date(self, received: date) -> date:
        if self.weeks is not None:
            return received + timedelta(weeks=self.weeks)
        return paycalendar.add_business_days(received, self.business_days)

    @property
    def applies(self) -> bool:
        """Whether accepting it changes the file (a kind that overrides `apply`), or only records it."""
        return type(self).apply is not RequestKind.apply

    def subject(self) -> str:
        """The subject of its decision notices, in the language active when called."""
        return gettext("Votre demande : %(kind)s") % {"kind": self.label}

    def summary(self, request: Request) -> str:
        """One line saying what this request is about (the queue's column, the professional's list)."""
        return ""

    def apply(self, request: Request, by: User) -> dict:
        """Apply the accepted request through Mon dossier's services; returns what the decision notice
        needs (a new account's number...). Raises DecisionRefused when a rule refuses it."""
        return {}

    def changes(self, request: Request) -> list[Change]:
        """What accepting it would change in the file, in words (BEY-7)."""
        return []

    def accepted_notice(self, request: Request, outcome: dict) -> Notice | None:
        """What the professional reads once it is accepted (None: nothing to say)."""
        return Notice(
            self.subject(),
            gettext("Votre demande reçue le %(date)s est acceptée.") % {"date": received_on(request)},
        )

    def refused_notice(self, request: Request) -> Notice:
        return Notice(
            self.subject(),
            gettext("Votre demande reçue le %(date)s est refusée pour le motif suivant : %(reason)s") % {
                "date": received_on(request), "reason": request.reason},
        )


def received_on(request: Request) -> str:
    return writing.long_date(clock.quebec_date(request.received_at))


class UnknownKind(RequestKind):
    """A row whose kind no app registers any more: shown as recorded, never applied."""

    code = ""
    label = _("Demande d'un type retiré")

    def changes(self, request: Request) -> list[Change]:
        return [Change(str(key), "", str(value)) for key, value in request.payload.items()]


_registry: dict[str, RequestKind] = {}


def register(kind_class: type[RequestKind]) -> type[RequestKind]:
    """Class decorator: make a kind known to the queue (once per code)."""
    if kind_class.code in _registry:
        raise ImproperlyConfigured(f"Request kind {kind_class.code!r} is registered twice.")
    _registry[kind_class.code] = kind_class()
    return kind_class


def of(code: str) -> RequestKind:
    """The kind registered under `code`."""
    return _registry.get(code) or UnknownKind()


def registered() -> list[RequestKind]:
    return list(_registry.values())


def paper_kinds() -> list[RequestKind]:
    """The kinds an agent can type from a paper form (STF-2), in registration order."""
    return [kind for kind in _registry.values() if kind.paper_form is not None]


def choices() -> list[tuple[str, str]]:
    """The choices of Request.kind (a callable: apps register after the models load)."""
    return [(kind.code, kind.label) for kind in _registry.values()]
