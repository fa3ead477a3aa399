"""Encryption at rest of personal data (bank account numbers, SIN), with rotatable keys.

settings.FIELD_ENCRYPTION_KEYS lists Fernet keys, newest first: new values are encrypted with the
first; every listed key still decrypts, so a key can be added in front and old rows re-encrypted with
`manage.py rotate_encryption_keys` before the old key is dropped. Values are never logged.
"""
from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a malformed Fernet key.") from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("An encrypted value cannot be read with FIELD_ENCRYPTION_KEYS (a key was dropped too early?).") from None


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode() if token else ""


def mask(value: str, visible: int = 3) -> str:
    """'1234567' -> '••••567': the last 3 digits, as screens and the admin show them."""
    if not value:
        return ""
    return "•" * max(len(value) - visible, 0) + value[-visible:]


class EncryptedCharField(models.TextField):
    """A string stored encrypted (Fernet); reads give the plaintext back. Not searchable by design."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def to_python(self, value):
        return value or ""

    def get_prep_value(self, value):
        return encrypt(value) if value else ""
