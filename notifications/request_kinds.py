"""The kind of request that secure messaging owns (dossier.kinds): a message to the Régie (NOT-2).
Staff answer it from its page (notifications.messaging.reply); the answer is its decision notice."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dossier import kinds
from dossier.constants import CorrespondenceKind
from dossier.kinds import Notice
from dossier.models import Request


@kinds.register
class MessageToTheBoard(kinds.RequestKind):
    code = "message"
    label = _("Message sécurisé à la Régie")
    correspondence = CorrespondenceKind.AGREEMENT

    def summary(self, request: Request) -> str:
        return request.payload.get("subject", "")

    def accepted_notice(self, request: Request, outcome: dict) -> Notice | None:
        return None  # answered by the agent's reply, in the conversation
