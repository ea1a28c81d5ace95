from datetime import date, timedelta

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation
from assessment.models import Answer, Cycle, Response
from assessment.services.cycles import cycle_results_recompute
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
    fresh = AuditEvent.objects.create(organization=organization, action="settings_changed", detail="fresh")
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

    from home.retention import prune

    assert set(prune().values()) == {0}  # a second run deletes nothing
    assert cycle_results_recompute(cycle=Cycle.objects.get(pk=old.pk)) is False
    CycleReport.objects.all().delete()
    login(client, lead.user)
    page = client.get(reverse("reports:cycle_report", args=[organization.slug, old.id]))
    assert page.status_code == 200 and old.label in page.content.decode()
