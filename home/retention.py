"""Keeping times, applied: what each app holds past its time is deleted here, in one place."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connections, router, transaction
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from accounts.models import AuditEvent, Invitation, Organization
from assessment.models import Cycle, RespondentLink, Response, SpentCredential
from community_review.services import unanswered_invitations_end


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
    counts["unanswered invitations to review"] = unanswered_invitations_end(now=now)
    counts["links of closed audits"] = RespondentLink.objects.filter(cycle__in=closed).delete()[0]
    counts["spent credentials of closed audits"] = SpentCredential.objects.filter(cycle__in=closed).delete()[0]
    counts["expired sessions"] = Session.objects.filter(expire_date__lt=now).delete()[0]
    counts["expired cache entries"] = _expired_cache_entries_delete(now=now)
    counts["finished tasks"] = _finished_tasks_delete()
    return counts


def _expired_cache_entries_delete(*, now: datetime) -> int:
    # The database cache deletes expired rows only now and then, when a write finds the table full;
    # until then an expired rate-limit counter still says when someone tried.
    deleted = 0
    for alias in settings.CACHES:
        cache = caches[alias]
        if not isinstance(cache, DatabaseCache):
            continue
        connection = connections[router.db_for_write(cache.cache_model_class)]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(settings.CACHES[alias]['LOCATION'])} WHERE {quote('expires')} < %s",
                [connection.ops.adapt_datetimefield_value(now)],
            )
            deleted += cursor.rowcount
    return deleted


def _finished_tasks_delete() -> int:
    # A finished task is read by nobody (failed deliveries are marked on their links), and it keeps
    # the ids it was given and when it ran: two reminder rounds would show who started in between.
    before = DBTaskResult.objects.finished().count()
    for alias in settings.TASKS:
        if isinstance(task_backends[alias], DatabaseBackend):
            call_command(
                "prune_db_task_results", "--backend", alias, "--queue-name", "*", "--min-age-days", "0", verbosity=0
            )
    return before - DBTaskResult.objects.finished().count()
