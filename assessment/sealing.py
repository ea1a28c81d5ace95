"""Encryption with the server's key, for staff answers wherever they wait before their batch.

A database holder without the server's secret key cannot read a pending response until it is
written out with its batch, and someone reading a browser's cookies cannot read its unfinished
answers. The key follows Django's ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``, so
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


def unseal(sealed: str, *, max_age: int | None = None) -> dict:
    """Return a sealed payload; raise ``cryptography.fernet.InvalidToken`` if it was altered or is
    older than ``max_age`` seconds."""
    return json.loads(_fernet().decrypt(sealed.encode(), ttl=max_age))
