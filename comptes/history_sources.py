"""The billing accounts in the professional's history (BEY-6): the accounts the professional holds and
their payment, statement, address and mandataries' rows, and the collective accounts joined; each entry
names its account by number. And the accounts' dated rows (payment details, an account's address),
whose coming into force the daily task records as done by the system, as it does the file's.
Registered from ComptesConfig.ready."""
from __future__ import annotations

from comptes.models import AccountAddress, AccountMembership, BillingAccount, Mandatary, PaymentSettings, StatementSettings
from dossier import dated, history


def _account_number(record) -> str:
    return record.account.number


history.register(history.Source("account", BillingAccount, "professional_id", subject=lambda record: record.number))
history.register(history.Source("membership", AccountMembership, "professional_id", subject=_account_number, related=("account",)))
for name, model in (("payment", PaymentSettings), ("statement", StatementSettings), ("account_address", AccountAddress), ("mandatary", Mandatary)):
    history.register(history.Source(name, model, "account__professional_id", subject=_account_number, related=("account",)))

dated.comes_into_force(PaymentSettings)
dated.comes_into_force(AccountAddress)
