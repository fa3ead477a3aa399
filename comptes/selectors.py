"""Reads of the Comptes de facturation tab (a fixed number of queries per page)."""
from __future__ import annotations

import unicodedata

from django.db.models import Prefetch
from django.http import Http404

from comptes.models import AccountAddress, AccountMembership, BillingAccount, BillingAgency, PaymentSettings, SoftwareDeveloper
from dossier.selectors import own_professional
from dossier.models import Professional, Request, User


def live_account_addresses() -> Prefetch:
    """An account's correspondence addresses that are or will be in force (dossier.dated splits them)."""
    return Prefetch("correspondence_addresses", queryset=AccountAddress.objects.filter(cancelled_at__isnull=True))


def account_ids_of(professional: Professional):
    """The ids of the accounts the professional holds or belongs to (CPT-2), as a subquery: the UNION of
    two lookups that each use an index (billing accounts by holder, memberships by member). An OR of the
    two across a join could use neither and read both tables whole (issue 14)."""
    held = BillingAccount.objects.filter(professional=professional).order_by().values("pk")
    joined = AccountMembership.objects.filter(professional=professional).order_by().values("account_id")
    return held.union(joined)


def displayed_payment_settings() -> Prefetch:
    """An account's payment rows that are or will be in force, as pages show them: the bank account
    number is not loaded (nor decrypted), its last 3 digits are (PaymentSettings.masked_account)."""
    return Prefetch(
        "payment_settings",
        queryset=PaymentSettings.objects.filter(cancelled_at__isnull=True).defer("bank_account").select_related("institution")
        # By its own columns: the model's ordering ("account", then the account's own ordering) would join
        # the accounts and the files to sort by the professional's name.
        .order_by("account_id", "effective_from", "recorded_at"),
    )


def _accounts_of(professional: Professional):
    return (
        BillingAccount.objects.filter(pk__in=account_ids_of(professional), closed_at__isnull=True)
        .select_related("statement_settings__agency")
        .prefetch_related(displayed_payment_settings())
        .order_by("kind", "number")
    )


def billing_accounts_for_user(user: User) -> tuple[Professional, list[BillingAccount]]:
    """The signed-in professional's file and the accounts they hold or belong to (DOS-5: 404 otherwise)."""
    professional = own_professional(user)
    return professional, list(_accounts_of(professional))


def accounts_with_addresses(professional: Professional) -> list[BillingAccount]:
    """Every open account the professional holds or belongs to, with payment, statement and correspondence
    address rows (STF-6: the staff's overview), in 4 queries whatever their number."""
    return list(_accounts_of(professional).prefetch_related(live_account_addresses()))


def requests_of(professional: Professional) -> list[Request]:
    return list(Request.objects.filter(professional=professional).order_by("-received_at")[:20])


def account_for_user(user: User, pk: int) -> tuple[Professional, BillingAccount]:
    """One of the professional's accounts, with its mandataries; 404 for anyone else's (DOS-5)."""
    professional = own_professional(user)
    account = _accounts_of(professional).prefetch_related("mandataries__agency", live_account_addresses()).filter(pk=pk).first()
    if account is None:
        raise Http404
    return professional, account


def active_collective_exists(group_number: str) -> bool:
    """CPT-2: a group's collective account that can be joined."""
    return BillingAccount.objects.filter(group_number=group_number, closed_at__isnull=True).exists()


def may_edit_online(account: BillingAccount, professional: Professional) -> bool:
    """The holder changes payment and statement details online; members of a collective account see them."""
    return account.professional_id == professional.pk


def _normalize(value: str) -> str:
    """Upper case, no accents, no punctuation, single spaces: '12, rue St-Jean' ~ '12 RUE ST JEAN'."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def agency_at_address(address) -> BillingAgency | None:
    """PRO-6: the billing agency on file whose address matches `address` (normalised), if any."""
    postal = _normalize(address.postal_code).replace(" ", "")
    if not postal:
        return None
    wanted = (_normalize(address.line1), _normalize(address.line2), postal)
    for agency in BillingAgency.objects.filter(postal_code__in=[address.postal_code, postal, f"{postal[:3]} {postal[3:]}"]):
        if (_normalize(agency.line1), _normalize(agency.line2), _normalize(agency.postal_code).replace(" ", "")) == wanted:
            return agency
    return None


def search_agencies(query: str, professional: Professional, limit: int = 20) -> list[BillingAgency]:
    """ETC-2 (a): agencies found by transmission number or name. Others' private agencies are listed
    too, marked: choosing one is refused with its reason (ETC-3) rather than silently missing."""
    query = (query or "").strip()
    if not query:
        return []
    qs = BillingAgency.objects.filter(is_active=True)
    qs = qs.filter(transmission_number=query) if query.isdigit() else qs.filter(name__icontains=query)
    return list(qs.order_by("name")[:limit])


def search_developers(query: str, limit: int = 20) -> list[SoftwareDeveloper]:
    """ETC-2 (b): active software developers found by number or name."""
    query = (query or "").strip()
    if not query:
        return []
    qs = SoftwareDeveloper.objects.filter(is_active=True)
    qs = qs.filter(number=query) if query.isdigit() else qs.filter(name__icontains=query)
    return list(qs.order_by("name")[:limit])
