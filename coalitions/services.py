"""Writes for coalitions: creating them, consent to join, the operator's confirmation of members,
withdrawal and yearly published figures."""

from collections.abc import Sequence
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.backends.immediate import ImmediateBackend

from accounts.models import AuditEvent, Membership, Organization, User
from accounts.services import audit, unique_slug
from accounts.tokens import hash_token, new_token
from assessment.models import Cycle
from assessment.scoring import OVERALL, SCORING_VERSION
from coalitions import selectors
from coalitions.benchmarks import BENCHMARK_FLOOR, benchmark_stats, controller_count
from coalitions.models import (
    BenchmarkSnapshot,
    Coalition,
    CoalitionEvent,
    CoalitionMembership,
    SnapshotPublishing,
)

Action = AuditEvent.Action

# Version 2 says that a member counts only once the site's operator has confirmed it.
CONSENT_VERSION = "2"
JOIN_CODE_INVALID_MESSAGE = _("That join code is not right for this coalition. Ask its steward for the current code.")
ALREADY_IN_COALITION_MESSAGE = _("This organization is already a member of the coalition.")
NOT_IN_COALITION_MESSAGE = _("This organization is not a member of the coalition.")
CONSENT_REQUIRED_MESSAGE = _("Tick the box to confirm that you consent on behalf of your organization.")
K_MIN_MESSAGE = _("The minimum number of members for published figures is %(floor)s or more.")
CONFIRM_OPERATOR_ONLY_MESSAGE = _("Only the site's operators confirm coalition members.")
CONFIRM_BY_STEWARD_MESSAGE = _(
    "A steward of this coalition cannot confirm its members. Someone who does not steward it must check "
    "that the organization is real and separate."
)
CONFIRM_BY_OWN_ADMIN_MESSAGE = _(
    "An admin of this organization cannot confirm its own membership. Someone who does not run it must check "
    "that it is real and separate."
)
CONFIRM_WITHDRAWN_MESSAGE = _("This organization has withdrawn from the coalition; there is nothing to confirm.")
ALREADY_CONFIRMED_MESSAGE = _("This member is already confirmed.")


@transaction.atomic
def coalition_create(*, user: User, name: str, k_min: int = Coalition.K_MIN_FLOOR) -> tuple[Coalition, str]:
    """Create a coalition stewarded by ``user``; return it and its join code (shown once)."""
    if k_min < Coalition.K_MIN_FLOOR:
        raise ValidationError(K_MIN_MESSAGE % {"floor": Coalition.K_MIN_FLOOR})
    code = new_token()[:12]
    coalition = Coalition.objects.create(
        name=name, slug=unique_slug(Coalition, name, "coalition"), k_min=k_min, join_code_hash=hash_token(code)
    )
    coalition.stewards.add(user)
    _log(coalition, user, CoalitionEvent.Action.CREATED, {"k_min": k_min})
    return coalition, code


def _log(coalition: Coalition, actor: User | None, action: str, data: dict) -> None:
    CoalitionEvent.objects.create(coalition=coalition, actor=actor, action=action, data=data)


def coalition_new_join_code(*, coalition: Coalition, by: User | None = None) -> str:
    """Replace the coalition's join code; the old one stops working."""
    code = new_token()[:12]
    coalition.join_code_hash = hash_token(code)
    coalition.save(update_fields=["join_code_hash"])
    _log(coalition, by, CoalitionEvent.Action.JOIN_CODE_RENEWED, {})
    return code


def join_code_is_valid(*, coalition: Coalition, join_code: str) -> bool:
    return bool(coalition.join_code_hash) and hash_token(join_code.strip()) == coalition.join_code_hash


@transaction.atomic
def coalition_join(
    *, coalition: Coalition, organization: Organization, by: User, join_code: str, consent: bool
) -> CoalitionMembership:
    """Record the organization admin's informed consent and make the organization a member."""
    if not consent:
        raise ValidationError(CONSENT_REQUIRED_MESSAGE)
    if not join_code_is_valid(coalition=coalition, join_code=join_code):
        raise ValidationError(JOIN_CODE_INVALID_MESSAGE)
    if CoalitionMembership.objects.filter(coalition=coalition, organization=organization, withdrawn_at=None).exists():
        raise ValidationError(ALREADY_IN_COALITION_MESSAGE)
    membership = CoalitionMembership.objects.create(
        coalition=coalition, organization=organization, consented_by=by, consent_version=CONSENT_VERSION
    )
    audit(
        organization=organization,
        actor=by,
        action=Action.COALITION_JOINED,
        data={"coalition": str(coalition.pk)},
    )
    _log(coalition, by, CoalitionEvent.Action.JOINED, {"organization": organization.name})
    return membership


@transaction.atomic
def coalition_member_confirm(*, membership: CoalitionMembership, by: User | None = None) -> CoalitionMembership:
    """Record the site operator's confirmation that a member is a real, separate organization.

    ``by`` is the operator's account (the Django admin), or None for ``manage.py confirm_member``,
    whose caller holds the server. No thresholds are bypassed for site administrators: a steward
    of the coalition, or an admin of the organization, cannot confirm it, superuser or not.
    """
    membership = (
        CoalitionMembership.objects.select_for_update()
        .select_related("coalition", "organization")
        .get(pk=membership.pk)
    )
    coalition, organization = membership.coalition, membership.organization
    if by is not None:
        if not (by.is_active and by.is_staff and by.has_perm("coalitions.change_coalitionmembership")):
            raise ValidationError(CONFIRM_OPERATOR_ONLY_MESSAGE)
        if coalition.stewards.filter(pk=by.pk).exists():
            raise ValidationError(CONFIRM_BY_STEWARD_MESSAGE)
        if organization.memberships.filter(user=by, role=Membership.Role.ADMIN).exists():
            raise ValidationError(CONFIRM_BY_OWN_ADMIN_MESSAGE)
    if not membership.is_active:
        raise ValidationError(CONFIRM_WITHDRAWN_MESSAGE)
    if membership.is_confirmed:
        raise ValidationError(ALREADY_CONFIRMED_MESSAGE)
    through = CoalitionMembership.Confirmation.COMMAND if by is None else CoalitionMembership.Confirmation.ADMIN
    membership.confirmed_at = timezone.now()
    membership.confirmed_by = by
    membership.confirmed_through = through
    membership.save(update_fields=["confirmed_at", "confirmed_by", "confirmed_through"])
    _log(coalition, by, CoalitionEvent.Action.CONFIRMED, {"organization": organization.name, "through": through})
    return membership


@transaction.atomic
def coalition_withdraw(*, coalition: Coalition, organization: Organization, by: User) -> CoalitionMembership:
    """Withdraw consent: the organization is left out of every later snapshot."""
    membership = (
        CoalitionMembership.objects.select_for_update()
        .filter(coalition=coalition, organization=organization, withdrawn_at=None)
        .first()
    )
    if membership is None:
        raise ValidationError(NOT_IN_COALITION_MESSAGE)
    membership.withdrawn_at = timezone.now()
    membership.withdrawn_by = by
    membership.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit(
        organization=organization,
        actor=by,
        action=Action.COALITION_WITHDRAWN,
        data={"coalition": str(coalition.pk)},
    )
    _log(coalition, by, CoalitionEvent.Action.WITHDRAWN, {"organization": organization.name})
    return membership


SNAPSHOT_EXISTS_MESSAGE = _("Figures for %(period)s are already published. A published snapshot never changes.")
PERIOD_MESSAGE = _("Choose a past or current calendar year.")


BELOW_K_MESSAGE = _(
    "Figures for %(period)s cannot be published yet: fewer than %(k)s separate, confirmed members have a "
    "finished audit of one kind and one questionnaire version that year. A published year is final, so "
    "publishing now would leave only a count for good."
)
CONFIRM_MESSAGE = _("Tick the box to confirm that publishing is final.")


def _year_series(coalition: Coalition, periods: Sequence[int]) -> dict[int, list[dict]]:
    """Return each year's series, one per form and questionnaire version, main ones (most members)
    first, in a fixed number of queries whatever the years."""
    members = selectors.counted_memberships(coalition).values("organization_id")
    admins = selectors.organization_admins(members)
    found = selectors.period_cycles(members, periods)
    by_mode = {mode: found[mode] for mode in selectors.BENCHMARKED_MODES}
    years: dict[int, list[dict]] = {}
    for period in periods:
        series = years.setdefault(period, [])
        for mode, by_period in by_mode.items():
            by_version: dict[int, dict] = {}
            for organization_id, found in by_period[period].items():
                by_version.setdefault(found.version, {})[organization_id] = found
            ranked = sorted(by_version.items(), key=lambda pair: (-len(pair[1]), -pair[0]))
            for rank, (version, cycles) in enumerate(ranked):
                stats = _series_stats({org: found.means for org, found in cycles.items()}, admins, coalition.k_min)
                series.append(
                    {
                        "mode": mode,
                        "version": version,
                        "main": rank == 0,
                        "stats": stats,
                        "cycles": [found.cycle_id for found in cycles.values()],
                    }
                )
    return years


def _publishable(series: list[dict]) -> bool:
    return any(not s["stats"].get(OVERALL, {"suppressed": True})["suppressed"] for s in series)


def snapshot_eligible_years(
    *, coalition: Coalition, periods: Sequence[int], published: set[int] | None = None
) -> list[int]:
    """Return the years not yet published in which some series has at least k separate confirmed
    members; ``published`` gives the years already published where the caller has them."""
    if published is None:
        published = set(BenchmarkSnapshot.objects.filter(coalition=coalition).values_list("period", flat=True))
    candidates = [p for p in periods if p not in published]
    if not candidates:
        return []
    series = _year_series(coalition, candidates)
    return [p for p in candidates if _publishable(series[p])]


def snapshot_check(*, coalition: Coalition, period: int, confirmed: bool = True) -> None:
    """Raise the message a steward should read if a year cannot be published (yet)."""
    if not 2000 <= period <= timezone.localdate().year:
        raise ValidationError(PERIOD_MESSAGE)
    if BenchmarkSnapshot.objects.filter(coalition=coalition, period=period).exists():
        raise ValidationError(SNAPSHOT_EXISTS_MESSAGE % {"period": period})
    if not confirmed:
        raise ValidationError(CONFIRM_MESSAGE)
    if not _publishable(_year_series(coalition, [period])[period]):
        raise ValidationError(BELOW_K_MESSAGE % {"period": period, "k": max(coalition.k_min, BENCHMARK_FLOOR)})


@transaction.atomic
def snapshot_publish(*, coalition: Coalition, period: int, by: User | None) -> BenchmarkSnapshot:
    """Publish the coalition's figures for a calendar year, once, and only with at least k members.

    Inputs: each counted member's (consenting, and confirmed by the site's operator) latest
    reportable cycle of each kind closed in that year; each form and questionnaire version is its
    own series. Only what ``benchmark_stats`` allows is stored, and which audits were used;
    members' own scores are not.
    """
    Coalition.objects.select_for_update().get(pk=coalition.pk)
    snapshot_check(coalition=coalition, period=period)
    series = _year_series(coalition, [period])[period]
    main = {s["mode"]: s for s in series if s["main"]}
    snapshot = BenchmarkSnapshot.objects.create(
        coalition=coalition,
        period=period,
        published_by=by,
        stats=main[Cycle.Mode.STAFF]["stats"] if Cycle.Mode.STAFF in main else {},
        team_stats=main[Cycle.Mode.TEAM]["stats"] if Cycle.Mode.TEAM in main else {},
        versions={mode: s["version"] for mode, s in main.items()},
        other_series=[{k: s[k] for k in ("mode", "version", "stats")} for s in series if not s["main"]],
        scoring_version=SCORING_VERSION,
        confirmed_members_only=True,
    )
    snapshot.cycles.set([cycle_id for s in series for cycle_id in s["cycles"]])
    _log(coalition, by, CoalitionEvent.Action.PUBLISHED, {"period": period})
    return snapshot


NOT_OFFERED_MESSAGE = _("%(period)s is not among the years that can be published here.")
PUBLISH_FAILED_MESSAGE = _(
    "Publishing stopped with an error, and nothing was published. Try again; if it stops again, the "
    "site's operator can read why in the worker's log."
)


@transaction.atomic
def snapshot_publish_request(*, coalition: Coalition, period: int, by: User, confirmed: bool) -> None:
    """Ask for a year's figures to be published on the task queue, once the rules allow it.

    Refused with the steward's message (and nothing written or queued) for a year that is not
    publishable: already published, unconfirmed, or below k (``snapshot_check``, the one place
    the rule lives). Asking again while a request waits changes nothing. The task is told the
    coalition's id and the year, nothing else.
    """
    from coalitions.tasks import publish_snapshot

    Coalition.objects.select_for_update().get(pk=coalition.pk)
    snapshot_check(coalition=coalition, period=period, confirmed=confirmed)
    waiting = SnapshotPublishing.objects.filter(coalition=coalition, period=period).first()
    if waiting is not None and not waiting.failure:
        return
    SnapshotPublishing.objects.update_or_create(
        coalition=coalition,
        period=period,
        defaults={"requested_by": by, "requested_at": timezone.now(), "started_at": None, "failure": ""},
    )
    coalition_id = str(coalition.pk)
    if isinstance(publish_snapshot.get_backend(), ImmediateBackend):
        publish_snapshot.enqueue(coalition_id=coalition_id, period=period)  # at once, in this transaction
    else:
        # A worker must find the request committed when it takes the task.
        transaction.on_commit(lambda: publish_snapshot.enqueue(coalition_id=coalition_id, period=period))


def snapshot_publish_requested(*, coalition_id: str, period: int) -> str:
    """Publish a year a steward asked to publish, as its task; return what happened, as a short code.

    The code is all the task table keeps of the outcome: "published", "not asked", "refused" (the
    rules no longer allow it, for instance a member withdrew meanwhile; the request stays, marked,
    and the page says why) or "failed".
    """
    with transaction.atomic():
        publishing = (
            SnapshotPublishing.objects.select_for_update(of=("self",))
            .select_related("coalition", "requested_by")
            .filter(coalition_id=coalition_id, period=period)
            .first()
        )
        if publishing is None or publishing.failure:
            return "not asked"
        publishing.started_at = timezone.now()
        publishing.save(update_fields=["started_at"])
    try:
        with transaction.atomic():
            snapshot_publish(coalition=publishing.coalition, period=period, by=publishing.requested_by)
            SnapshotPublishing.objects.filter(pk=publishing.pk).delete()
    except ValidationError:
        if BenchmarkSnapshot.objects.filter(coalition_id=coalition_id, period=period).exists():
            SnapshotPublishing.objects.filter(pk=publishing.pk).delete()
            return "published already"
        SnapshotPublishing.objects.filter(pk=publishing.pk).update(failure=SnapshotPublishing.REFUSED)
        return SnapshotPublishing.REFUSED
    except Exception:
        SnapshotPublishing.objects.filter(pk=publishing.pk).update(failure=SnapshotPublishing.FAILED)
        raise
    return "published"


def snapshot_refusal(*, coalition: Coalition, period: int) -> str | None:
    """Return why a year cannot be published now, in the steward's words, or None when it can."""
    try:
        snapshot_check(coalition=coalition, period=period)
    except ValidationError as error:
        return error.messages[0]
    return None


def _series_stats(by_org: dict, admins: dict, k_min: int) -> dict:
    """Return the publishable figures of one series, per dimension and overall; nothing for an empty series."""
    if not by_org:
        return {}
    keys = list(dict.fromkeys(key for row in by_org.values() for key in row if key != OVERALL))
    stats = {}
    for key in [*keys, OVERALL]:
        present = {org: row.get(key) for org, row in by_org.items() if row.get(key) is not None}
        controllers = controller_count({org: admins.get(org, set()) for org in present})
        stats[key] = asdict(benchmark_stats(list(present.values()), k_min, controllers=controllers))
    return stats
