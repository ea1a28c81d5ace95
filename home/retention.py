"""Keeping times, applied: what each app holds past its time is deleted here, in one place."""

from datetime import date, timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Organization
from assessment.models import Cycle, RespondentLink, Response, SpentCredential


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def prune(*, today: date | None = None) -> dict[str, int]:
    """Delete what is past its keeping time and return how many of each were deleted."""
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {"responses": 0, "audit entries": 0}
    for organization in Organization.objects.only("pk", "retention_years"):
        limit = _years_before(today, organization.retention_years)
        old = Cycle.objects.filter(organization=organization, status=Cycle.Status.CLOSED, closed_on__lt=limit)
        responses = Response.objects.filter(cycle__in=old)
        counts["responses"] += responses.count()
        responses.delete()
        old_events = AuditEvent.objects.filter(
            organization=organization, created_at__lt=now - timedelta(days=365 * organization.retention_years)
        )
        counts["audit entries"] += old_events.count()
        old_events.delete()
    closed = Cycle.objects.filter(status=Cycle.Status.CLOSED)
    counts["expired invitations"] = Invitation.objects.filter(accepted_at=None, expires_at__lt=now).delete()[0]
    counts["links of closed audits"] = RespondentLink.objects.filter(cycle__in=closed).delete()[0]
    counts["spent credentials of closed audits"] = SpentCredential.objects.filter(cycle__in=closed).delete()[0]
    counts["expired sessions"] = Session.objects.filter(expire_date__lt=now).delete()[0]
    return counts
