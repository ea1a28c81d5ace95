"""Single-use tokens: handed out once, stored only as a hash."""

import hashlib
import secrets


def new_token() -> str:
    """Return a fresh random token for a link or a resume cookie."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()
