from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coalitions.models import CoalitionMembership
from coalitions.services import coalition_member_confirm


class Command(BaseCommand):
    help = (
        "Confirm, as the site's operator, that a coalition member is a real organization, separate from "
        "the other members and from the coalition's stewards; only then does it count toward the "
        "coalition's minimum and into its figures. Check this outside the site first (who runs it, its "
        "own address and people); `manage.py unconfirmed_members` lists what waits."
    )

    def add_arguments(self, parser):
        parser.add_argument("coalition", help="the coalition's short name (slug)")
        parser.add_argument("organization", help="the member organization's short name (slug)")

    def handle(self, *args, coalition, organization, **options):
        membership = (
            CoalitionMembership.objects.filter(
                coalition__slug=coalition, organization__slug=organization, withdrawn_at=None
            )
            .select_related("coalition", "organization")
            .first()
        )
        if membership is None:
            raise CommandError(f"{organization} is not a current member of {coalition}.")
        try:
            coalition_member_confirm(membership=membership, by=None)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        self.stdout.write(
            f"Confirmed {membership.organization.name} in {membership.coalition.name}: it counts from now on. "
            "The coalition's log records the confirmation as made by a command on the server."
        )
