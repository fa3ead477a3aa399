"""The registration wizard's writes: drafts (INS-4), completion (INS-5), retention of drafts.

Completing applies every step in one transaction through the services of Mon dossier (dossier.profile,
comptes.accounts): the same effective dates, email validation link and cell code as a change made in
the Profil or Comptes de facturation tab.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptes import accounts
from comptes.constants import AccountKind, PaymentMode
from comptes.exceptions import (
    AgencyRefused,
    AlreadyMember,
    CompanyAccountRefused,
    DuplicateRequest,
    FreshConfirmationRequired,
    MandateRequired,
    StaleAccountEdit,
)
from comptes.models import BillingAccount, BillingAgency, SoftwareDeveloper
from dossier import profile
from dossier.exceptions import CannotRemoveOnlyMainPlace, StaleEdit, TooManyMessages, TooManyRequests
from dossier.requests import TOO_MANY_REQUESTS
from dossier.models import Professional, User
from dossier.profile import PlaceInput, TelephoneInput
from dossier.addresses import AddressInput
from dossier.services import mark_registered, set_sin
from dossier.signals import registration_draft_expiring
from inscription.exceptions import StaleDraft, StepNeedsAttention
from inscription.forms import AdministrativeAccountForm
from inscription.models import RegistrationDraft
from ramq_portal import clock


def kept_until(draft: RegistrationDraft) -> date:
    """INS-4: the draft is kept this long after its last save, then purged (after a reminder)."""
    return clock.quebec_date(draft.saved_at) + timedelta(days=settings.REGISTRATION_DRAFT_RETENTION_DAYS)


def draft_for(professional: Professional) -> RegistrationDraft:
    """The professional's draft, created at the first visit of the wizard (read with the file when it
    was loaded with it: inscription.selectors.registrant)."""
    try:
        return professional.registration_draft
    except RegistrationDraft.DoesNotExist:
        pass
    now = clock.now()
    try:
        with transaction.atomic():
            return RegistrationDraft.objects.create(professional=professional, created_at=now, saved_at=now)
    except IntegrityError:  # the same professional in two windows at the same moment
        return RegistrationDraft.objects.get(professional=professional)


def save_step(*, draft: RegistrationDraft, expected_version: int, number: int, data: dict, complete: bool, shown: dict,
              go_to: int) -> RegistrationDraft:
    """INS-4: keep a step's entries and where the professional is. A save from a page shown before
    another window saved raises StaleDraft: nothing is overwritten silently."""
    steps = dict(draft.steps)
    steps[str(number)] = {"data": data, "complete": complete, "shown": shown}
    draft.set_steps(steps)
    now = clock.now()
    updated = RegistrationDraft.objects.filter(pk=draft.pk, version=expected_version).update(
        payload=draft.payload, current_step=go_to, saved_at=now, reminder_sent_at=None, version=F("version") + 1
    )
    if not updated:
        raise StaleDraft()
    draft.current_step, draft.saved_at, draft.reminder_sent_at, draft.version = go_to, now, None, expected_version + 1
    return draft


def forget_step(*, draft: RegistrationDraft, number: int) -> None:
    """Drop one step's entries (the file changed under them): the step shows the file's data again."""
    steps = dict(draft.steps)
    steps.pop(str(number), None)
    draft.set_steps(steps)
    RegistrationDraft.objects.filter(pk=draft.pk).update(payload=draft.payload, version=F("version") + 1)
    draft.version += 1


def move_to(*, draft: RegistrationDraft, step: int) -> None:
    """Remember the step shown (INS-4: resume at the same place)."""
    if draft.current_step != step:
        RegistrationDraft.objects.filter(pk=draft.pk).update(current_step=step)
        draft.current_step = step


# --- completion (INS-5) -------------------------------------------------------------------------------------


@dataclass
class RegistrationInputs:
    """Everything the six steps collected, validated by their forms."""

    sin: str
    correspondence_version: int
    address: AddressInput
    declared_agency_address: bool
    telephones: list[TelephoneInput]
    cell: str
    email: str
    practice_version: int
    places: list[PlaceInput]
    account_version: int
    payment_mode: str
    bank: accounts.BankDetails
    personal_account_confirmed: bool
    fresh_confirmation: bool
    administrative_choice: str  # AdministrativeAccountForm.NONE / INDIVIDUAL / COLLECTIVE / JOIN
    administrative_name: str
    group_number: str
    statement_option: str
    agency: BillingAgency | None
    developer: SoftwareDeveloper | None
    reception_mode: str
    mandate_accepted: bool
    statement_address: AddressInput


@dataclass
class Completion:
    address_effective_from: date | None = None
    email_link_sent: bool = False
    cell_code_sent: bool = False
    bank_effective_from: date | None = None
    created_agency_number: str = ""
    requests: list[str] = field(default_factory=list)


FILE_CHANGED = gettext_lazy("Votre dossier a été modifié par la Régie depuis que vous avez rempli cette étape. "
                            "Vérifiez les renseignements à jour, puis cliquez sur Continuer.")


def complete_registration(*, professional: Professional, draft_version: int, inputs: RegistrationInputs, by: User | None) -> Completion:
    """INS-5: apply the registration in one transaction, then the draft is deleted. A rule that refuses
    an entry (an agency refused, the file changed meanwhile) rolls everything back and raises
    StepNeedsAttention with the step to go back to; a draft saved from another window since the summary
    was shown raises StaleDraft."""
    done = Completion()
    step = 2
    try:
        with transaction.atomic():
            locked = Professional.objects.select_for_update().get(pk=professional.pk)
            if locked.registered_at is not None:
                return done
            account = BillingAccount.objects.get(professional=locked, kind=AccountKind.PERSONAL)
            if account.version != inputs.account_version:
                raise StaleAccountEdit(account.pk)
            if inputs.sin:
                set_sin(professional=locked, sin=inputs.sin, by=by)
            step = 3
            corr = profile.update_correspondence(
                professional=locked, expected_version=inputs.correspondence_version, address=inputs.address,
                declared_agency_address=inputs.declared_agency_address, telephones=inputs.telephones, cell=inputs.cell,
                email=inputs.email, by=by,
            )
            done.address_effective_from = corr.address_effective_from
            done.email_link_sent, done.cell_code_sent = corr.email_link_sent, corr.cell_code_sent
            step = 4
            profile.update_practice(professional=locked, expected_version=inputs.practice_version, places=inputs.places, by=by)
            step = 5
            row = accounts.change_payment(
                account=account, expected_version=account.version, mode=inputs.payment_mode, bank=inputs.bank,
                personal_account_confirmed=inputs.personal_account_confirmed, fresh_confirmation=inputs.fresh_confirmation, by=by,
            )
            if row is not None and row.mode == PaymentMode.TRANSFER:
                done.bank_effective_from = row.effective_from
            choice = inputs.administrative_choice
            if choice in (AdministrativeAccountForm.INDIVIDUAL, AdministrativeAccountForm.COLLECTIVE):
                accounts.ask_to_open_account(professional=locked, collective=choice == AdministrativeAccountForm.COLLECTIVE,
                                             name=inputs.administrative_name.strip(), by=by)
                done.requests.append(choice)
            elif choice == AdministrativeAccountForm.JOIN:
                accounts.ask_to_join_collective(professional=locked, group_number=inputs.group_number, by=by)
                done.requests.append(choice)
            step = 6
            account.refresh_from_db(fields=["version"])
            statement = accounts.change_statement(
                account=account, expected_version=account.version, option=inputs.statement_option, agency=inputs.agency,
                developer=inputs.developer, reception_mode=inputs.reception_mode, mandate_accepted=inputs.mandate_accepted,
                address=inputs.statement_address, by=by,
            )
            if statement.created_agency is not None:
                done.created_agency_number = statement.created_agency.transmission_number
            if not RegistrationDraft.objects.filter(professional=locked, version=draft_version).delete()[0]:
                raise StaleDraft()
            mark_registered(professional=locked, by=by)
    except StaleEdit as exc:
        raise StepNeedsAttention(3 if exc.args and exc.args[0] == "correspondence" else 4, str(FILE_CHANGED)) from exc
    except (StaleAccountEdit, CannotRemoveOnlyMainPlace) as exc:
        raise StepNeedsAttention(4 if isinstance(exc, CannotRemoveOnlyMainPlace) else 5, str(FILE_CHANGED)) from exc
    except (FreshConfirmationRequired, CompanyAccountRefused) as exc:
        raise StepNeedsAttention(5, _("Confirmez de nouveau vos coordonnées bancaires, avec votre mot de passe.")) from exc
    except (DuplicateRequest, AlreadyMember) as exc:
        raise StepNeedsAttention(5, _("Cette demande de compte administratif n'est pas possible : une demande identique attend déjà "
                                      "le traitement de la Régie, ou vous faites déjà partie de ce regroupement.")) from exc
    except (AgencyRefused, MandateRequired) as exc:
        raise StepNeedsAttention(6, _("Votre choix d'agence n'est plus accepté : choisissez de nouveau.")) from exc
    except TooManyRequests as exc:  # issue 16: the limits of dossier.requests
        raise StepNeedsAttention(5, str(TOO_MANY_REQUESTS)) from exc
    except TooManyMessages as exc:  # issue 16: the limits of dossier.tokens
        raise StepNeedsAttention(3, _("Trop de codes ou de liens ont été envoyés récemment à ce cellulaire ou à cette adresse de "
                                      "courriel. Rien n'a été enregistré : réessayez plus tard, ou communiquez avec la Régie.")) from exc
    except ValueError as exc:  # a place that vanished, as update_practice reports it
        raise StepNeedsAttention(step, str(FILE_CHANGED)) from exc
    professional.registered_at = locked.registered_at
    return done


# --- retention (INS-4) ----------------------------------------------------------------------------------------


def remind_and_purge_drafts(*, batch_size: int = 500) -> tuple[int, int]:
    """Daily: a draft not saved for (retention - reminder) days gets one reminder; a draft is deleted only
    once the day it was said to be kept until has passed, and at least the reminder lead after its
    reminder. Idempotent. Returns (reminded, purged)."""
    now = clock.now()
    today = clock.quebec_date(now)
    retention = timedelta(days=settings.REGISTRATION_DRAFT_RETENTION_DAYS)
    lead = timedelta(days=settings.REGISTRATION_DRAFT_REMINDER_DAYS)
    reminded = 0
    due = RegistrationDraft.objects.filter(saved_at__lte=clock.add(now, lead - retention), reminder_sent_at__isnull=True)
    for draft_id in list(due.values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            draft = (RegistrationDraft.objects.select_for_update(skip_locked=True).select_related("professional")
                     .filter(pk=draft_id, reminder_sent_at__isnull=True).first())
            if draft is None:
                continue
            draft.reminder_sent_at = now
            draft.save(update_fields=["reminder_sent_at"])
            # A late reminder (the task did not run) still gives the full lead before the purge.
            registration_draft_expiring.send(sender=RegistrationDraft, professional=draft.professional,
                                             kept_until=max(kept_until(draft), today + lead))
            reminded += 1
    # Saved before the start of (today - retention), Québec time: the "kept until" day is over.
    cutoff = datetime.combine(today - retention, time.min, tzinfo=clock.QUEBEC)
    purged, _by_model = RegistrationDraft.objects.filter(saved_at__lt=cutoff, reminder_sent_at__lte=clock.add(now, -lead)).delete()
    return reminded, purged
