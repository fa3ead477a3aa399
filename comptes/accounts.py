"""Services of the *Comptes de facturation* tab (CPT, PAI, ETC, BEY-4, BEY-5). Views, the admin (paper
forms 2914, 2404, 3018), the registration wizard and tasks call these."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils.translation import gettext_noop

from calendrier import paycalendar
from comptes.constants import AccountKind, AccountRequest, AgencyType, PaymentMode, StatementOption
from comptes.exceptions import (
    AgencyRefused,
    AlreadyMember,
    CompanyAccountRefused,
    DuplicateRequest,
    FreshConfirmationRequired,
    MandateRequired,
    NotAloneInCollective,
    StaleAccountEdit,
)
from comptes.models import BillingAccount, BillingAgency, FinancialInstitution, PaymentSettings, SoftwareDeveloper, StatementSettings
from comptes.signals import bank_details_changed
from dossier.exceptions import IdenticalRequestOpen
from dossier import dated, requests
from dossier.models import Professional, User
from dossier.addresses import AddressInput
from ramq_portal import clock

PRIVATE_AGENCY_FIRST_NUMBER = 80000


def claim_account(*, account: BillingAccount, expected_version: int) -> BillingAccount:
    """Optimistic locking of an account's settings; returns the row locked for the transaction."""
    if not BillingAccount.objects.filter(pk=account.pk, version=expected_version).update(version=F("version") + 1):
        raise StaleAccountEdit(account.pk)
    return BillingAccount.objects.select_for_update().get(pk=account.pk)


# --- payment (PAI) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankDetails:
    institution: FinancialInstitution | None = None
    transit: str = ""
    account_number: str = ""


def payment_in_force(account: BillingAccount, day: date) -> dated.InForce:
    return dated.split(account.payment_settings.all(), day)


def _bank_changes(current: PaymentSettings | None, mode: str, bank: BankDetails) -> bool:
    if mode != PaymentMode.TRANSFER:
        return False
    if current is None or current.mode != PaymentMode.TRANSFER:
        return True
    return (current.institution_id, current.transit, current.bank_account) != (
        bank.institution.pk if bank.institution else None, bank.transit, bank.account_number,
    )


def check_bank_account(*, account: BillingAccount, mode: str, personal_account_confirmed: bool) -> None:
    """PAI-2: for *Finances personnelles*, a transfer goes to a personal account in the professional's
    legal name; a company's bank details are refused there."""
    if mode == PaymentMode.TRANSFER and account.is_personal and not personal_account_confirmed:
        raise CompanyAccountRefused()


def change_payment(
    *,
    account: BillingAccount,
    expected_version: int,
    mode: str,
    bank: BankDetails,
    personal_account_confirmed: bool,
    fresh_confirmation: bool,
    by: User | None,
) -> PaymentSettings | None:
    """PAI-1..5: recorded now, in force at the next payment that can still take it (PAI-4). New bank
    details need a fresh confirmation (BEY-4) and, for *Finances personnelles*, a personal account in
    the professional's name (PAI-2); the professional is notified. Returns the new row, or None when
    nothing changed."""
    moment = clock.now()
    today = moment.date()
    with transaction.atomic():
        locked = claim_account(account=account, expected_version=expected_version)
        state = payment_in_force(locked, today)
        latest = state.pending or state.in_force
        new_bank = _bank_changes(latest, mode, bank)
        if not new_bank and (latest.mode if latest is not None else PaymentMode.CHEQUE) == mode:
            transaction.set_rollback(True)  # nothing changed: the version stays, other open forms stay valid
            return None
        if new_bank and not fresh_confirmation:
            raise FreshConfirmationRequired()
        check_bank_account(account=locked, mode=mode, personal_account_confirmed=personal_account_confirmed)
        dated.cancel_pending(locked.payment_settings.all(), today=today, moment=moment, by=by)
        transfer = mode == PaymentMode.TRANSFER
        row = PaymentSettings(
            account=locked, mode=mode, effective_from=paycalendar.bank_change_effective_date(moment),
            institution=bank.institution if transfer else None, transit=bank.transit if transfer else "",
            bank_account=bank.account_number if transfer else "",
            bank_account_last3=bank.account_number[-3:] if transfer else "",
            personal_account_confirmed=personal_account_confirmed if transfer else False,
        )
        dated.record(row, today=today, moment=moment, by=by, reason=gettext_noop("Coordonnées de paiement modifiées"))
        if new_bank:
            bank_details_changed.send(sender=BillingAccount, account=locked, settings=row)
    return row


def change_payment_of_accounts(*, targets: list[tuple[BillingAccount, int]], **change) -> list[PaymentSettings | None]:
    """BEY-5: the same payment change on several accounts, all or nothing. `targets` pairs each account
    with the version its form showed."""
    with transaction.atomic():
        return [change_payment(account=account, expected_version=version, **change) for account, version in targets]


def cancel_pending_payment(*, account: BillingAccount, by: User | None) -> int:
    moment = clock.now()
    with transaction.atomic():
        BillingAccount.objects.filter(pk=account.pk).update(version=F("version") + 1)
        return dated.cancel_pending(account.payment_settings.all(), today=moment.date(), moment=moment, by=by)


# --- statement transmission (ETC) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementResult:
    settings: StatementSettings
    created_agency: BillingAgency | None = None


def check_agency(*, agency: BillingAgency, professional: Professional, mandate_accepted: bool) -> None:
    """ETC-3: accreditation with an ATD (mandate accepted) or an ISE; a DIS only when it is one's own."""
    if not agency.is_active:
        raise AgencyRefused("inactive")
    if agency.agency_type == AgencyType.DIS and agency.owner_id != professional.pk:
        raise AgencyRefused("dis")
    if agency.agency_type == AgencyType.ATD and not mandate_accepted:
        raise MandateRequired()


def private_agency_for(*, professional: Professional, developer: SoftwareDeveloper, by: User | None) -> tuple[BillingAgency, bool]:
    """ETC-2 (b): the professional's own private agency (DIS) for self-billing with `developer`, with
    a new transmission number to give to the developer. Returns (agency, created)."""
    existing = BillingAgency.objects.filter(owner=professional, agency_type=AgencyType.DIS, developer=developer, is_active=True).first()
    if existing is not None:
        return existing, False
    address = professional.correspondence_addresses.filter(cancelled_at__isnull=True, effective_from__lte=clock.today()).order_by("-effective_from").first()
    for _attempt in range(5):
        highest = BillingAgency.objects.filter(transmission_number__gte=str(PRIVATE_AGENCY_FIRST_NUMBER)).aggregate(m=Max("transmission_number"))["m"]
        number = str(max(int(highest or 0) + 1, PRIVATE_AGENCY_FIRST_NUMBER))
        try:
            with transaction.atomic():
                agency = BillingAgency(
                    transmission_number=number, name=f"{professional.full_name} (facturation autonome)", agency_type=AgencyType.DIS,
                    owner=professional, developer=developer,
                    **(AddressInput.of(address).as_dict() if address else {}),
                )
                agency._history_user = by
                agency._change_reason = gettext_noop("Agence privée créée pour la facturation autonome")
                agency.save()
                return agency, True
        except IntegrityError:
            continue  # another professional took this number at the same moment
    raise RuntimeError("no free transmission number")


def change_statement(
    *,
    account: BillingAccount,
    expected_version: int,
    option: str,
    agency: BillingAgency | None,
    developer: SoftwareDeveloper | None,
    reception_mode: str,
    mandate_accepted: bool,
    address: AddressInput,
    by: User | None,
) -> StatementResult:
    """ETC-2..5: effective at once online (ETC-6). The statement address is always required (ETC-5)."""
    moment = clock.now()
    with transaction.atomic():
        locked = claim_account(account=account, expected_version=expected_version)
        professional = locked.professional
        created = None
        if option == StatementOption.AGENCY:
            check_agency(agency=agency, professional=professional, mandate_accepted=mandate_accepted)
        elif option == StatementOption.SELF_BILLING:
            agency, was_created = private_agency_for(professional=professional, developer=developer, by=by)
            created = agency if was_created else None
        else:
            agency, reception_mode = None, ""
        settings = StatementSettings.objects.filter(account=locked).first() or StatementSettings(account=locked)
        settings.option = option
        settings.agency = agency
        settings.reception_mode = reception_mode if option != StatementOption.NONE else ""
        settings.mandate_accepted = bool(mandate_accepted and agency is not None and agency.agency_type == AgencyType.ATD)
        address.write_to(settings)
        settings.updated_at = moment
        settings._history_user = by
        settings._change_reason = gettext_noop("Coordonnées d'état de compte modifiées")
        settings.save()
    return StatementResult(settings=settings, created_agency=created)


def change_statement_of_accounts(*, targets: list[tuple[BillingAccount, int]], **change) -> list[StatementResult]:
    """BEY-5: the same statement transmission on several accounts, all or nothing."""
    with transaction.atomic():
        return [change_statement(account=account, expected_version=version, **change) for account, version in targets]


def default_statement_settings(*, account: BillingAccount, address: AddressInput | None, by: User | None) -> StatementSettings:
    """A new account starts with "not now" and the professional's address as statement address."""
    settings = StatementSettings(account=account, option=StatementOption.NONE, updated_at=clock.now())
    if address is not None:
        AddressInput.of(address).write_to(settings)
    settings._history_user = by
    settings.save()
    return settings


# --- requests to staff (CPT-2) ----------------------------------------------------------------------------


def ask_to_open_account(*, professional: Professional, collective: bool, name: str, by: User | None):
    kind = AccountRequest.OPEN_COLLECTIVE if collective else AccountRequest.OPEN_INDIVIDUAL
    if requests.open_request_exists(professional=professional, kind=kind, payload_match={"name": name}):
        raise DuplicateRequest(kind)
    try:
        return requests.submit(professional=professional, kind=kind, payload={"name": name}, by=by, identity={"name": name})
    except IdenticalRequestOpen as exc:
        raise DuplicateRequest(kind) from exc


def ask_to_join_collective(*, professional: Professional, group_number: str, by: User | None):
    already = BillingAccount.objects.filter(group_number=group_number, closed_at__isnull=True).filter(
        Q(professional=professional) | Q(memberships__professional=professional)
    )
    if already.exists():
        raise AlreadyMember(group_number)
    if requests.open_request_exists(professional=professional, kind=AccountRequest.JOIN_COLLECTIVE, payload_match={"group_number": group_number}):
        raise DuplicateRequest(AccountRequest.JOIN_COLLECTIVE)
    try:
        return requests.submit(professional=professional, kind=AccountRequest.JOIN_COLLECTIVE, payload={"group_number": group_number}, by=by,
                               identity={"group_number": group_number})
    except IdenticalRequestOpen as exc:
        raise DuplicateRequest(AccountRequest.JOIN_COLLECTIVE) from exc




def alone_in_collective(account: BillingAccount, professional: Professional) -> bool:
    """CPT-3: a collective account whose only member is this professional."""
    return (
        account.kind == AccountKind.COLLECTIVE
        and account.professional_id == professional.pk
        and not account.memberships.exclude(professional=professional).exists()
    )


def ask_collective_address_change(*, account: BillingAccount, professional: Professional, address: AddressInput, date_of_change: date,
                                  by: User | None):
    """CPT-3: alone in a collective account, the professional sends the new address and the date of the
    change as a secure message instead of a letter signed by every member; staff apply it."""
    if not alone_in_collective(account, professional):
        raise NotAloneInCollective(account.number)
    payload = {"account": account.number, "account_name": account.name, **address.as_dict(), "date_of_change": date_of_change.isoformat()}
    if requests.open_request_exists(professional=professional, kind=AccountRequest.COLLECTIVE_ADDRESS, payload_match={"account": account.number}):
        raise DuplicateRequest(AccountRequest.COLLECTIVE_ADDRESS)
    try:
        return requests.submit(professional=professional, kind=AccountRequest.COLLECTIVE_ADDRESS, payload=payload, by=by,
                               identity={"account": account.number})
    except IdenticalRequestOpen as exc:
        raise DuplicateRequest(AccountRequest.COLLECTIVE_ADDRESS) from exc
