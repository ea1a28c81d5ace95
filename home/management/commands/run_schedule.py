from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.services.cycles import cycles_open_scheduled
from assessment.services.schedules import schedule_notices_send


class Command(BaseCommand):
    help = (
        "The periodic work: open the audits whose opening date has come, and email leads whose "
        "yearly audits are due in 30 or 7 days, or overdue. "
        "Safe to run every few minutes from cron or a timer; a second run, even at the same moment, "
        "sends nothing twice. Run prune once a day beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site-url", default=settings.SITE_URL, help="The address links in emails start with.")

    def handle(self, *args, site_url, **options):
        opened = cycles_open_scheduled(today=timezone.localdate())
        self.stdout.write(f"{opened} scheduled audit(s) opened.")
        sent = schedule_notices_send(today=timezone.localdate(), site_url=site_url.rstrip("/"))
        self.stdout.write(f"{sent} schedule notice(s) sent.")
