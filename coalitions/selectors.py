"""Queries for coalitions; they return plain data or model rows for the views and services."""

from django.db.models import Count, F

from accounts.models import Membership
from assessment.models import Cycle
from coalitions.models import BenchmarkSnapshot, CoalitionEvent, CoalitionMembership


def period_scores(organization_ids, period: int, mode: str = Cycle.Mode.STAFF) -> dict[str, dict[str, float | None]]:
    """Return, per organization, the mean scores of its latest reportable cycle of one kind closed in ``period``.

    Staff surveys and leadership self-audits are separate series, never mixed. Used only to
    compute published figures; never shown to anyone but the organization itself.
    """
    cycles = (
        Cycle.objects.filter(
            organization_id__in=organization_ids,
            mode=mode,
            status=Cycle.Status.CLOSED,
            closed_on__year=period,
            means__isnull=False,
        )
        .order_by("organization_id", "-closed_on", "-opens_on", "-created_at")
        .values_list("organization_id", "means")
    )
    latest = {}
    for organization_id, means in cycles:
        latest.setdefault(organization_id, means)
    return latest


def active_member_ids(coalition) -> list:
    return list(
        CoalitionMembership.objects.filter(coalition=coalition, withdrawn_at=None).values_list(
            "organization_id", flat=True
        )
    )


def coalition_snapshots(coalition) -> list[BenchmarkSnapshot]:
    return list(BenchmarkSnapshot.objects.filter(coalition=coalition).order_by("period"))


def participation_counts(coalition, periods) -> dict[int, int]:
    """Return, per period, how many active members have a reportable staff survey closed in it (one query)."""
    counts = (
        Cycle.objects.filter(
            organization__coalition_memberships__coalition=coalition,
            organization__coalition_memberships__withdrawn_at=None,
            mode=Cycle.Mode.STAFF,
            status=Cycle.Status.CLOSED,
            closed_on__year__in=list(periods),
            means__isnull=False,
        )
        .values("closed_on__year")
        .annotate(n=Count("organization", distinct=True))
    )
    found = {row["closed_on__year"]: row["n"] for row in counts}
    return {period: found.get(period, 0) for period in periods}


def coalition_memberships(coalition):
    """Return the coalition's memberships, by organization name, as a query to page through."""
    return (
        CoalitionMembership.objects.filter(coalition=coalition)
        .select_related("organization")
        .order_by("organization__name", "-consented_at")
    )


def organization_positions(organization, period: int, mode: str = Cycle.Mode.STAFF) -> dict[str, float | None] | None:
    """Return an organization's own scores for a period, for its own eyes."""
    return period_scores([organization.pk], period, mode).get(organization.pk)


def active_coalition_snapshots_for(organization, period: int) -> list[BenchmarkSnapshot]:
    """Return the published snapshots of a period from coalitions the organization belongs to."""
    coalitions = CoalitionMembership.objects.filter(organization=organization, withdrawn_at=None).values("coalition_id")
    return list(
        BenchmarkSnapshot.objects.filter(coalition_id__in=coalitions, period=period).select_related("coalition")
    )


def organization_coalition_memberships(organization) -> list[CoalitionMembership]:
    """Return every coalition membership of the organization, current first, for its admins."""
    return list(
        CoalitionMembership.objects.filter(organization=organization)
        .select_related("coalition")
        .order_by(F("withdrawn_at").asc(nulls_first=True), "coalition__name")
    )


def organization_admins(organization_ids) -> dict:
    """Return, per organization, the ids of its admins."""
    admins = {}
    rows = Membership.objects.filter(organization_id__in=organization_ids, role=Membership.Role.ADMIN)
    for organization_id, user_id in rows.values_list("organization_id", "user_id"):
        admins.setdefault(organization_id, set()).add(user_id)
    return admins


def active_member_names(coalition) -> list[str]:
    """Return the names of the coalition's current members: who is in is not secret, their scores are."""
    return list(
        CoalitionMembership.objects.filter(coalition=coalition, withdrawn_at=None)
        .order_by("organization__name")
        .values_list("organization__name", flat=True)
    )


def coalition_events(coalition, *, limit: int = 30) -> list[CoalitionEvent]:
    """Return the coalition's latest log entries, for its stewards."""
    return list(CoalitionEvent.objects.filter(coalition=coalition).select_related("actor")[:limit])
