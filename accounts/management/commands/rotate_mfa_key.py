from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.adapter import reencrypt


class Command(BaseCommand):
    help = (
        "Encrypt every two-factor secret again under the first key of MFA_ENCRYPTION_KEY (or the "
        "current SECRET_KEY). Run after adding a new key in front; then the old key can be removed."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        count = 0
        for authenticator in Authenticator.objects.select_for_update().filter(type=Authenticator.Type.TOTP):
            authenticator.data = {**authenticator.data, "secret": reencrypt(authenticator.data["secret"])}
            authenticator.save(update_fields=["data"])
            count += 1
        self.stdout.write(f"{count} two-factor secret(s) encrypted under the new key.")
