class ComptesError(Exception):
    """Base of the billing-account errors; views turn them into French messages next to the field."""

    field: str | None = None


class StaleAccountEdit(ComptesError):
    """The account's settings changed since the form was shown: nothing was saved."""


class FreshConfirmationRequired(ComptesError):
    """BEY-4: bank details change only with the password typed again."""

    field = "password"


class CompanyAccountRefused(ComptesError):
    """PAI-2: Finances personnelles take only a personal bank account in the professional's name."""

    field = "personal_account_confirmed"


class AgencyRefused(ComptesError):
    """ETC-3: only an ATD, an ISE, or one's own DIS."""

    field = "agency"


class MandateRequired(ComptesError):
    """ETC-3: choosing an ATD requires accepting the mandate."""

    field = "mandate_accepted"


class DuplicateRequest(ComptesError):
    """The same request is already waiting for staff."""


class AlreadyMember(ComptesError):
    """The professional already belongs to that group's collective account."""


class NotAloneInCollective(ComptesError):
    """CPT-3: the collective account has other members now; its address needs their signed letter."""


class PersonalAccountAddress(ComptesError):
    """STF-7: the personal account has no address of its own: its letters go to the file's."""
