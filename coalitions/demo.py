"""Demo coalitions for `manage.py demo`: one of eight consenting members, one too small to publish.

On a real site the operator confirms each member after checking that it is a separate
organization (`manage.py confirm_member`); the demo confirms its members the same way, as the
operator would, and leaves one member of the small coalition waiting so its steward page shows it.
"""

from django.db import transaction

from accounts.demo import DemoLogin, demo_user
from accounts.models import Membership
from coalitions.models import Coalition, CoalitionMembership
from coalitions.services import (
    coalition_create,
    coalition_join,
    coalition_member_confirm,
    snapshot_eligible_years,
    snapshot_publish,
)

YEARS = (2024, 2025, 2026)
# The latest year is left for the steward to publish, as a real coalition's would be after its audits.
PUBLISHED_YEARS = YEARS[:-1]
# name, steward, members (a slice of the demo organizations), how many of them the operator confirmed
COALITIONS = [
    ("Ontario Ally Network", "steward@ally-network.example", slice(0, 8), 8),
    ("Eastern Health Circle", "steward@health-circle.example", slice(1, 4), 2),
]


@transaction.atomic
def build_demo_coalitions(organizations) -> list[DemoLogin]:
    """Create the coalitions, join their members with consent, confirm them as the operator would,
    and publish the years of 2024 and 2025 with enough members (none, for the small coalition: a
    year is never published below its minimum); 2026 waits for its steward."""
    logins = []
    for name, steward_email, members, confirmed in COALITIONS:
        steward = demo_user(steward_email)
        coalition = Coalition.objects.filter(name=name).first()
        if coalition is None:
            coalition, code = coalition_create(user=steward, name=name)
            for organization in organizations[members]:
                admin = (
                    Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).earliest("pk").user
                )
                coalition_join(coalition=coalition, organization=organization, by=admin, join_code=code, consent=True)
        # Also on a demo database made before members needed confirming.
        for organization in organizations[members][:confirmed]:
            membership = CoalitionMembership.objects.filter(
                coalition=coalition, organization=organization, withdrawn_at=None, confirmed_at=None
            ).first()
            if membership is not None:
                coalition_member_confirm(membership=membership)
        for year in snapshot_eligible_years(coalition=coalition, periods=PUBLISHED_YEARS):
            snapshot_publish(coalition=coalition, period=year, by=steward)
        logins.append(DemoLogin(steward_email, f"steward of {name}"))
    return logins
