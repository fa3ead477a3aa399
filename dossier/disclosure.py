"""STF-3: unmasked personal numbers. Screens and the admin show a SIN or a bank account number masked
(last 3 digits); a supervisor may see one in full, and each viewing is recorded (who, whose, what, when)
before the number is shown. Agents never can."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dossier.models import Disclosure, Professional, User
from ramq_portal import clock, writing

PERMISSION = "dossier.view_unmasked_personal_data"  # supervisors (migration 0003)


def _record(*, by: User, professional: Professional, what: str, detail: str = "") -> None:
    if not by.has_perm(PERMISSION):
        raise PermissionDenied
    Disclosure.objects.create(user=by, professional=professional, what=what, detail=detail, seen_at=clock.now())


def reveal_sin(*, professional: Professional, by: User) -> str:
    with transaction.atomic():
        _record(by=by, professional=professional, what=Disclosure.What.SIN)
    return professional.sin


def reveal_bank_account(*, payment_settings, by: User) -> str:
    account = payment_settings.account
    with transaction.atomic():
        _record(by=by, professional=account.professional, what=Disclosure.What.BANK_ACCOUNT,
                detail=f"{account.number} ({writing.long_date(payment_settings.effective_from)})")
    return payment_settings.bank_account
