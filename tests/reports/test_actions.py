"""Action plans: planned from a report, edited, completed, overdue on the dashboard, judged by the
next audit of the same kind, optionally shown to staff."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from assessment import scoring
from assessment.models import Cycle
from reports.models import Action
from reports.selectors import organization_actions
from reports.services import ACTION_OWNER_MESSAGE, action_create, action_update
from tests.conftest import login

PRACTICE = "police-contact-consent"


@pytest.fixture
def two_years(organization, closed_cycles):
    # 2024: values 1 and 2; 2025 shifts them, so the practice's mean changes between the two.
    return closed_cycles(organization, years=(2024, 2025), values=("1", "2", "3", "4"))


def test_lead_plans_edits_and_completes_an_action(client, lead, staff, organization, two_years):
    first, _ = two_years
    login(client, lead.user)
    url = reverse("reports:action_create", args=[organization.slug])
    page = client.get(url, {"cycle": first.id, "practice": PRACTICE}).content.decode()
    assert "Suggested next step" in page
    client.post(
        url,
        {
            "cycle": first.id,
            "practice": PRACTICE,
            "what": "Write the consent rule",
            "owner": staff.user.pk,
            "due_on": "2026-06-30",
            "status": "planned",
            "notes": "",
        },
    )
    action = Action.objects.get()
    assert (action.practice, action.owner, action.source_cycle) == (PRACTICE, staff.user, first)
    client.post(
        reverse("reports:action_edit", args=[organization.slug, action.id]),
        {
            "what": "Write the consent rule",
            "owner": staff.user.pk,
            "due_on": "2026-06-30",
            "status": "done",
            "notes": "Adopted in May",
        },
    )
    action.refresh_from_db()
    assert action.status == "done" and action.notes == "Adopted in May"
    assert list(AuditEvent.objects.filter(action__startswith="action_").values_list("action", flat=True)) == [
        "action_updated",
        "action_created",
    ]


def test_the_owner_must_be_a_member(lead, outsider, organization, two_years):
    with pytest.raises(ValidationError) as error:
        action_create(
            organization=organization,
            by=lead.user,
            source_cycle=two_years[0],
            practice=PRACTICE,
            what="x",
            owner=outsider.user,
        )
    assert error.value.messages == [str(ACTION_OWNER_MESSAGE)]
    assert not Action.objects.exists()


def test_an_action_whose_audit_was_deleted_can_still_be_updated(lead, organization, two_years):
    action = action_create(
        organization=organization, by=lead.user, source_cycle=two_years[0], practice=PRACTICE, what="x"
    )
    two_years[0].delete()
    action.refresh_from_db()
    action_update(action=action, by=lead.user, status="done")
    action.refresh_from_db()
    event = AuditEvent.objects.get(action="action_updated")
    assert action.status == "done" and event.data["practice"] == PRACTICE and event.data["questionnaire"] is None


def test_an_action_whose_audit_was_deleted_keeps_its_wording_in_another_language(lead, organization, two_years):
    action = action_create(
        organization=organization, by=lead.user, source_cycle=two_years[0], practice=PRACTICE, what="x"
    )
    two_years[0].delete()
    with translation.override("fr"):
        shown = organization_actions(organization)
    assert [a.practice_shown for a in shown] == [action.practice_text]


def test_another_organizations_cycle_or_an_unknown_practice_is_404(
    client, lead, organization, outsider, two_years, closed_cycles
):
    other = closed_cycles(outsider.organization, years=(2025,))[0]
    login(client, lead.user)
    url = reverse("reports:action_create", args=[organization.slug])
    assert client.get(url, {"cycle": other.id, "practice": PRACTICE}).status_code == 404
    assert client.get(url, {"cycle": two_years[0].id, "practice": "made-up"}).status_code == 404
    assert client.get(url, {"cycle": "not-a-uuid", "practice": PRACTICE}).status_code == 404


def test_overdue_actions_show_on_the_dashboard(client, lead, organization, two_years):
    action_create(
        organization=organization,
        by=lead.user,
        source_cycle=two_years[0],
        practice=PRACTICE,
        what="Train volunteers",
        due_on=datetime.date(2020, 1, 1),
    )
    login(client, lead.user)
    page = client.get(reverse("assessment:org_dashboard", args=[organization.slug])).content.decode()
    section = page[page.index('id="open-actions"') :]
    assert "1 open action" in section and "1 overdue" in section and "(overdue)" in section


def test_the_next_report_judges_the_practice_by_its_item_change_never_by_marked_done(
    client, lead, organization, two_years
):
    first, second = two_years
    before, after = first.results["item_means"][PRACTICE], second.results["item_means"][PRACTICE]
    one, two = first.results["item_stats"][PRACTICE], second.results["item_stats"][PRACTICE]
    expected = scoring.change_from_summaries(
        (one["mean"], one["sd"], one["n"]), (two["mean"], two["sd"], two["n"]), alpha=0.05
    )
    action = action_create(
        organization=organization, by=lead.user, source_cycle=first, practice=PRACTICE, what="Write the rule"
    )
    action_update(action=action, by=lead.user, status=Action.Status.DONE)
    login(client, lead.user)
    page = client.get(reverse("reports:cycle_report", args=[organization.slug, second.id])).content.decode()
    table = page[page.index('id="plan-results"') : page.index("</table>", page.index('id="plan-results"'))]
    assert f">{floatformat(before, 0)}<" in table and f">{floatformat(after, 0)}<" in table
    # Four answers of 1–4 each year: the item's change is noise, and the report says so, with
    # the interval; "marked done" raises no alarm.
    assert expected.p_value > 0.05
    assert "Not clear yet" in table and "did not improve" not in table
    assert f"between {floatformat(expected.ci_low, 0)} and {floatformat(expected.ci_high, 0)}" in table
    # The report the action came from does not judge it.
    page = client.get(reverse("reports:cycle_report", args=[organization.slug, first.id])).content.decode()
    assert 'id="plan-results"' not in page


def test_staff_see_what_was_done_only_when_the_organization_shares_its_plan(
    client, lead, staff, organization, two_years, questionnaire
):
    from assessment.services.cycles import cycle_create

    action = action_create(
        organization=organization,
        by=lead.user,
        source_cycle=two_years[1],
        practice=PRACTICE,
        what="Posters in every room",
    )
    action_update(action=action, by=lead.user, status=Action.Status.DONE)
    survey = cycle_create(
        organization=organization,
        by=lead.user,
        questionnaire=questionnaire,
        label="2026",
        mode=Cycle.Mode.STAFF,
        opens_on="2026-03-01",
    )
    login(client, staff.user)
    url = reverse("assessment:respond", args=[organization.slug, survey.id])
    assert "Posters in every room" not in client.get(url).content.decode()
    organization.show_plan_to_staff = True
    organization.save(update_fields=["show_plan_to_staff"])
    page = client.get(url).content.decode()
    assert 'id="actions-done"' in page and "Posters in every room" in page


def test_a_new_action_starts_from_the_action_plan(client, lead, organization, two_years, outsider, closed_cycles):
    _, latest = two_years
    login(client, lead.user)
    plan = client.get(reverse("reports:actions", args=[organization.slug])).content.decode()
    url = reverse("reports:action_create", args=[organization.slug])
    assert f'id="new-action" href="{url}"' in plan and "New action" in plan
    page = client.get(url).content.decode()
    assert '<label for="choose-cycle">' in page and 'name="practice"' not in page
    assert page.index("2025 staff survey") < page.index("2024 staff survey")  # newest first
    page = client.get(url, {"cycle": latest.id}).content.decode()
    assert '<label for="choose-practice">' in page and f'<option value="{PRACTICE}">' in page
    page = client.get(url, {"cycle": latest.id, "practice": PRACTICE}).content.decode()
    assert "Save the action" in page
    other = closed_cycles(outsider.organization, years=(2025,))[0]
    assert client.get(url, {"cycle": other.id}).status_code == 404


def test_the_action_plan_says_how_to_start_without_a_report(client, lead, organization):
    login(client, lead.user)
    page = client.get(reverse("reports:action_create", args=[organization.slug])).content.decode()
    assert 'id="no-audit-to-plan-from"' in page
