import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    secret = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    key = hashlib.sha256(b"ally-readiness-mfa:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    """Encrypt TOTP secrets at rest; allauth stores them in plain text by default."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()
