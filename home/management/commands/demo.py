from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, build_demo_accounts
from assessment.demo import build_demo_audits
from coalitions.demo import build_demo_coalitions
from community_review.demo import build_demo_reviews
from reports.demo import build_demo_actions


class Command(BaseCommand):
    help = "Set up the database with demo data, print the demo logins and serve on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Build the demo data and exit.")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="Where to serve (default 127.0.0.1:8000).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Start over: delete everything in the database (demo data and any changes made since), then rebuild.",
        )

    def handle(self, *args, no_serve=False, addrport="127.0.0.1:8000", reset=False, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "The demo refuses to run with ALLY_ENV=production: it creates admins with a published password."
            )
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            # Every table is emptied, not only the demo's rows: what was added or changed since the
            # last run (new audits, answers, members) goes too, so the demo is as on a fresh clone.
            self.stdout.write("Deleting everything in the database, to start over…")
            call_command("flush", interactive=False, verbosity=0)
        self.stdout.write("Creating demo organizations and people…")
        organizations, logins = build_demo_accounts()
        self.stdout.write("Loading the questionnaire and three years of audits (this takes a few seconds)…")
        open_token = build_demo_audits(organizations)
        build_demo_actions(organizations)
        logins += build_demo_reviews(organizations)
        self.stdout.write(
            "Building coalitions, confirming their members as the site's operator would "
            "(manage.py confirm_member; one member of Eastern Health Circle is left waiting), "
            "and publishing their 2024 and 2025 figures (2026 is left for the steward to publish)…"
        )
        logins += build_demo_coalitions(organizations)
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {len(organizations)} organizations."))
        self.stdout.write(f"\nLog in with any of these (password: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.email:<36} {login.description}")
        if open_token:
            self.stdout.write(
                f"\nAn open staff survey takes answers without an account through its shared link:\n"
                f"  http://{addrport}/r/{open_token}/"
            )
        if no_serve:
            return
        self.stdout.write(f"\nServing on http://{addrport}/ (Ctrl+C to stop)\n")
        call_command("runserver", addrport, use_reloader=False)
