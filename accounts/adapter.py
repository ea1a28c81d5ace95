from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

from config import sealing

# Two-factor values allauth stores: a TOTP secret (32 base32 characters) or a recovery-code seed
# (80 hex digits), sealed at one length.
MFA_PURPOSE, MFA_SIZE = "mfa", 96


def mfa_keys() -> list[str]:
    """Return the secrets that two-factor keys derive from: the first encrypts, every one decrypts.

    ``MFA_ENCRYPTION_KEY`` may list several, comma-separated, newest first; without it, the
    ``SECRET_KEY`` and its ``SECRET_KEY_FALLBACKS`` are used, so rotating the secret key the
    usual Django way keeps two-factor users able to log in.
    """
    configured = [key.strip() for key in (settings.MFA_ENCRYPTION_KEY or "").split(",") if key.strip()]
    return configured or [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


class MFAAdapter(DefaultMFAAdapter):
    """Seal two-factor secrets at rest (``config.sealing``); allauth stores them in plain text by default."""

    def encrypt(self, text: str) -> str:
        return sealing.seal(text.encode(), purpose=MFA_PURPOSE, size=MFA_SIZE, secrets=mfa_keys())

    def decrypt(self, encrypted_text: str) -> str:
        return sealing.unseal(encrypted_text, purpose=MFA_PURPOSE, secrets=mfa_keys()).decode()


def reencrypt(encrypted_text: str) -> str:
    """Return the secret sealed again under the first key."""
    adapter = MFAAdapter()
    return adapter.encrypt(adapter.decrypt(encrypted_text))
