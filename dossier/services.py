"""Writes to the professional's file. Views, the admin, the wizard and tasks call these."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from dossier import numbers
from dossier.addresses import AddressInput
from dossier.exceptions import LicenceAlreadyOnFile
from dossier.models import CorrespondenceAddress, Profession, Professional, User
from dossier.signals import file_opened
from ramq_portal import clock


@dataclass(frozen=True)
class OpenedFile:
    professional: Professional
    reference_number: str  # plaintext: printed once on the letter, never stored


def open_file(
    *,
    profession: Profession,
    licence_number: str,
    last_name: str,
    first_name: str,
    birth_date: date,
    language: str,
    address: AddressInput,
    opened_by: User | None,
    remuneration_mode: str | None = None,
) -> OpenedFile:
    """DOS-2: open a file when the professional order reports a new licence.

    Generates the professional number (with its check digit) and a single-use reference number (only
    its hash is kept), records the correspondence address as in force today, and creates the personal
    account (DOS-3, through the `file_opened` signal, in the same transaction).
    """
    number = numbers.professional_number(profession_digit=profession.number_digit, licence_number=licence_number)
    if Professional.objects.filter(professional_number=number).exists() or Professional.objects.filter(
        profession=profession, licence_number=licence_number
    ).exists():
        raise LicenceAlreadyOnFile(number)
    now = clock.now()
    reference = numbers.new_reference_number()
    extra = {"remuneration_mode": remuneration_mode} if remuneration_mode else {}
    try:
        with transaction.atomic():
            professional = Professional(
                profession=profession,
                professional_number=number,
                licence_number=licence_number,
                last_name=last_name,
                first_name=first_name,
                birth_date=birth_date,
                language=language,
                reference_number_hash=numbers.hash_reference_number(reference),
                reference_number_issued_at=now,
                opened_at=now,
                **extra,
            )
            professional._history_user = opened_by
            professional._change_reason = gettext_noop("Ouverture du dossier")
            professional.save()
            correspondence = CorrespondenceAddress(
                professional=professional,
                effective_from=now.date(),
                recorded_at=now,
                **address.as_dict(),
            )
            correspondence._history_user = opened_by
            correspondence.save()
            file_opened.send(sender=Professional, professional=professional, opened_by=opened_by)
    except IntegrityError as exc:  # a concurrent opening of the same licence
        raise LicenceAlreadyOnFile(number) from exc
    return OpenedFile(professional=professional, reference_number=reference)


def issue_reference_number(*, professional: Professional, issued_by: User | None) -> str:
    """DOS-2: a new single-use reference number (for a reprinted letter); the previous one dies.

    Returns the plaintext, which only the letter carries.
    """
    reference = numbers.new_reference_number()
    with transaction.atomic():
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        locked.reference_number_hash = numbers.hash_reference_number(reference)
        locked.reference_number_issued_at = clock.now()
        locked.reference_number_used_at = None
        locked._history_user = issued_by
        locked._change_reason = gettext_noop("Nouveau numéro de référence")
        locked.save(update_fields=["reference_number_hash", "reference_number_issued_at", "reference_number_used_at"])
    professional.refresh_from_db()
    return reference


# --- registration (INS-3, INS-5): the file's side of the wizard ---------------------------------------


def confirm_engagement(*, professional: Professional, by: User | None) -> Professional:
    """INS-3 step 1: the commitment to practise under the Health Insurance Act (RLRQ, c. A-29), immediate
    and dated. Confirming again keeps the first date. The participation status is left alone: a file
    opened is participating by default, and a change of status goes through form 1378 (INS-7)."""
    with transaction.atomic():
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        if locked.engagement_confirmed_at is None:
            locked.engagement_confirmed_at = clock.now()
            locked._history_user = by
            locked._change_reason = gettext_noop("Engagement envers la RAMQ confirmé")
            locked.save(update_fields=["engagement_confirmed_at"])
    professional.engagement_confirmed_at = locked.engagement_confirmed_at
    return locked


def set_sin(*, professional: Professional, sin: str, by: User | None) -> bool:
    """The social insurance number (INS-3 step 2, fixed fees only): 9 digits, stored encrypted; only its
    last 3 digits stay readable for masked display. Returns whether it changed."""
    digits = "".join(ch for ch in sin if ch.isdigit())
    if not numbers.is_plausible_sin(digits):
        raise ValueError("not a social insurance number Canada could have issued")
    with transaction.atomic():
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        if locked.sin == digits:
            return False
        locked.sin, locked.sin_last3 = digits, digits[-3:]
        locked._history_user = by
        locked._change_reason = gettext_noop("Numéro d'assurance sociale inscrit")
        locked.save(update_fields=["sin", "sin_last3"])
    return True


def mark_registered(*, professional: Professional, by: User | None) -> None:
    """INS-5: registration complete; billing features open."""
    with transaction.atomic():
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        if locked.registered_at is None:
            locked.registered_at = clock.now()
            locked._history_user = by
            locked._change_reason = gettext_noop("Inscription à la RAMQ terminée")
            locked.save(update_fields=["registered_at"])
    professional.registered_at = locked.registered_at
