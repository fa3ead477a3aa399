class DossierError(Exception):
    """Base of the errors the dossier services raise; views turn them into French messages."""


class LicenceAlreadyOnFile(DossierError):
    """A file already exists for this licence number in this profession."""


class StaleEdit(DossierError):
    """The section changed since the form was shown (optimistic locking): nothing was saved."""


class ResendTooSoon(DossierError):
    """A new link or code was sent less than a minute ago."""


class TooManyMessages(DossierError):
    """Issue 16: too many codes or links were sent lately, to this file or to this destination (tokens.LIMITS)."""

    def __init__(self, purpose: str):
        super().__init__(purpose)
        self.purpose = purpose


class NotEnrolled(DossierError):
    """Only a professional enrolled in the online services may choose preferences (PRF-2)."""


class CannotRemoveOnlyMainPlace(DossierError):
    """The main place of practice cannot be removed while it is the only one (PRO-2)."""


class NoPendingCode(DossierError):
    """There is no cell number awaiting confirmation."""


class NoMainPlace(DossierError):
    """PRO-2: the file has no main place of practice; a new one needs its name, address and telephone."""


class IdenticalRequestOpen(DossierError):
    """The same request (same kind, same identity) is already waiting for staff: refused by the database
    itself, so that requests sent at the same moment cannot both get in (issue 16)."""


class TooManyRequests(DossierError):
    """Issue 16: the file sent too many requests and messages to the Régie lately (requests.ONLINE_LIMITS)."""
