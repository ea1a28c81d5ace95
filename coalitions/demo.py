"""Demo coalitions for `manage.py demo`: one of eight consenting members, one too small to publish."""

from django.db import transaction

from accounts.demo import DemoLogin, demo_user
from accounts.models import Membership
from coalitions.models import BenchmarkSnapshot, Coalition
from coalitions.services import coalition_create, coalition_join, snapshot_publish

YEARS = (2024, 2025, 2026)
COALITIONS = [
    ("Ontario Ally Network", "steward@ally-network.example", slice(0, 8)),
    ("Eastern Health Circle", "steward@health-circle.example", slice(1, 4)),
]


@transaction.atomic
def build_demo_coalitions(organizations) -> list[DemoLogin]:
    """Create the coalitions, join their members with consent and publish 2024–2026."""
    logins = []
    for name, steward_email, members in COALITIONS:
        steward = demo_user(steward_email)
        coalition = Coalition.objects.filter(name=name).first()
        if coalition is None:
            coalition, code = coalition_create(user=steward, name=name)
            for organization in organizations[members]:
                admin = Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).first().user
                coalition_join(coalition=coalition, organization=organization, by=admin, join_code=code, consent=True)
        for year in YEARS:
            if not BenchmarkSnapshot.objects.filter(coalition=coalition, period=year).exists():
                snapshot_publish(coalition=coalition, period=year, by=steward)
        logins.append(DemoLogin(steward_email, f"steward of {name}"))
    return logins
