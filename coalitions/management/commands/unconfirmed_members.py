from django.core.management.base import BaseCommand, CommandError

from coalitions import selectors
from coalitions.models import Coalition


class Command(BaseCommand):
    help = (
        "List the coalition members that wait for the operator's confirmation, with who consented, the "
        "organization's admins and the coalition's stewards, so you can check each is a separate organization."
    )

    def add_arguments(self, parser):
        parser.add_argument("coalition", nargs="?", help="only this coalition (its slug)")

    def handle(self, *args, coalition=None, **options):
        if coalition is not None:
            found = Coalition.objects.filter(slug=coalition).first()
            if found is None:
                raise CommandError(f"No coalition is called {coalition}.")
            coalition = found
        memberships = list(selectors.unconfirmed_memberships(coalition))
        if not memberships:
            self.stdout.write("No member waits for confirmation.")
            return
        admins = selectors.organization_admin_emails({m.organization_id for m in memberships})
        stewards = selectors.coalition_steward_emails({m.coalition_id for m in memberships})
        for m in memberships:
            consented_by = m.consented_by.email if m.consented_by else "a deleted person"
            self.stdout.write(
                f"{m.coalition.slug} {m.organization.slug}\n"
                f"  {m.organization.name}, joined {m.consented_at:%Y-%m-%d} (consent by {consented_by})\n"
                f"  its admins: {', '.join(admins.get(m.organization_id, [])) or 'none'}\n"
                f"  the coalition's stewards: {', '.join(stewards.get(m.coalition_id, [])) or 'none'}"
            )
        self.stdout.write(
            f"\n{len(memberships)} waiting. Confirm one with `manage.py confirm_member <coalition> <organization>` "
            "only after checking, outside this site, that it is a real organization run by people other than the "
            "stewards and the other members. Addresses that look alike (one mailbox with +tags, one domain) are a "
            "reason to ask; different addresses prove nothing."
        )
