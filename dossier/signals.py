"""Signals of the dossier app (its receivers of Django's signals are in dossier/receivers.py).

`file_opened` lets apps that depend on `dossier` (comptes: the personal account, DOS-3) act inside the
transaction that opens a file, without `dossier` importing them.
"""
from django.dispatch import Signal

# Sent inside the opening transaction; kwargs: professional, opened_by.
file_opened = Signal()

# Domain events of the Profil tab, sent inside the transaction of the change. The notifications app
# receives them and queues the messages (a row now, the sending after commit), so nothing is sent for
# a change that is rolled back (NOT-5) and `dossier` never imports `notifications`.
email_validation_requested = Signal()  # kwargs: token, reminder (bool)
email_replaced = Signal()  # kwargs: professional, previous_email
cell_code_issued = Signal()  # kwargs: token, code (plaintext: travels only to the sending task)

# Online-services account (INS-2), received by notifications.
password_reset_requested = Signal()  # kwargs: professional (with an activated email), user
registration_draft_expiring = Signal()  # kwargs: professional, kept_until (date)
password_recovered = Signal()  # kwargs: professional (a new password chosen through recovery)

# The back office (dossier.backoffice): a request was accepted or refused. Sent inside the decision's
# transaction; kwargs: request, notice (dossier.kinds.Notice), correspondence (a CorrespondenceKind).
# The notifications app routes the notice into the request's thread (NOT-4).
request_decided = Signal()

# PRO-6: whose address is this? Billing agencies belong to comptes, which answers (its receiver returns
# the agency whose address it is, or None): the Profil tab warns without dossier importing comptes.
# kwargs: address (dossier.addresses.AddressInput).
address_owner_requested = Signal()


def billing_agency_at(address) -> object | None:
    """The billing agency whose address `address` is (PRO-6), as the app that owns agencies answers."""
    return next((owner for _receiver, owner in address_owner_requested.send(sender=None, address=address) if owner is not None), None)
