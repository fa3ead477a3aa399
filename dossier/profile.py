"""Services of the Profil tab (PRO, EML, CEL, PRF, BEY-1..3). Views, the admin (paper forms), the
registration wizard and tasks call these; each runs in a transaction and records history."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_noop
from phonenumber_field.phonenumber import to_python

from calendrier import paycalendar
from dossier import dated, tokens
from dossier.constants import ALWAYS_BY_POST, CHOOSABLE_KINDS, Channel, TokenPurpose, TokenState
from dossier.exceptions import (
    CannotRemoveOnlyMainPlace,
    NoMainPlace,
    NoPendingCode,
    NotEnrolled,
    ResendTooSoon,
    StaleEdit,
)
from dossier.models import (
    CorrespondenceAddress,
    CorrespondencePreference,
    PlaceOfPractice,
    Professional,
    SecurityReport,
    Telephone,
    User,
    VerificationToken,
)
from dossier.addresses import AddressInput
from dossier.signals import cell_code_issued, email_replaced, email_validation_requested
from ramq_portal import clock

SECTIONS = {"correspondence": "correspondence_version", "practice": "practice_version", "preferences": "preferences_version"}


def claim_section(*, professional: Professional, section: str, expected_version: int) -> Professional:
    """Optimistic locking: bump the section's version if it is still `expected_version`, and return the
    professional's row locked for the rest of the transaction. Raises StaleEdit otherwise."""
    field_name = SECTIONS[section]
    updated = Professional.objects.filter(pk=professional.pk, **{field_name: expected_version}).update(
        **{field_name: F(field_name) + 1}
    )
    if not updated:
        raise StaleEdit(section)
    return Professional.objects.select_for_update().get(pk=professional.pk)


# --- correspondence ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TelephoneInput:
    kind: str
    number: str  # E.164
    extension: str = ""


@dataclass
class CorrespondenceResult:
    address_effective_from: date | None = None
    telephones_changed: bool = False
    cell_code_sent: bool = False
    email_link_sent: bool = False
    notices: list[str] = field(default_factory=list)


def e164(number) -> str:
    """A telephone number as stored and compared: E.164 ("+14185550100"), "" for none."""
    if not number:
        return ""
    parsed = to_python(number, region="CA")
    return parsed.as_e164 if parsed and parsed.is_valid() else str(number)


def _set_agency_flag(row: CorrespondenceAddress, declared: bool, by: User | None) -> None:
    if row.declared_agency_address != declared:
        row.declared_agency_address = declared
        row._history_user = by
        row._change_reason = gettext_noop("Adresse d'agence de facturation déclarée") if declared else gettext_noop("Déclaration d'adresse d'agence retirée")
        row.save(update_fields=["declared_agency_address"])


def change_correspondence_address(
    *, professional: Professional, address: AddressInput, declared_agency_address: bool, by: User | None, moment: datetime
) -> CorrespondenceAddress | None:
    """PRO-5: recorded now, in force on the effective date (PAY-2); replaces a pending change.
    Returns the new row, or None when the address is the one already in force (and nothing pends).
    Caller holds the transaction."""
    today = moment.date()
    state = dated.split(professional.correspondence_addresses.filter(cancelled_at__isnull=True), today)
    if address.matches(state.pending):
        _set_agency_flag(state.pending, declared_agency_address, by)
        return None
    if address.matches(state.in_force):
        # Back to the address in force: cancelling the pending change (if any) is the whole change.
        dated.cancel_pending(professional.correspondence_addresses.all(), today=today, moment=moment, by=by)
        _set_agency_flag(state.in_force, declared_agency_address, by)
        return None
    dated.cancel_pending(professional.correspondence_addresses.all(), today=today, moment=moment, by=by)
    row = CorrespondenceAddress(
        professional=professional, effective_from=paycalendar.effective_date(moment),
        declared_agency_address=declared_agency_address, **address.as_dict(),
    )
    return dated.record(row, today=today, moment=moment, by=by, reason=gettext_noop("Changement d'adresse de correspondance"))


def replace_telephones(*, professional: Professional, telephones: list[TelephoneInput], by: User | None) -> bool:
    """PRO-4: telephone numbers change at once. Returns whether anything changed."""
    current = list(professional.telephones.order_by("id"))
    wanted = [(t.kind, e164(t.number), t.extension) for t in telephones]
    if [(t.kind, e164(t.number), t.extension) for t in current] == wanted:
        return False
    for phone in current:
        phone._history_user = by
        phone.delete()
    for item in telephones:
        phone = Telephone(professional=professional, kind=item.kind, number=e164(item.number), extension=item.extension)
        phone._history_user = by
        phone._change_reason = gettext_noop("Changement de téléphone")
        phone.save()
    return True


def change_cell(*, professional: Professional, number: str, by: User | None, moment: datetime) -> bool:
    """CEL-1: a new cell number is unconfirmed and gets a code by text message. Returns whether a code
    was sent. Caller holds the transaction and the professional's row lock."""
    number = e164(number)
    if e164(professional.cell_number) == number:
        return False
    professional.cell_number = number
    professional.cell_confirmed_at = None
    professional._history_user = by
    professional._change_reason = gettext_noop("Changement de cellulaire")
    professional.save(update_fields=["cell_number", "cell_confirmed_at"])
    if not number:
        tokens.kill_active(professional=professional, purpose=TokenPurpose.CELL, state=TokenState.TARGET_CHANGED, moment=moment)
        return False
    _send_cell_code(professional, moment)
    return True


def _send_cell_code(professional: Professional, moment: datetime) -> VerificationToken:
    code = tokens.new_cell_code()
    token = tokens.issue(professional=professional, purpose=TokenPurpose.CELL, target=e164(professional.cell_number), moment=moment, code=code)
    cell_code_issued.send(sender=Professional, token=token, code=code)
    return token


def change_email(*, professional: Professional, email: str, by: User | None, moment: datetime) -> bool:
    """EML-2: the new address is on file at once, awaiting validation, and gets a link (EML-3). The
    previous activated address is told (BEY-3). Returns whether a link was sent. Caller holds the
    transaction and the professional's row lock."""
    email = (email or "").strip()
    if email.lower() == (professional.email or "").lower():
        return False
    previous_activated = professional.email if professional.has_activated_email else ""
    professional.email = email
    professional.email_activated_at = None
    professional._history_user = by
    professional._change_reason = gettext_noop("Changement de courriel")
    professional.save(update_fields=["email", "email_activated_at"])
    if previous_activated and previous_activated.lower() != email.lower():
        email_replaced.send(sender=Professional, professional=professional, previous_email=previous_activated)
    if not email:
        tokens.kill_active(professional=professional, purpose=TokenPurpose.EMAIL, state=TokenState.TARGET_CHANGED, moment=moment)
        return False
    token = tokens.issue(professional=professional, purpose=TokenPurpose.EMAIL, target=email, moment=moment)
    email_validation_requested.send(sender=Professional, token=token, reminder=False)
    return True


def update_correspondence(
    *,
    professional: Professional,
    expected_version: int,
    address: AddressInput | None,
    declared_agency_address: bool,
    telephones: list[TelephoneInput] | None,
    cell: str | None,
    email: str | None,
    by: User | None,
) -> CorrespondenceResult:
    """Save the *Coordonnées de correspondance* section: address (dated), telephones (at once), cell
    (code), email (link). A part given as None is left as it is (form 3102 may change any part alone,
    STF-7). All or nothing; a stale form raises StaleEdit and saves nothing."""
    moment = clock.now()
    result = CorrespondenceResult()
    with transaction.atomic():
        locked = claim_section(professional=professional, section="correspondence", expected_version=expected_version)
        if address is not None:
            row = change_correspondence_address(
                professional=locked, address=address, declared_agency_address=declared_agency_address, by=by, moment=moment
            )
            result.address_effective_from = row.effective_from if row else None
        if telephones is not None:
            result.telephones_changed = replace_telephones(professional=locked, telephones=telephones, by=by)
        if cell is not None:
            result.cell_code_sent = change_cell(professional=locked, number=cell, by=by, moment=moment)
        if email is not None:
            result.email_link_sent = change_email(professional=locked, email=email, by=by, moment=moment)
        if locked.returned_mail_at is not None:  # BEY-8: the coordinates were reviewed and saved
            _clear_returned_mail(locked, by, gettext_noop("Coordonnées corrigées après un courrier retourné"))
    return result


# --- returned mail (BEY-8) ---------------------------------------------------------------------------------


def flag_returned_mail(*, professional: Professional, by: User | None) -> bool:
    """Staff: the post returned a letter sent to the correspondence address. Returns False if already flagged."""
    with transaction.atomic():
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        if locked.returned_mail_at is not None:
            return False
        locked.returned_mail_at = clock.now()
        locked._history_user = by
        locked._change_reason = gettext_noop("Courrier retourné signalé")
        locked.save(update_fields=["returned_mail_at"])
    return True


def _clear_returned_mail(locked: Professional, by: User | None, reason: str) -> None:
    locked.returned_mail_at = None
    locked._history_user = by
    locked._change_reason = reason
    locked.save(update_fields=["returned_mail_at"])


def confirm_coordinates(*, professional: Professional, by: User | None) -> bool:
    """BEY-8: the professional confirms the coordinates on file are right."""
    with transaction.atomic():
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        if locked.returned_mail_at is None:
            return False
        _clear_returned_mail(locked, by, gettext_noop("Coordonnées confirmées après un courrier retourné"))
    return True


def cancel_pending_address(*, professional: Professional, by: User | None) -> int:
    """BEY-1: cancel the pending correspondence address before it takes effect."""
    moment = clock.now()
    with transaction.atomic():
        # The UPDATE locks the row and makes any open form of this section stale.
        Professional.objects.filter(pk=professional.pk).update(correspondence_version=F("correspondence_version") + 1)
        return dated.cancel_pending(professional.correspondence_addresses.all(), today=moment.date(), moment=moment, by=by)


# --- email validation ------------------------------------------------------------------------------------


def resend_email_link(*, professional: Professional, by: User | None) -> VerificationToken:
    """BEY-3: a new link for the address on file, restarting the 5 days; at most one a minute."""
    moment = clock.now()
    with transaction.atomic():
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        if not locked.email or locked.has_activated_email:
            raise NoPendingCode("email")
        last = VerificationToken.objects.filter(professional=locked, purpose=TokenPurpose.EMAIL).order_by("-created_at").first()
        if not tokens.can_resend(last, moment):
            raise ResendTooSoon("email")
        token = tokens.issue(professional=locked, purpose=TokenPurpose.EMAIL, target=locked.email, moment=moment)
        email_validation_requested.send(sender=Professional, token=token, reminder=False)
    return token


@dataclass(frozen=True)
class LinkOutcome:
    ok: bool
    reason: str | None  # a TokenState when the link is dead
    professional: Professional | None


def validate_email(*, key: str) -> LinkOutcome:
    """EML-3: a genuine, live link activates the address it was sent to (single use)."""
    moment = clock.now()
    token = tokens.find_email_token(key)
    if token is None:
        return LinkOutcome(ok=False, reason="invalide", professional=None)
    with transaction.atomic():
        token = VerificationToken.objects.select_for_update().select_related("professional").get(pk=token.pk)
        reason = tokens.death(token, moment)
        if reason is not None:
            return LinkOutcome(ok=False, reason=reason, professional=token.professional)
        professional = Professional.objects.select_for_update().get(pk=token.professional_id)
        if (professional.email or "").lower() != token.target.lower():  # defensive: the address changed
            return LinkOutcome(ok=False, reason=TokenState.TARGET_CHANGED, professional=professional)
        token.state = TokenState.USED
        token.state_changed_at = moment
        token.save(update_fields=["state", "state_changed_at"])
        professional.email_activated_at = moment
        professional._history_user = professional.user
        professional._change_reason = gettext_noop("Courriel validé")
        professional.save(update_fields=["email_activated_at"])
    return LinkOutcome(ok=True, reason=None, professional=professional)


def _link_digest(link: str) -> str:
    return hashlib.sha256(link.encode()).hexdigest()


def link_already_reported(link: str) -> bool:
    """BEY-3: whether this emailed "not me" link was used already."""
    return SecurityReport.objects.filter(link_digest=_link_digest(link)).exists()


def report_unrecognised_email_change(*, professional_id: int, previous_email: str, link: str) -> SecurityReport | None:
    """BEY-3: the previous address says the change was not theirs; staff follow up. Once per emailed
    link (`link`, its signed key): None when that link reported already, even twice at the same time
    (the digest is unique in the database)."""
    try:
        with transaction.atomic():
            return SecurityReport.objects.create(
                professional_id=professional_id,
                details=f"Changement de courriel non reconnu, signalé depuis l'ancienne adresse {previous_email}",
                reported_at=clock.now(), link_digest=_link_digest(link),
            )
    except IntegrityError:
        return None


def expire_email_links() -> int:
    """EML-4: one set-based UPDATE marks every live link past its 5 days as expired."""
    return VerificationToken.objects.filter(
        purpose=TokenPurpose.EMAIL, state=TokenState.ACTIVE, expires_at__lte=clock.now()
    ).update(state=TokenState.EXPIRED, state_changed_at=clock.now())


def send_email_reminders(*, batch_size: int = 500) -> int:
    """BEY-3: on day 4, remind once those whose link is still unused."""
    moment = clock.now()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                VerificationToken.objects.select_for_update(skip_locked=True)
                .select_related("professional")
                .filter(
                    purpose=TokenPurpose.EMAIL, state=TokenState.ACTIVE, reminder_sent_at__isnull=True,
                    created_at__lte=clock.add(moment, -tokens.EMAIL_REMINDER_AFTER), expires_at__gt=moment,
                )
                .order_by("pk")[:batch_size]
            )
            for token in due:
                VerificationToken.objects.filter(pk=token.pk).update(reminder_sent_at=moment)
                email_validation_requested.send(sender=Professional, token=token, reminder=True)
        total += len(due)
        if len(due) < batch_size:
            return total


# --- cell confirmation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeOutcome:
    ok: bool
    reason: str | None = None  # "wrong", or a TokenState (expired, locked, ...)
    remaining_attempts: int = 0


def confirm_cell(*, professional: Professional, code: str) -> CodeOutcome:
    """CEL-2: the right code within 10 minutes confirms the number; 5 wrong tries end the code."""
    moment = clock.now()
    with transaction.atomic():
        token = (
            VerificationToken.objects.select_for_update()
            .filter(professional=professional, purpose=TokenPurpose.CELL)
            .order_by("-created_at")
            .first()
        )
        if token is None:
            raise NoPendingCode("cell")
        reason = tokens.death(token, moment)
        if reason is not None:
            return CodeOutcome(ok=False, reason=reason)
        if not tokens.code_matches(token, code):
            if _matches_superseded_code(professional, token, code, moment):
                return CodeOutcome(ok=False, reason=TokenState.SUPERSEDED, remaining_attempts=tokens.CELL_MAX_ATTEMPTS - token.attempts)
            token.attempts += 1
            if token.attempts >= tokens.CELL_MAX_ATTEMPTS:
                token.state = TokenState.LOCKED
                token.state_changed_at = moment
            token.save(update_fields=["attempts", "state", "state_changed_at"])
            remaining = tokens.CELL_MAX_ATTEMPTS - token.attempts
            return CodeOutcome(ok=False, reason="wrong" if remaining else TokenState.LOCKED, remaining_attempts=remaining)
        token.state = TokenState.USED
        token.state_changed_at = moment
        token.save(update_fields=["state", "state_changed_at"])
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        locked.cell_confirmed_at = moment
        locked._history_user = locked.user
        locked._change_reason = gettext_noop("Cellulaire confirmé")
        locked.save(update_fields=["cell_confirmed_at"])
    return CodeOutcome(ok=True)


def _matches_superseded_code(professional: Professional, current: VerificationToken, code: str, moment: datetime) -> bool:
    """Whether `code` is one of the codes the current one replaced (still within their 10 minutes)."""
    replaced = VerificationToken.objects.filter(
        professional=professional, purpose=TokenPurpose.CELL, state=TokenState.SUPERSEDED, target=current.target,
        expires_at__gt=moment,
    ).exclude(pk=current.pk)
    return any(tokens.code_matches(old, code) for old in replaced)


def resend_cell_code(*, professional: Professional) -> VerificationToken:
    """CEL-2: a new code (the previous one dies), at most one a minute."""
    moment = clock.now()
    with transaction.atomic():
        locked = Professional.objects.select_for_update().get(pk=professional.pk)
        if not locked.cell_number or locked.cell_confirmed_at:
            raise NoPendingCode("cell")
        last = VerificationToken.objects.filter(professional=locked, purpose=TokenPurpose.CELL).order_by("-created_at").first()
        if not tokens.can_resend(last, moment):
            raise ResendTooSoon("cell")
        return _send_cell_code(locked, moment)


# --- practice ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceInput:
    pk: int | None
    name: str
    address: AddressInput
    main_telephone: str
    is_main: bool
    delete: bool = False


def update_practice(*, professional: Professional, expected_version: int, places: list[PlaceInput], by: User | None) -> None:
    """PRO-2: at least one place of practice, exactly one main; public coordinates change at once."""
    with transaction.atomic():
        locked = claim_section(professional=professional, section="practice", expected_version=expected_version)
        kept = [p for p in places if not p.delete]
        if not kept or sum(p.is_main for p in kept) != 1:
            raise CannotRemoveOnlyMainPlace()
        existing = {p.pk: p for p in locked.places_of_practice.all()}
        named = [item.pk for item in places if item.pk is not None]
        if len(named) != len(set(named)) or set(named) - set(existing):
            raise StaleEdit("practice")
        # Clear the main flag first so that the one-main constraint holds at every step.
        for place in existing.values():
            if place.is_main:
                place.is_main = False
                place._history_user = by
                place.save(update_fields=["is_main"])
        for item in places:
            place = existing.get(item.pk) if item.pk else None
            if item.delete:
                if place is not None:
                    place._history_user = by
                    place._change_reason = gettext_noop("Lieu de pratique retiré")
                    place.delete()
                continue
            place = place or PlaceOfPractice(professional=locked)
            place.name = item.name
            item.address.write_to(place)
            place.main_telephone = item.main_telephone
            place.is_main = item.is_main
            place._history_user = by
            place._change_reason = gettext_noop("Coordonnées de pratique modifiées")
            place.save()


def require_main_place_parts(*, has_main: bool, name: str, address: AddressInput | None, telephone: str) -> None:
    """PRO-2: a file without a main place of practice gets one only with its name, address and telephone."""
    if not has_main and not (name and address is not None and telephone):
        raise NoMainPlace()


def change_main_place(*, professional: Professional, expected_version: int, name: str, address: AddressInput | None, telephone: str,
                      by: User | None) -> PlaceOfPractice:
    """STF-7 (form 3102, *Adresse du lieu principal de pratique*): the main place's name, address or
    telephone, each part alone; the other places stay. A file without a main place gets one, which then
    needs all three (PRO-2). Same rules and history as the Profil tab (update_practice)."""
    places = list(professional.places_of_practice.all())
    main = next((p for p in places if p.is_main), None)
    require_main_place_parts(has_main=main is not None, name=name, address=address, telephone=telephone)
    rows = [PlaceInput(pk=p.pk, name=p.name, address=AddressInput.of(p), main_telephone=str(p.main_telephone), is_main=p.is_main)
            for p in places if p is not main]
    rows.append(PlaceInput(pk=main.pk if main else None, name=name or main.name, address=address or AddressInput.of(main),
                           main_telephone=telephone or str(main.main_telephone), is_main=True))
    update_practice(professional=professional, expected_version=expected_version, places=rows, by=by)
    return professional.places_of_practice.get(is_main=True)


# --- preferences -------------------------------------------------------------------------------------------


def default_channel(professional: Professional) -> str:
    """PRF-2: secure messaging for an enrolled professional, post otherwise."""
    return Channel.SECURE_MESSAGING if professional.is_enrolled else Channel.POST


def change_preferences(
    *, professional: Professional, expected_version: int, choices: dict[str, str], by: User | None
) -> date | None:
    """PRF-1..3: the chosen channel per choosable kind, recorded now, in force on the effective date.
    Returns the effective date, or None when nothing changed."""
    if not professional.is_enrolled:
        raise NotEnrolled()
    moment = clock.now()
    today = moment.date()
    effective = paycalendar.effective_date(moment)
    changed = False
    with transaction.atomic():
        locked = claim_section(professional=professional, section="preferences", expected_version=expected_version)
        rows = list(locked.preferences.filter(cancelled_at__isnull=True).order_by("effective_from", "recorded_at"))
        for kind in CHOOSABLE_KINDS:
            if kind in ALWAYS_BY_POST or kind not in choices:
                continue
            state = dated.split([r for r in rows if r.kind == kind], today)
            wanted = choices[kind]
            in_force = state.in_force.channel if state.in_force else default_channel(locked)
            pending = state.pending.channel if state.pending else None
            if (pending or in_force) == wanted:
                continue
            dated.cancel_pending(locked.preferences.filter(kind=kind), today=today, moment=moment, by=by)
            changed = True
            if in_force != wanted:
                dated.record(
                    CorrespondencePreference(professional=locked, kind=kind, channel=wanted, effective_from=effective),
                    today=today, moment=moment, by=by, reason=gettext_noop("Préférence de correspondance modifiée"),
                )
    return effective if changed else None


def cancel_pending_preferences(*, professional: Professional, by: User | None) -> int:
    moment = clock.now()
    with transaction.atomic():
        Professional.objects.filter(pk=professional.pk).update(preferences_version=F("preferences_version") + 1)
        return dated.cancel_pending(professional.preferences.all(), today=moment.date(), moment=moment, by=by)


dated.comes_into_force(CorrespondenceAddress)
dated.comes_into_force(CorrespondencePreference)


def bring_dated_changes_into_force() -> int:
    """Daily: record in each file's history the changes whose effective date has come (the file's, and
    its accounts': dated.IN_FORCE_MODELS)."""
    return sum(dated.bring_into_force(model) for model in dated.IN_FORCE_MODELS)
