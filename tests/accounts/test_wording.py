"""Plain words where people read: no "cycle" jargon in settings or the audit log, one password
reset link on the login page, and counts that take their language's plural."""

from django.urls import reverse

from accounts.models import AuditEvent
from assessment.models import Cycle
from assessment.selectors import team_response
from assessment.services.cycles import cycle_create
from assessment.services.responding import response_save_answers, response_submit
from reports.services import cycle_report_build
from tests.conftest import full_answers, login


def test_the_login_page_offers_the_password_reset_once(client):
    page = client.get(reverse("account_login")).content.decode()
    assert page.count("Forgot your password?") == 1
    assert page.count(f'href="{reverse("account_reset_password")}"') == 1


def test_settings_and_audit_log_say_survey_audit_or_self_audit_never_cycle(client, admin, organization, questionnaire):
    survey = cycle_create(
        organization=organization,
        by=admin.user,
        questionnaire=questionnaire,
        label="Spring survey",
        mode=Cycle.Mode.STAFF,
        opens_on="2026-03-01",
    )
    cycle_create(
        organization=organization,
        by=admin.user,
        questionnaire=questionnaire,
        label="Spring checklist",
        mode=Cycle.Mode.TEAM,
        opens_on="2026-03-01",
    )
    AuditEvent.objects.create(organization=organization, action=AuditEvent.Action.CYCLE_CLOSED, data={"label": "Old"})
    login(client, admin.user)
    settings_page = client.get(reverse("accounts:org_settings", args=[organization.slug])).content.decode()
    members_page = client.get(reverse("accounts:org_members", args=[organization.slug])).content.decode()
    for page in (settings_page, members_page):
        visible = page.split("<main", 1)[1]
        assert "cycle" not in visible.lower().replace('id="', "").replace("cycle_", ""), survey.label
    assert "Staff survey opened" in members_page and "Self-audit opened" in members_page
    assert "Audit closed" in members_page  # an event recorded before its kind was kept
    assert "closed audits" in settings_page


def test_a_self_audit_report_counts_one_set_of_answers(client, lead, organization, questionnaire):
    cycle = cycle_create(
        organization=organization,
        by=lead.user,
        questionnaire=questionnaire,
        label="Checklist",
        mode=Cycle.Mode.TEAM,
        opens_on="2026-03-01",
    )
    response = team_response(cycle)
    response_save_answers(response=response, answers=full_answers(questionnaire, "3"), by=lead.user)
    response_submit(response=response, user=lead.user)
    cycle.refresh_from_db()
    cycle_report_build(cycle=cycle)
    login(client, lead.user)
    page = client.get(reverse("reports:cycle_report", args=[organization.slug, cycle.id])).content.decode()
    assert "from 1 set of answers." in page and "1 sets" not in page and "1 answer sets" not in page
    assert "0 “Not applicable” answers" in page or "“Not applicable” answer" in page
