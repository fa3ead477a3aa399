"""MAN-1: the persons a professional mandates to sign invoices (form 3005, recorded by staff).

An agency itself is never a mandatary; its employees are, named one by one, with the agency that
employs them. One rule, every door: the paper form, its acceptance and the admin's form all ask
`refusals`, and a mandatary is recorded only through `record`.
"""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from comptes.constants import MandataryRelation
from comptes.exceptions import ComptesError
from comptes.models import BillingAccount, BillingAgency, Mandatary
from dossier.models import User
from ramq_portal import clock


class MandataryRefused(ComptesError):
    """MAN-1 refuses this mandatary; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def refusals(*, first_name: str, last_name: str, relation: str, agency: BillingAgency | None) -> dict[str, str]:
    """Why MAN-1 refuses this mandatary, by field (`first_name`, `last_name`, `agency`); empty when it
    may be recorded."""
    errors: dict[str, str] = {}
    if relation == MandataryRelation.AGENCY_EMPLOYEE and agency is None:
        errors["agency"] = _("Indiquez l'agence qui emploie ce mandataire.")
    elif relation != MandataryRelation.AGENCY_EMPLOYEE and agency is not None:
        errors["agency"] = _("Seul l'employé d'une agence de facturation est rattaché à une agence.")
    first, last = (first_name or "").strip(), (last_name or "").strip()
    names = {"first_name": first, "last_name": last, "full_name": f"{first} {last}".strip()}
    wanted = [value for value in names.values() if value]
    if wanted:
        query = Q()
        for value in wanted:
            query |= Q(name__iexact=value)
        agency_names = {name.casefold() for name in BillingAgency.objects.filter(query).values_list("name", flat=True)}
        refused = _("Une agence ne peut pas être mandataire : nommez la personne qui signera.")
        for field in ("first_name", "last_name"):
            if names[field].casefold() in agency_names:
                errors[field] = refused
        if names["full_name"].casefold() in agency_names and not ({"first_name", "last_name"} & errors.keys()):
            errors["last_name"] = refused
    return errors


def record(*, account: BillingAccount, first_name: str, last_name: str, relation: str, agency: BillingAgency | None,
           by: User | None, reason: str) -> Mandatary:
    """Record a mandatary on an account, with its history row; MandataryRefused if MAN-1 refuses it."""
    errors = refusals(first_name=first_name, last_name=last_name, relation=relation, agency=agency)
    if errors:
        raise MandataryRefused(errors)
    mandatary = Mandatary(account=account, first_name=first_name.strip(), last_name=last_name.strip(), relation=relation,
                          agency=agency, recorded_at=clock.now(), recorded_by=by)
    mandatary._history_user = by
    mandatary._change_reason = reason
    mandatary.save()
    return mandatary
