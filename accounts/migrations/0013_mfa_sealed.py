"""Two-factor secrets and recovery-code seeds, once Fernet tokens, are sealed like every other
encrypted value (``config.sealing``): no creation time in clear, one length."""

import base64
import hashlib

from django.db import migrations

SEALED = {"totp": "secret", "recovery_codes": "seed"}


def fernet_to_sealed(apps, schema_editor):
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet

    from accounts.adapter import MFAAdapter, mfa_keys

    # The key derivation of the earlier release, kept here only to open what it wrote.
    fernet = MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"ally-readiness-mfa:" + secret.encode()).digest()))
            for secret in mfa_keys()
        ]
    )
    adapter = MFAAdapter()
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SEALED):
        field = SEALED[authenticator.type]
        try:
            plain = fernet.decrypt(authenticator.data[field].encode()).decode()
        except (InvalidToken, KeyError):
            continue  # sealed already, or under a key this server no longer holds: left as it is
        authenticator.data = {**authenticator.data, field: adapter.encrypt(plain)}
        authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_audit_data_only"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(fernet_to_sealed, migrations.RunPython.noop, elidable=True)]
