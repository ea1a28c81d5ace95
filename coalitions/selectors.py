"""Queries for coalitions; they return plain data or model rows for the views and services."""

from typing import NamedTuple
from uuid import UUID

from django.db.models import Count, F

from accounts.models import Membership
from assessment.models import Cycle, Questionnaire
from coalitions.models import BenchmarkSnapshot, Coalition, CoalitionEvent, CoalitionMembership

# The kinds of audit a benchmark is made of. Community feedback never is: anyone with its link
# can answer, so its figures serve the organization's own learning only (DESIGN §13).
BENCHMARKED_MODES = (Cycle.Mode.STAFF, Cycle.Mode.TEAM)


class PeriodCycle(NamedTuple):
    cycle_id: object
    version: int
    means: dict[str, float | None]


def period_cycles(organization_ids, periods) -> dict[str, dict[int, dict]]:
    """Return, per kind of audit, period and organization, its latest reportable cycle of that
    kind closed in that year: id, questionnaire version and mean scores, for publishing (one
    query). ``organization_ids`` may be a list or a query of ids."""
    cycles = (
        Cycle.objects.filter(
            organization_id__in=organization_ids,
            status=Cycle.Status.CLOSED,
            closed_on__year__in=list(periods),
            means__isnull=False,
            mode__in=BENCHMARKED_MODES,
        )
        .order_by("mode", "organization_id", "-closed_on", "-opens_on", "-created_at")
        .values_list("mode", "closed_on", "organization_id", "id", "questionnaire__version", "means")
    )
    latest: dict[str, dict[int, dict]] = {mode: {period: {} for period in periods} for mode in BENCHMARKED_MODES}
    for mode, closed_on, organization_id, cycle_id, version, means in cycles:
        assert closed_on is not None and means is not None  # the query asks for both
        latest[mode][closed_on.year].setdefault(organization_id, PeriodCycle(cycle_id, version, means))
    return latest


def published_cycle(snapshot: BenchmarkSnapshot, organization, mode: str) -> Cycle | None:
    """Return the organization's audit of one kind that a snapshot was computed from.

    Snapshots published before they recorded their audits fall back to the latest reportable
    audit of the year that closed by the day of publishing.
    """
    cycles = Cycle.objects.filter(organization=organization, mode=mode).select_related("questionnaire")
    if snapshot.versions:
        return cycles.filter(pk__in=snapshot.cycles.values("pk")).first()
    return (
        cycles.filter(
            status=Cycle.Status.CLOSED,
            closed_on__year=snapshot.period,
            closed_on__lte=snapshot.published_at.date(),
            means__isnull=False,
        )
        .order_by("-closed_on", "-opens_on", "-created_at")
        .first()
    )


def series_for(snapshot: BenchmarkSnapshot, organization, mode: str):
    """Return the published figures an organization's audit of one kind is set against, and that
    audit: the one the snapshot was computed from, in the series of its questionnaire version."""
    main = snapshot.stats if mode == Cycle.Mode.STAFF else snapshot.team_stats
    cycle = published_cycle(snapshot, organization, mode)
    if cycle is None or not snapshot.versions or snapshot.versions.get(mode) == cycle.questionnaire.version:
        return main, cycle
    for series in snapshot.other_series:
        if series["mode"] == mode and series["version"] == cycle.questionnaire.version:
            return series["stats"], cycle
    return main, None


def period_questionnaires(coalition, period: int) -> list[Questionnaire]:
    """Return the questionnaire versions that members' audits closed in ``period`` used.

    Which member used which is not returned, and no answer's language is stored anywhere: the
    benchmark page says only which languages those questionnaires offered.
    """
    used = Cycle.objects.filter(
        organization_id__in=CoalitionMembership.objects.filter(coalition=coalition).values("organization_id"),
        status=Cycle.Status.CLOSED,
        closed_on__year=period,
    ).values("questionnaire_id")
    return list(Questionnaire.objects.filter(id__in=used).order_by("slug", "version"))


def counted_memberships(coalition):
    """Return the memberships that count toward the coalition's minimum and into its figures.

    The one place the rule lives: active (consent not withdrawn) and confirmed by the site's
    operator as a separate organization. Publishing, the steward's participation counts and a
    member's "counts yet" on the coalition and benchmark pages all ask here.
    """
    return CoalitionMembership.objects.filter(coalition=coalition, withdrawn_at=None, confirmed_at__isnull=False)


def counted_member_ids(coalition) -> list:
    return list(counted_memberships(coalition).values_list("organization_id", flat=True))


def unconfirmed_member_count(coalition) -> int:
    """Return how many active members wait for the operator's confirmation and do not count yet."""
    return CoalitionMembership.objects.filter(coalition=coalition, withdrawn_at=None, confirmed_at=None).count()


def coalition_snapshots(coalition) -> list[BenchmarkSnapshot]:
    return list(BenchmarkSnapshot.objects.filter(coalition=coalition).select_related("coalition").order_by("period"))


def participation_counts(coalition, periods) -> dict[int, int]:
    """Return, per period, how many counted members have a reportable staff survey closed in it (one query)."""
    counts = (
        Cycle.objects.filter(
            organization_id__in=counted_memberships(coalition).values("organization_id"),
            mode=Cycle.Mode.STAFF,
            status=Cycle.Status.CLOSED,
            closed_on__year__in=list(periods),
            means__isnull=False,
            mode__in=BENCHMARKED_MODES,
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


def active_coalition_snapshots_for(organization, period: int) -> list[BenchmarkSnapshot]:
    """Return the published snapshots of a period from coalitions the organization belongs to."""
    coalitions = CoalitionMembership.objects.filter(organization=organization, withdrawn_at=None).values("coalition_id")
    return list(
        BenchmarkSnapshot.objects.filter(coalition_id__in=coalitions, period=period).select_related("coalition")
    )


def active_membership(coalition, organization) -> CoalitionMembership | None:
    """Return the organization's current (not withdrawn) membership of the coalition, if any."""
    return CoalitionMembership.objects.filter(coalition=coalition, organization=organization, withdrawn_at=None).first()


def organization_coalition_memberships(organization) -> list[CoalitionMembership]:
    """Return every coalition membership of the organization, current first, for its admins."""
    return list(
        CoalitionMembership.objects.filter(organization=organization)
        .select_related("coalition")
        .order_by(F("withdrawn_at").asc(nulls_first=True), "coalition__name")
    )


def organization_admins(organization_ids) -> dict[UUID, set[UUID]]:
    """Return, per organization, the ids of its admins."""
    admins: dict[UUID, set[UUID]] = {}
    rows = Membership.objects.filter(organization_id__in=organization_ids, role=Membership.Role.ADMIN)
    for organization_id, user_id in rows.values_list("organization_id", "user_id"):
        admins.setdefault(organization_id, set()).add(user_id)
    return admins


class MemberName(NamedTuple):
    name: str
    is_confirmed: bool


def active_member_names(coalition) -> list[MemberName]:
    """Return the names of the coalition's current members, and whether each is confirmed: who is
    in is not secret, their scores are."""
    rows = (
        CoalitionMembership.objects.filter(coalition=coalition, withdrawn_at=None)
        .order_by("organization__name")
        .values_list("organization__name", "confirmed_at")
    )
    return [MemberName(name, confirmed_at is not None) for name, confirmed_at in rows]


def unconfirmed_memberships(coalition=None):
    """Return the active memberships that wait for the operator's confirmation, for the operator."""
    rows = CoalitionMembership.objects.filter(withdrawn_at=None, confirmed_at=None)
    if coalition is not None:
        rows = rows.filter(coalition=coalition)
    return rows.select_related("coalition", "organization", "consented_by").order_by(
        "coalition__slug", "organization__name"
    )


def coalition_events(coalition, *, limit: int = 30) -> list[CoalitionEvent]:
    """Return the coalition's latest log entries, for its stewards."""
    return list(CoalitionEvent.objects.filter(coalition=coalition).select_related("actor")[:limit])


def organization_admin_emails(organization_ids) -> dict[UUID, list[str]]:
    """Return, per organization, its admins' email addresses, for the operator who confirms members."""
    emails: dict[UUID, list[str]] = {}
    rows = Membership.objects.filter(organization_id__in=organization_ids, role=Membership.Role.ADMIN)
    for organization_id, email in rows.order_by("user__email").values_list("organization_id", "user__email"):
        emails.setdefault(organization_id, []).append(email)
    return emails


def coalition_steward_emails(coalition_ids) -> dict[UUID, list[str]]:
    """Return, per coalition, its stewards' email addresses, for the operator who confirms members."""
    emails: dict[UUID, list[str]] = {}
    rows = Coalition.stewards.through.objects.filter(coalition_id__in=coalition_ids).order_by("user__email")
    for coalition_id, email in rows.values_list("coalition_id", "user__email"):
        emails.setdefault(coalition_id, []).append(email)
    return emails
