"""Reads of the professional's file, shaped for the pages (a fixed number of queries each)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.http import Http404

from dossier.models import CorrespondenceAddress, Professional, User


def professional_for_user(user: User) -> Professional:
    """The signed-in professional's own file (DOS-5); 404 for anyone without one (staff included)."""
    professional = (
        Professional.objects.select_related("profession")
        .prefetch_related(
            "telephones",
            "places_of_practice",
            Prefetch(
                "correspondence_addresses",
                queryset=CorrespondenceAddress.objects.filter(cancelled_at__isnull=True).order_by("effective_from", "recorded_at"),
            ),
        )
        .filter(user_id=user.pk)
        .first()
    )
    if professional is None:
        raise Http404
    return professional


@dataclass(frozen=True)
class DatedAddress:
    in_force: CorrespondenceAddress | None
    pending: CorrespondenceAddress | None


def correspondence_address_on(professional: Professional, day: date) -> DatedAddress:
    """The address in force on `day` and the pending one, if any (uses the prefetched rows)."""
    in_force = None
    pending = None
    for address in professional.correspondence_addresses.all():  # ordered by effective_from
        if address.effective_from <= day:
            in_force = address
        else:
            pending = address
    return DatedAddress(in_force=in_force, pending=pending)
