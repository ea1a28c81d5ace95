from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.adapter import reencrypt

# Where allauth keeps each kind of authenticator's sealed value.
SEALED = {Authenticator.Type.TOTP: "secret", Authenticator.Type.RECOVERY_CODES: "seed"}


class Command(BaseCommand):
    help = (
        "Seal every two-factor secret and recovery-code seed again under the first key of "
        "MFA_ENCRYPTION_KEY (or the current SECRET_KEY). Run after adding a new key in front; then "
        "the old key can be removed."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        count = 0
        for authenticator in Authenticator.objects.select_for_update().filter(type__in=SEALED):
            field = SEALED[authenticator.type]
            authenticator.data = {**authenticator.data, field: reencrypt(authenticator.data[field])}
            authenticator.save(update_fields=["data"])
            count += 1
        self.stdout.write(f"{count} two-factor secret(s) sealed under the new key.")
