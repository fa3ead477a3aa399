"""Enrolment to the online services (INS-1, INS-2) and recovery of a forgotten password.

Enrolment needs the single-use reference number of the letter (DOS-2) and an identity that matches
the file; any mismatch gets the same refusal, so that a guess never learns which part was wrong. The
reference number is used up in the same transaction that creates the account: a second attempt, even
a concurrent one, is refused (the file's row is locked and re-read).
"""
from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from dossier import numbers
from dossier.models import Professional, User
from dossier.signals import password_recovered, password_reset_requested
from inscription.exceptions import EnrolmentRefused, UsernameTaken
from inscription.models import Enrolment, SecretAnswer, SecretQuestion
from ramq_portal import clock

SECURITY_POLICY_VERSION = "2026-01"
QUESTIONS_ASKED = 3


def normalize(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name or a secret answer: 'Éric  Côté ' -> 'eric cote'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace("-", " ").replace("’", "'").split())


@dataclass(frozen=True)
class Identity:
    """INS-2: the mandatory identity fields, checked against the file."""

    last_name: str
    first_name: str
    birth_date: date
    licence_number: str

    def matches(self, professional: Professional) -> bool:
        return (
            normalize(self.last_name) == normalize(professional.last_name)
            and normalize(self.first_name) == normalize(professional.first_name)
            and self.birth_date == professional.birth_date
            and self.licence_number.strip() == professional.licence_number
        )


VERIFICATION_LIFETIME = timedelta(minutes=30)


def _enrollable(reference_hash: str):
    return Professional.objects.filter(reference_number_hash=reference_hash, reference_number_used_at__isnull=True, user__isnull=True)


def find_file(*, reference_number: str, identity: Identity) -> Professional:
    """INS-1/INS-2: the file this unused reference number and this identity designate, or EnrolmentRefused
    (the same for a wrong, used or unknown number and for a wrong identity)."""
    if not numbers.normalize_reference_number(reference_number):
        raise EnrolmentRefused()
    professional = _enrollable(numbers.hash_reference_number(reference_number)).first()
    if professional is None or not identity.matches(professional):
        raise EnrolmentRefused()
    return professional


def verified_file(*, professional_id, reference_hash: str, verified_at: str) -> Professional | None:
    """The file whose reference number and identity were verified less than 30 minutes ago, if its
    number is still unused (the second page of enrolment keeps only the file's id and that hash)."""
    try:
        when = datetime.fromisoformat(verified_at)
    except (TypeError, ValueError):
        return None
    if not isinstance(professional_id, int) or not reference_hash or clock.now() - when > VERIFICATION_LIFETIME:
        return None
    return _enrollable(reference_hash).filter(pk=professional_id).first()


def enrol(
    *,
    professional_id: int,
    reference_hash: str,
    username: str,
    password: str,
    answers: list[tuple[str, str]],
) -> User:
    """INS-2: create the professional's online-services account and use up the reference number (the
    file and its number were verified with the identity by find_file).

    `answers` pairs each chosen SecretQuestion with its answer (stored hashed after normalization).
    The caller has validated the password against the password rules.
    """
    if len(answers) != QUESTIONS_ASKED or len({q for q, _ in answers}) != QUESTIONS_ASKED:
        raise ValueError("three different secret questions are required")
    now = clock.now()
    try:
        with transaction.atomic():
            # Locked and re-read: a concurrent enrolment with the same number waits here, then finds it used.
            professional = _enrollable(reference_hash).filter(pk=professional_id).select_for_update().first()
            if professional is None:
                raise EnrolmentRefused()
            if User.objects.filter(username__iexact=username).exists():
                raise UsernameTaken()
            user = User.objects.create_user(
                username=username, password=password, first_name=professional.first_name, last_name=professional.last_name
            )
            professional.user = user
            professional.reference_number_used_at = now
            professional._history_user = user
            professional._change_reason = gettext_noop("Inscription aux services en ligne")
            professional.save(update_fields=["user", "reference_number_used_at"])
            SecretAnswer.objects.bulk_create(
                SecretAnswer(user=user, question=question, answer_hash=make_password(normalize(answer)), position=index)
                for index, (question, answer) in enumerate(answers)
            )
            Enrolment.objects.create(
                professional=professional, user=user, enrolled_at=now, security_policy_version=SECURITY_POLICY_VERSION
            )
    except IntegrityError as exc:  # the same username chosen at the same moment by someone else
        raise UsernameTaken() from exc
    return user


# --- forgotten password ------------------------------------------------------------------------------


def questions_for(username: str) -> list[str]:
    """The secret questions to ask for `username`. An unknown username gets questions too (always the
    same ones for the same name), so that the page never reveals which usernames exist."""
    user = User.objects.filter(username=username, professional__isnull=False).first()
    if user is not None:
        asked = list(user.secret_answers.values_list("question", flat=True))
        if len(asked) == QUESTIONS_ASKED:
            return asked
    digest = hmac.new(settings.SECRET_KEY.encode(), username.encode(), "sha256").digest()
    pool = list(SecretQuestion.values)
    chosen = []
    for byte in digest:
        candidate = pool[byte % len(pool)]
        if candidate not in chosen:
            chosen.append(candidate)
        if len(chosen) == QUESTIONS_ASKED:
            break
    return chosen


_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password("réponse factice")
    return _DUMMY_HASH


def answers_match(user: User | None, answers: dict[str, str]) -> bool:
    """Every stored answer is given and matches (case- and accent-insensitively). Always exactly three
    hash checks, whether the user exists, has answers or not: the time taken reveals nothing."""
    stored = list(user.secret_answers.all()) if user is not None else []
    real = len(stored) == QUESTIONS_ASKED
    pairs = [(answers.get(row.question, ""), row.answer_hash) for row in stored] if real else [("", _dummy_hash())] * QUESTIONS_ASKED
    results = [check_password(normalize(answer), hashed) for answer, hashed in pairs]
    return real and all(results)


def reset_password_with_answers(*, username: str, answers: dict[str, str], new_password: str) -> bool:
    """Sets the new password if every secret answer matches; False otherwise (nothing changes)."""
    user = User.objects.filter(username=username, professional__isnull=False, is_active=True).first()
    if not answers_match(user, answers):
        return False
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        announce_new_password(user)
    return True


def announce_new_password(user: User) -> None:
    """A password changed through recovery (secret answers or the emailed link): the professional is told
    in secure messaging and on the activated email, and a lockout of that username is lifted."""
    from axes.utils import reset

    reset(username=user.get_username())
    professional = Professional.objects.filter(user=user).first()
    if professional is not None:
        password_recovered.send(sender=Professional, professional=professional)


def send_password_link(*, username: str) -> None:
    """The other way back in: a reset link to the activated email only (EML-5). Nothing is said about
    whether the username exists or has such an address."""
    professional = Professional.objects.filter(user__username=username, user__is_active=True).select_related("user").first()
    if professional is None or not professional.has_activated_email:
        return
    with transaction.atomic():
        password_reset_requested.send(sender=Professional, professional=professional, user=professional.user)
