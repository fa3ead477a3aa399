"""Reads of the registration wizard (INS-3..6)."""
from __future__ import annotations

from django.http import Http404

from dossier.models import Professional, User


def registrant(user: User) -> Professional:
    """The signed-in professional's file with its profession and its draft (if any), in one query: the
    wizard shows neither the tabs nor their count of unread messages (DOS-5: 404 for anyone without a
    file, staff included)."""
    professional = Professional.objects.select_related("profession", "registration_draft").filter(user_id=user.pk).first()
    if professional is None:
        raise Http404
    return professional
