"""Text-message backends (NOT-1), chosen by settings.SMS_BACKEND like Django's EMAIL_BACKEND.

The interface a production provider implements:

    class MyProviderBackend(BaseSmsBackend):
        def send(self, message: SmsMessage) -> str:
            ...  # deliver message.body to message.to, passing message.reference as the provider's
                 # idempotency key when it has one; return the provider's message id;
                 # raise SmsDeliveryError (or ConnectionError, TimeoutError) to be retried with backoff

Development backends write each message to a file in settings.SMS_FILE_PATH (one file per message,
readable by tests and by a person) or to the console. Message bodies may hold a one-time code: no
backend logs the body.
"""
from __future__ import annotations

import json
import sys
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from ramq_portal import clock


class SmsDeliveryError(Exception):
    """The provider did not take the message; the sending task retries with backoff."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. +14185550100
    body: str
    # The same for every attempt of one outgoing message: a provider that supports idempotency keys
    # drops a second attempt whose first was accepted (see notifications.outbox).
    reference: str = ""


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class FileSmsBackend(BaseSmsBackend):
    """One JSON file per message in SMS_FILE_PATH: {"to", "body", "sent_at", "id"}."""

    def send(self, message: SmsMessage) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        moment = clock.now()
        record = {**asdict(message), "sent_at": moment.isoformat(), "id": message_id}
        path = folder / f"{moment:%Y%m%d-%H%M%S}-{message_id}.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        return message_id


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        sys.stdout.write(f"--- SMS to {message.to} ---\n{message.body}\n")
        sys.stdout.flush()
        return uuid.uuid4().hex


class LocmemSmsBackend(BaseSmsBackend):
    """For tests: messages are kept in `outbox` (like django.core.mail.outbox)."""

    outbox: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> str:
        LocmemSmsBackend.outbox.append(message)
        return uuid.uuid4().hex


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
