from django.core.management.base import BaseCommand

from home.retention import prune


class Command(BaseCommand):
    help = (
        "Delete what is past its keeping time: raw answers of audits closed longer ago than each "
        "organization's setting (results and reports stay), older audit log entries, expired "
        "invitations, links and spent credentials of closed audits, expired sessions, expired rows of the "
        "database cache and finished background tasks. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = prune()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
