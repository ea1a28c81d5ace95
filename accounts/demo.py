"""Demo organizations and people for `manage.py demo`. Idempotent."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Membership, Organization, User

DEMO_PASSWORD = "ally-demo-2026"

Role = Membership.Role

# Eight organizations, enough for a coalition benchmark above its minimum size.
DEMO_ORGANIZATIONS = [
    ("Riverside Community Legal Clinic", "riverside-legal", Organization.Sector.LEGAL, "Toronto"),
    ("Harbour Health Centre", "harbour-health", Organization.Sector.HEALTH, "Toronto"),
    ("Eastside Settlement Services", "eastside-settlement", Organization.Sector.SOCIAL, "Toronto"),
    ("Maple Street Drop-in", "maple-dropin", Organization.Sector.COMMUNITY, "Hamilton"),
    ("Lakeshore Workers' Rights Centre", "lakeshore-workers", Organization.Sector.LEGAL, "Mississauga"),
    ("North End Women's Shelter", "north-end-shelter", Organization.Sector.SOCIAL, "Toronto"),
    ("Bridge Sexual Health Clinic", "bridge-sexual-health", Organization.Sector.HEALTH, "Ottawa"),
    ("Commons Newcomer Network", "commons-newcomer", Organization.Sector.COMMUNITY, "Montréal"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    description: str


def demo_user(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _member(user: User, organization: Organization, role: Role) -> None:
    Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": role})


@transaction.atomic
def build_demo_accounts() -> tuple[list[Organization], list[DemoLogin]]:
    """Create the demo organizations, their admins and a lead and staff in the first one."""
    organizations = []
    for name, slug, sector, region in DEMO_ORGANIZATIONS:
        organization, _ = Organization.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "sector": sector, "region": region, "size_band": Organization.SizeBand.MEDIUM},
        )
        organizations.append(organization)
        _member(demo_user(f"admin@{slug}.example"), organization, Role.ADMIN)
    first = organizations[0]
    _member(demo_user("lead@riverside-legal.example"), first, Role.LEAD)
    for number in range(1, 4):
        _member(demo_user(f"staff{number}@riverside-legal.example"), first, Role.STAFF)
    logins = [
        DemoLogin(f"admin@{first.slug}.example", f"admin of {first.name}"),
        DemoLogin(f"lead@{first.slug}.example", f"lead of {first.name}"),
        DemoLogin(f"staff1@{first.slug}.example", f"staff of {first.name}"),
    ]
    return organizations, logins
