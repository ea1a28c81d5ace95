import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def mfa_keys() -> list[str]:
    """Return the secrets that two-factor keys derive from: the first encrypts, every one decrypts.

    ``MFA_ENCRYPTION_KEY`` may list several, comma-separated, newest first; without it, the
    ``SECRET_KEY`` and its ``SECRET_KEY_FALLBACKS`` are used, so rotating the secret key the
    usual Django way keeps two-factor users able to log in.
    """
    configured = [key.strip() for key in (settings.MFA_ENCRYPTION_KEY or "").split(",") if key.strip()]
    return configured or [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _fernet() -> MultiFernet:
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"ally-readiness-mfa:" + secret.encode()).digest()))
            for secret in mfa_keys()
        ]
    )


def reencrypt(encrypted_text: str) -> str:
    """Return the secret encrypted again under the first key."""
    return _fernet().rotate(encrypted_text.encode()).decode()


class MFAAdapter(DefaultMFAAdapter):
    """Encrypt TOTP secrets at rest; allauth stores them in plain text by default."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()
