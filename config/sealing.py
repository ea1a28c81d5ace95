"""Encryption with the server's key: the one way every value is encrypted at rest.

Staff answers wherever they wait before close, and two-factor secrets: a database holder without
the server's secret key cannot read a submitted response before its survey closes or a person's
authenticator secret, and someone reading a browser's cookies cannot read its unfinished answers. A
sealed value says nothing by its shape either: AES-GCM (from ``cryptography``) writes no time,
unlike Fernet, and every plaintext is padded to a length fixed by its caller (one per
questionnaire), so two sealed values of one kind always have the same length, however many
"don't know" answers or which role group they hold.

Each value is bound to its purpose (``"pending:<cycle>"``, ``"draft:<cycle>"``, ``"mfa"``): a
value sealed for one survey, or as a cookie, does not open as anything else. The key follows
Django's ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` (or the secrets a caller names, newest first),
so rotating the secret key the usual way keeps waiting values readable.
"""

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
LENGTH_BYTES = 2


class Unreadable(ValueError):
    """A sealed value was altered, sealed for another purpose, or under a key no longer held."""


def _keys(secrets: list[str] | None) -> list[bytes]:
    secrets = secrets or [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hmac.new(secret.encode(), b"ally.sealing", hashlib.sha256).digest() for secret in secrets]


def seal(plaintext: bytes, *, purpose: str, size: int, secrets: list[str] | None = None) -> str:
    """Return the plaintext padded to ``size`` bytes and encrypted for ``purpose`` under the first
    of ``secrets`` (the secret key by default)."""
    if len(plaintext) > size:
        raise ValueError(f"a plaintext of {len(plaintext)} bytes does not fit in {size}")
    padded = len(plaintext).to_bytes(LENGTH_BYTES, "big") + plaintext + bytes(size - len(plaintext))
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + AESGCM(_keys(secrets)[0]).encrypt(nonce, padded, purpose.encode())
    return base64.urlsafe_b64encode(sealed).decode()


def unseal(sealed: str, *, purpose: str, secrets: list[str] | None = None) -> bytes:
    """Return the plaintext of a value sealed for ``purpose`` under any of ``secrets``; raise
    ``Unreadable`` otherwise."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
    except (ValueError, UnicodeEncodeError) as error:
        raise Unreadable from error
    nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    for key in _keys(secrets):
        try:
            padded = AESGCM(key).decrypt(nonce, body, purpose.encode())
        except (InvalidTag, ValueError):
            continue
        length = int.from_bytes(padded[:LENGTH_BYTES], "big")
        return padded[LENGTH_BYTES : LENGTH_BYTES + length]
    raise Unreadable
