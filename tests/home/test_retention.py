from datetime import date, timedelta

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation
from assessment.models import Answer, Cycle, Response
from assessment.services.cycles import cycle_results_recompute
from home.retention import prune
from reports.models import CycleReport
from tests.conftest import login


def test_prune_deletes_what_is_past_its_time_once_and_reports_still_open(
    client, lead, admin, organization, closed_cycles
):
    old, recent = closed_cycles(organization, years=(2021, 2026))
    organization.retention_years = 3
    organization.save(update_fields=["retention_years"])
    Cycle.objects.filter(pk=old.pk).update(closed_on=date.today() - timedelta(days=4 * 365))
    Cycle.objects.filter(pk=recent.pk).update(closed_on=date.today() - timedelta(days=30))
    AuditEvent.objects.filter(organization=organization).update(created_at=timezone.now() - timedelta(days=4 * 365))
    fresh = AuditEvent.objects.create(organization=organization, action="settings_changed", data={"note": "fresh"})
    Invitation.objects.create(
        organization=organization,
        email="late@example.org",
        role="staff",
        token_hash="x" * 64,
        expires_at=timezone.now() - timedelta(days=1),
    )
    Session.objects.create(session_key="old-session", session_data="", expire_date=timezone.now() - timedelta(days=1))
    results_before = Cycle.objects.get(pk=old.pk).results

    call_command("prune")
    assert not Response.objects.filter(cycle=old).exists() and not Answer.objects.filter(response__cycle=old).exists()
    assert Response.objects.filter(cycle=recent).count() == 4
    assert Cycle.objects.get(pk=old.pk).results == results_before
    assert list(AuditEvent.objects.filter(organization=organization)) == [fresh]
    assert not Invitation.objects.filter(email="late@example.org").exists()
    assert not Session.objects.filter(session_key="old-session").exists()

    assert set(prune().values()) == {0}  # a second run deletes nothing
    assert cycle_results_recompute(cycle=Cycle.objects.get(pk=old.pk)) is False
    CycleReport.objects.all().delete()
    login(client, lead.user)
    page = client.get(reverse("reports:cycle_report", args=[organization.slug, old.id]))
    assert page.status_code == 200 and old.label in page.content.decode()


def test_prune_deletes_expired_cache_rows_and_finished_task_rows(database_cache, organization):
    """A database holder finds no expired rate-limit counter and no finished task, with its ids and times."""
    from django.core.cache import cache
    from django.db import connection
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from reports.tasks import build_report

    database_cache.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cache.set("spent-counter", 3, timeout=60)
    cache.set("live-counter", 1, timeout=600)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ally_cache SET expires = %s WHERE cache_key = %s",
            [
                connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(minutes=1)),
                cache.make_key("spent-counter"),
            ],
        )
    done, failed, waiting = (build_report.enqueue(cycle_id=str(number)) for number in range(3))
    DBTaskResult.objects.filter(pk=done.id).update(status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now())
    DBTaskResult.objects.filter(pk=failed.id).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())

    counts = prune()
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM ally_cache")
        assert [key for (key,) in cursor.fetchall()] == [cache.make_key("live-counter")]
    assert [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)] == [waiting.id]
    assert counts["expired cache entries"] == 1 and counts["finished tasks"] == 2
    assert cache.get("live-counter") == 1
