"""Writes to billing accounts."""
from __future__ import annotations

from django.db import transaction

from comptes.accounts import default_statement_settings
from comptes.constants import AccountKind
from comptes.models import BillingAccount
from dossier.models import Professional, User
from ramq_portal import clock


def create_personal_account(*, professional: Professional, created_by: User | None) -> BillingAccount:
    """DOS-3 / CPT-1: the personal account, created with the file. It bears the professional number
    (invoices sent with the professional number alone count in it). Idempotent."""
    account = BillingAccount.objects.filter(professional=professional, kind=AccountKind.PERSONAL).first()
    if account is not None:
        return account
    account = BillingAccount(
        professional=professional,
        kind=AccountKind.PERSONAL,
        number=professional.professional_number,
        name="Finances personnelles",
        opened_at=clock.now(),
    )
    account._history_user = created_by
    account.save()
    address = professional.correspondence_addresses.filter(cancelled_at__isnull=True).order_by("-effective_from").first()
    default_statement_settings(account=account, address=address, by=created_by)
    return account


# --- applied by staff when they accept a request (STF-1, CPT-2, CPT-3) -------------------------------------


def _next_account_number(prefix: str) -> str:
    """A new administrative account number: a letter (I individual, C collective) and 6 digits."""
    taken = BillingAccount.objects.filter(number__regex=rf"^{prefix}[0-9]{{6}}$").order_by("-number").values_list("number", flat=True).first()
    return f"{prefix}{int(taken[1:]) + 1 if taken else 1:06d}"


def open_administrative_account(*, professional: Professional, collective: bool, name: str, by: User | None) -> BillingAccount:
    """CPT-2: open the individual or collective administrative account a professional asked for; the
    professional holds it, and a collective one gets a group number of its own."""
    from django.db import IntegrityError

    kind = AccountKind.COLLECTIVE if collective else AccountKind.INDIVIDUAL
    for _attempt in range(5):  # two staff opening accounts at once: the second takes the next number
        try:
            with transaction.atomic():
                number = _next_account_number("C" if collective else "I")
                account = BillingAccount(professional=professional, kind=kind, number=number, name=name, opened_at=clock.now(),
                                         group_number=number[1:] if collective else "")
                account._history_user = by
                account._change_reason = "Compte ouvert à la demande du professionnel"
                account.save()
        except IntegrityError:
            continue
        address = professional.correspondence_addresses.filter(cancelled_at__isnull=True).order_by("-effective_from").first()
        default_statement_settings(account=account, address=address, by=by)
        return account
    raise RuntimeError("no free account number after 5 attempts")


def join_collective(*, professional: Professional, group_number: str, by: User | None):
    """CPT-2: add the professional to the open collective account of a group."""
    from comptes.models import AccountMembership

    account = BillingAccount.objects.get(group_number=group_number, kind=AccountKind.COLLECTIVE, closed_at__isnull=True)
    membership, _created = AccountMembership.objects.get_or_create(account=account, professional=professional,
                                                                   defaults={"joined_at": clock.now()})
    return membership


def change_collective_address(*, account_number: str, professional: Professional, address: dict, by: User | None):
    """CPT-3: the statement address of a collective account, sent by its only member (checked again now:
    someone may have joined since). The account's version moves, so that a statement form open in Mon
    dossier at the same time is refused instead of silently undoing this change."""
    from django.db.models import F

    from comptes.accounts import alone_in_collective
    from comptes.exceptions import NotAloneInCollective
    from comptes.models import StatementSettings

    account = BillingAccount.objects.select_for_update().get(number=account_number, closed_at__isnull=True)
    if not alone_in_collective(account, professional):
        raise NotAloneInCollective(account_number)
    BillingAccount.objects.filter(pk=account.pk).update(version=F("version") + 1)
    settings_row = StatementSettings.objects.select_for_update().get(account=account)
    for name in ("line1", "line2", "city", "province", "postal_code", "region", "country"):
        if name in address:
            setattr(settings_row, name, address[name] or "")
    settings_row.updated_at = clock.now()
    settings_row._history_user = by
    settings_row._change_reason = "Adresse du compte collectif modifiée (demande acceptée)"
    settings_row.save()
    return settings_row
