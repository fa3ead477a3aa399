"""Writes to billing accounts."""
from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from comptes.accounts import alone_in_collective, default_statement_settings
from comptes.constants import AccountKind
from comptes.exceptions import NotAloneInCollective, PersonalAccountAddress
from comptes.models import AccountAddress, AccountMembership, BillingAccount
from dossier import dated
from dossier.addresses import AddressInput
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
    kind = AccountKind.COLLECTIVE if collective else AccountKind.INDIVIDUAL
    for _attempt in range(5):  # two staff opening accounts at once: the second takes the next number
        try:
            with transaction.atomic():
                number = _next_account_number("C" if collective else "I")
                account = BillingAccount(professional=professional, kind=kind, number=number, name=name, opened_at=clock.now(),
                                         group_number=number[1:] if collective else "")
                account._history_user = by
                account._change_reason = gettext_noop("Compte ouvert à la demande du professionnel")
                account.save()
        except IntegrityError:
            continue
        address = professional.correspondence_addresses.filter(cancelled_at__isnull=True, effective_from__lte=clock.today()).order_by(
            "-effective_from", "-recorded_at").first()
        default_statement_settings(account=account, address=address, by=by)
        if address is not None:  # STF-7: the account's own correspondence address starts as the file's
            change_account_address(account=account, address=AddressInput.of(address), effective_from=clock.today(), by=by,
                                   reason=gettext_noop("Compte ouvert à la demande du professionnel"))
        return account
    raise RuntimeError("no free account number after 5 attempts")


def join_collective(*, professional: Professional, group_number: str, by: User | None):
    """CPT-2: add the professional to the open collective account of a group."""
    account = BillingAccount.objects.get(group_number=group_number, kind=AccountKind.COLLECTIVE, closed_at__isnull=True)
    membership, _created = AccountMembership.objects.get_or_create(account=account, professional=professional,
                                                                   defaults={"joined_at": clock.now()})
    return membership


def change_account_address(*, account: BillingAccount, address: AddressInput, effective_from: date, by: User | None,
                           reason: str) -> AccountAddress | None:
    """STF-7: the correspondence address of an administrative account, in force on `effective_from` (today
    at the earliest: a letter is never backdated over letters already sent); replaces a pending change.
    Returns the new row, or None when the address is the one already there. Caller holds the transaction
    and the account's row lock."""
    if account.is_personal:
        raise PersonalAccountAddress(account.number)
    moment = clock.now()
    today = moment.date()
    effective_from = max(effective_from, today)
    rows = account.correspondence_addresses.filter(cancelled_at__isnull=True)
    state = dated.split(rows, today)
    if address.matches(state.pending) and state.pending.effective_from == effective_from:
        return None
    dated.cancel_pending(rows, today=today, moment=moment, by=by)
    if address.matches(state.in_force):
        return None  # back to the address in force: cancelling the pending change is the whole change
    row = AccountAddress(account=account, effective_from=effective_from, **address.as_dict())
    return dated.record(row, today=today, moment=moment, by=by, reason=reason)


def change_collective_address(*, account_number: str, professional: Professional, address: AddressInput, date_of_change: date,
                              by_letter: bool, by: User | None) -> AccountAddress | None:
    """CPT-3: the correspondence address of a collective account, from the date the group states. By
    letter, signed by every member (or a person they mandated); online, only from its only member
    (checked again now: someone may have joined since)."""
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(number=account_number, kind=AccountKind.COLLECTIVE, closed_at__isnull=True)
        if not by_letter and not alone_in_collective(account, professional):
            raise NotAloneInCollective(account_number)
        return change_account_address(account=account, address=address, effective_from=date_of_change, by=by,
                                      reason=gettext_noop("Adresse du compte collectif modifiée (demande acceptée)"))
