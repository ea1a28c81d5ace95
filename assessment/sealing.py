"""Encryption of pending staff responses with the server's key.

A database holder without the server's secret key cannot read a response until it is written
out with its batch. The key follows Django's ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``, so
rotating the secret key the usual way keeps pending responses readable.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"ally-pending:" + s.encode()).digest())) for s in secrets]
    )


def seal(payload: dict) -> str:
    """Return the payload encrypted for storage."""
    return _fernet().encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()


def unseal(sealed: str) -> dict:
    """Return a sealed payload."""
    return json.loads(_fernet().decrypt(sealed.encode()))
