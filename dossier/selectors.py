"""Reads of the professional's file, shaped for the pages (a fixed number of queries each)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Min
from django.http import Http404

from dossier import dated
from dossier.constants import ALWAYS_BY_POST, Channel, CorrespondenceKind, EmailStatus, TokenPurpose, TokenState
from dossier.models import CorrespondenceAddress, CorrespondencePreference, Professional, User, VerificationToken
from ramq_portal import clock, filecache


def _with_unread(queryset):
    """The number of unread messages in secure messaging, for the tab (NOT-2), in the same query."""
    return queryset.annotate(unread_messages=Count("secure_messages", filter=Q(secure_messages__read_at__isnull=True)))


def own_professional(user: User) -> Professional:
    """The signed-in professional's file, alone (DOS-5: 404 for anyone without one, staff included)."""
    professional = _with_unread(Professional.objects.select_related("profession")).filter(user_id=user.pk).first()
    if professional is None:
        raise Http404
    return professional


FILE_PARTS = ("telephones", "places", "addresses", "preferences")


def _file(parts=FILE_PARTS):
    """A professional's file with what a page shows of it: everything (the Profil tab, the staff's
    overview: 5 queries), or only the parts an edit page needs (1 query, and one per part)."""
    prefetches = {
        "telephones": "telephones",
        "places": "places_of_practice",
        "addresses": Prefetch(
            "correspondence_addresses",
            queryset=CorrespondenceAddress.objects.filter(cancelled_at__isnull=True).order_by("effective_from", "recorded_at"),
        ),
        "preferences": Prefetch(
            "preferences",
            queryset=CorrespondencePreference.objects.filter(cancelled_at__isnull=True).order_by("effective_from", "recorded_at"),
        ),
    }
    queryset = _with_unread(Professional.objects.select_related("profession"))
    if "addresses" in parts:  # the email status is shown with the coordinates
        live_link = VerificationToken.objects.filter(
            professional=OuterRef("pk"), purpose=TokenPurpose.EMAIL, state=TokenState.ACTIVE, expires_at__gt=clock.now()
        )
        queryset = queryset.annotate(email_link_live=Exists(live_link))
    return queryset.prefetch_related(*(prefetches[part] for part in parts))


def professional_for_user(user: User, parts=FILE_PARTS) -> Professional:
    """The signed-in professional's file, with `parts` of it (DOS-5: 404 for anyone without one)."""
    professional = _file(parts).filter(user_id=user.pk).first()
    if professional is None:
        raise Http404
    return professional


FILE_SESSION_KEY = filecache.FILE_SESSION_KEY


def remember_file_of_user(request, professional_id: int) -> None:
    """Kept in the session from sign-in (dossier.middleware), for the pages' cache: a user's file never
    changes, and a session belongs to one user."""
    request.session[FILE_SESSION_KEY] = professional_id


def file_of_request(request) -> int:
    """The signed-in professional's file id, with no query once the session knows it (DOS-5: 404 for
    anyone without one, staff included)."""
    professional_id = request.session.get(FILE_SESSION_KEY)
    if professional_id is None:
        professional_id = Professional.objects.filter(user_id=request.user.pk).values_list("pk", flat=True).first()
        if professional_id is None:
            raise Http404
        remember_file_of_user(request, professional_id)
    return professional_id


def live_email_link_expiry(professional: Professional):
    """When the email validation link in force expires (None without one): the Profil page's email
    status changes then, with no write to the file."""
    return VerificationToken.objects.filter(
        professional=professional, purpose=TokenPurpose.EMAIL, state=TokenState.ACTIVE, expires_at__gt=clock.now()
    ).aggregate(first=Min("expires_at"))["first"]


def professional_file(pk: int) -> Professional:
    """Any professional's file, for staff (STF-6); 404 when there is none."""
    professional = _file().filter(pk=pk).first()
    if professional is None:
        raise Http404
    return professional


def correspondence_address_on(professional: Professional, day: date) -> dated.InForce:
    """The address in force on `day` and the pending one, if any (uses the prefetched rows)."""
    return dated.split(professional.correspondence_addresses.all(), day)


def email_status(professional: Professional) -> str:
    """EML-2..5 as the page says it (needs `email_link_live`, from professional_for_user)."""
    if not professional.email:
        return EmailStatus.NONE
    if professional.has_activated_email:
        return EmailStatus.ACTIVATED
    return EmailStatus.AWAITING if getattr(professional, "email_link_live", False) else EmailStatus.EXPIRED


@dataclass(frozen=True)
class PreferenceLine:
    kind: str
    label: str
    locked: bool
    in_force: str
    pending: CorrespondencePreference | None

    @property
    def in_force_label(self) -> str:
        return Channel(self.in_force).label


def preference_lines(professional: Professional, day: date) -> list[PreferenceLine]:
    """PRF-1..3 per kind: the channel in force on `day` (default per PRF-2), and the pending change."""
    default = Channel.SECURE_MESSAGING if professional.is_enrolled else Channel.POST
    rows = list(professional.preferences.all())
    lines = []
    for kind in CorrespondenceKind:
        if kind in ALWAYS_BY_POST:
            lines.append(PreferenceLine(kind, kind.label, True, Channel.POST, None))
            continue
        state = dated.split([r for r in rows if r.kind == kind], day)
        in_force = state.in_force.channel if state.in_force else default
        lines.append(PreferenceLine(kind, kind.label, False, in_force, state.pending))
    return lines
