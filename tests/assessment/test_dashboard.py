"""The dashboard says what to do next: staff see the open survey to answer until they have
answered; leads see each open survey's progress in steps of the minimum, what changed since the
last audit (read from the stored report), when the next audit is due and which actions are late."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import Membership
from assessment.models import AuditSchedule, Cycle, Participation
from assessment.selectors import questionnaire_pages
from assessment.services.cycles import cycle_create
from assessment.services.schedules import ScheduleState, schedule_states
from reports.models import Action, CycleReport
from reports.services import cycle_report_build
from tests.conftest import count_queries, login


def _page_answers(questionnaire, number, value="3"):
    page = questionnaire_pages(questionnaire)[number - 1]
    return {f"answer-{i.key}": str(min(int(value), i.max_value)) for i in page.items}


def _answer_and_submit(client, cycle):
    url = reverse("assessment:respond", args=[cycle.organization.slug, cycle.id])
    client.post(reverse("assessment:respond_start", args=[cycle.organization.slug, cycle.id]))
    pages = questionnaire_pages(cycle.questionnaire)
    for number in range(1, len(pages) + 1):
        answers = _page_answers(cycle.questionnaire, number)
        assert client.post(url, {"page": number, "action": "next", **answers}).status_code == 302
    return client.post(url, {"page": len(pages) + 1, "action": "submit"})


def _closed(closed_cycles, organization, **options) -> list[Cycle]:
    """Closed staff surveys, read back from the database (the fixture returns them as closed)."""
    return [Cycle.objects.get(pk=cycle.pk) for cycle in closed_cycles(organization, **options)]


def _section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</section>", start)]


def _item(section: str, element_id: str) -> str:
    item = section[section.index(f'id="{element_id}"') :]
    return item[: item.index("</li>")]


def test_staff_see_the_call_to_answer_until_they_have_answered(client, staff, organization, staff_cycle):
    login(client, staff.user)
    dashboard = organization.get_absolute_url()
    respond = reverse("assessment:respond", args=[organization.slug, staff_cycle.id])
    call = _section(client.get(dashboard).content.decode(), f"call-{staff_cycle.id}")
    assert "Answer the survey" in call and f'href="{respond}"' in call

    client.post(reverse("assessment:respond_start", args=[organization.slug, staff_cycle.id]))
    call = _section(client.get(dashboard).content.decode(), f"call-{staff_cycle.id}")
    assert "Finish your answers" in call and "Answer the survey" not in call

    response = _answer_and_submit(client, staff_cycle)
    assert response["Location"] == dashboard
    page = client.get(dashboard).content.decode()
    call = _section(page, f"call-{staff_cycle.id}")
    assert "Thank you, your answer is in" in call
    assert "Answer the survey" not in page and "Finish your answers" not in page
    assert f'href="{respond}"' not in call


def test_the_thank_you_rests_on_the_participation_record_alone(client, staff, organization, staff_cycle):
    """Nothing records who submitted; a member who started (on another device, say) and holds no
    unfinished answers in this browser is thanked, and told where unfinished answers would be."""
    Participation.objects.create(cycle=staff_cycle, user=staff.user)
    login(client, staff.user)
    call = _section(client.get(organization.get_absolute_url()).content.decode(), f"call-{staff_cycle.id}")
    assert "Thank you, your answer is in" in call
    assert "another device or in another browser" in call


def test_leads_are_asked_to_answer_an_open_self_audit_and_staff_are_not(client, lead, staff, organization, team_cycle):
    login(client, lead.user)
    call = _section(client.get(organization.get_absolute_url()).content.decode(), f"call-{team_cycle.id}")
    assert "Answer the self-audit" in call
    login(client, staff.user)
    assert f'id="call-{team_cycle.id}"' not in client.get(organization.get_absolute_url()).content.decode()


def test_the_self_audit_page_offers_to_answer_it(client, lead, organization, team_cycle):
    login(client, lead.user)
    page = client.get(team_cycle.get_absolute_url()).content.decode()
    respond = reverse("assessment:respond", args=[organization.slug, team_cycle.id])
    assert f'id="answer-link" href="{respond}"' in page and "Answer the self-audit" in page


@pytest.mark.parametrize(
    ("submitted", "shown"),
    [
        (0, "Fewer than 3 responses"),
        (2, "Fewer than 3 responses"),
        (3, "3 or more responses"),
        (5, "3 or more responses"),
        (6, "6 or more responses"),
    ],
)
def test_leads_see_an_open_surveys_progress_only_in_steps_of_the_minimum(
    client, lead, organization, staff_cycle, submit_as_member, submitted, shown
):
    for _ in range(submitted):
        submit_as_member(staff_cycle)
    login(client, lead.user)
    section = _section(client.get(organization.get_absolute_url()).content.decode(), "next-steps")
    assert shown in _item(section, f"progress-{staff_cycle.id}")
    exact = {2: "2 responses", 5: "5 responses"}.get(submitted)
    if exact:
        assert exact not in section


def test_staff_never_see_the_progress_of_a_survey(client, staff, organization, staff_cycle, submit_as_member):
    submit_as_member(staff_cycle)
    login(client, staff.user)
    page = client.get(organization.get_absolute_url()).content.decode()
    assert 'id="next-steps"' not in page and "Fewer than" not in page


def test_leads_see_the_change_since_last_year_as_the_stored_report_has_it(client, lead, organization, closed_cycles):
    earlier, latest = _closed(closed_cycles, organization, years=(2024, 2025), responses=4, values=("1", "2", "4", "4"))
    CycleReport.objects.all().delete()  # as before the task after the close has run
    login(client, lead.user)
    page = client.get(organization.get_absolute_url()).content.decode()
    assert "its report is being prepared" in _item(_section(page, "next-steps"), "change-staff")

    payload = cycle_report_build(cycle=latest)  # as the task after the close stores it
    summary = payload["summary"]
    assert summary["previous_label"] == earlier.label
    page = client.get(organization.get_absolute_url()).content.decode()
    assert "its report is being prepared" not in _item(_section(page, "next-steps"), "change-staff")
    # The dashboard copies the stored object: a verdict planted there shows, nothing is recomputed.
    stored = CycleReport.objects.get(cycle=latest, language="en")
    planted = [{"name": "Consent", "verdict": "better", "delta": 42.0}]
    stored.payload = {**payload, "summary": {**summary, "change": "comparable", "clear": planted}}
    stored.save(update_fields=["payload"])
    item = _item(_section(client.get(organization.get_absolute_url()).content.decode(), "next-steps"), "change-staff")
    assert "Consent is clearly better (+42 points)." in item
    assert reverse("reports:cycle_report", args=[organization.slug, latest.id]) in item


def test_a_stored_report_of_another_basis_is_not_shown(client, lead, organization, closed_cycles):
    _first, second, third = _closed(closed_cycles, organization, years=(2023, 2024, 2025))
    cycle_report_build(cycle=third)
    login(client, lead.user)
    section = _section(client.get(organization.get_absolute_url()).content.decode(), "next-steps")
    assert "its report is being prepared" not in _item(section, "change-staff")
    second.delete()  # the report page would build it again, against 2023
    section = _section(client.get(organization.get_absolute_url()).content.decode(), "next-steps")
    assert "its report is being prepared" in _item(section, "change-staff")


def test_next_due_date_is_shown_once_this_years_audit_is_done(client, lead, organization, questionnaire, admin):
    today = timezone.localdate()
    AuditSchedule.objects.create(organization=organization, mode=Cycle.Mode.TEAM, month=1, weeks=4)
    cycle_create(
        organization=organization,
        by=admin.user,
        questionnaire=questionnaire,
        label="This year's self-audit",
        mode=Cycle.Mode.TEAM,
        opens_on=today.replace(day=1),
    )
    login(client, lead.user)
    page = client.get(organization.get_absolute_url()).content.decode()
    expected = f"next due in {dateformat.format(date(today.year + 1, 1, 1), 'F Y')}"
    assert expected in _item(_section(page, "next-steps"), "next-due-team")
    assert expected in _section(page, "audit-calendar")


def test_a_schedule_not_yet_due_can_be_opened_early(organization):
    schedule = AuditSchedule(organization=organization, mode=Cycle.Mode.TEAM, month=6, weeks=4)
    upcoming = ScheduleState(schedule, date(2026, 6, 1), date(2026, 6, 29), "upcoming", 90)
    done = ScheduleState(schedule, date(2026, 6, 1), date(2026, 6, 29), "done", 90)
    assert upcoming.can_open and upcoming.next_due_on == date(2026, 6, 1)
    assert not done.can_open and done.next_due_on == date(2027, 6, 1)


def test_leads_are_offered_to_open_an_audit_before_it_is_due(client, lead, organization, closed_cycles):
    closed_cycles(organization, years=(2024,))
    month = (timezone.localdate() + timedelta(days=62)).month
    AuditSchedule.objects.create(organization=organization, mode=Cycle.Mode.STAFF, month=month, weeks=4)
    (state,) = schedule_states(organization, today=timezone.localdate())
    assert state.state in ("upcoming", "overdue") and state.can_open  # two months early, or past this year's
    login(client, lead.user)
    calendar = _section(client.get(organization.get_absolute_url()).content.decode(), "audit-calendar")
    assert 'id="open-now-staff"' in calendar


def test_leads_see_overdue_actions(client, lead, organization, closed_cycles):
    (cycle,) = _closed(closed_cycles, organization, years=(2025,))
    for text, days in (("Police contact only with consent", -3), ("Consent before any referral", 30)):
        Action.objects.create(
            organization=organization,
            source_cycle=cycle,
            practice="police-contact-consent",
            practice_text=text,
            what="Write the rule",
            due_on=timezone.localdate() + timedelta(days=days),
        )
    login(client, lead.user)
    item = _section(client.get(organization.get_absolute_url()).content.decode(), "next-steps")
    item = item[item.index('id="overdue-actions"') :]
    assert "1 action of the plan is overdue:" in item
    assert "Police contact only with consent" in item and "Consent before any referral" not in item


def test_dashboard_queries_stay_flat_as_history_grows(
    client, org_factory, member_factory, closed_cycles, questionnaire, admin
):
    counts = []
    for years in ((2024,), (2020, 2021, 2022, 2023, 2024)):
        organization = org_factory()
        lead = member_factory(organization, Membership.Role.LEAD)
        staff = member_factory(organization, Membership.Role.STAFF)
        for number, cycle in enumerate(_closed(closed_cycles, organization, years=years)):
            cycle_report_build(cycle=cycle)
            Action.objects.create(
                organization=organization,
                source_cycle=cycle,
                practice="police-contact-consent",
                practice_text="Police contact only with consent",
                what=f"Step {number}",
                due_on=date(2020, 1, 1),
            )
            member_factory(organization, Membership.Role.STAFF)
        AuditSchedule.objects.create(organization=organization, mode=Cycle.Mode.STAFF, month=3, weeks=4)
        AuditSchedule.objects.create(organization=organization, mode=Cycle.Mode.TEAM, month=2, weeks=4)
        survey = cycle_create(
            organization=organization,
            by=admin.user,
            questionnaire=questionnaire,
            label="Open survey",
            mode=Cycle.Mode.STAFF,
            opens_on=timezone.localdate(),
        )
        Participation.objects.create(cycle=survey, user=staff.user)
        url = organization.get_absolute_url()
        row = []
        for person in (lead.user, staff.user):
            login(client, person)
            count_queries(client, url)
            row.append(count_queries(client, url))
        counts.append(row)
    assert counts[0] == counts[1]
    assert max(counts[1]) <= 20
