"""An audit with a later opening date waits for it: nobody answers before, and the schedule opens it that day."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from assessment.models import Cycle, Participation
from assessment.services.cycles import cycle_create, cycles_open_scheduled
from assessment.services.links import SCHEDULED_LINKS_MESSAGE, invitations_send, shared_link_create
from assessment.services.responding import CYCLE_OPENS_ON_MESSAGE, member_response_start
from tests.conftest import login

OPENS_ON = "Jan. 4, 2027"


def _schedule(client, organization, mode="staff"):
    data = {"label": "2027 survey", "mode": mode, "opens_on": "2027-01-04", "min_responses": "5"}
    response = client.post(reverse("assessment:cycle_create", args=[organization.slug]), data, follow=True)
    return Cycle.objects.get(label="2027 survey"), response.content.decode()


@freeze_time("2026-12-01")
def test_a_staff_survey_opening_later_cannot_be_answered_before(client, lead, staff, organization, questionnaire):
    login(client, lead.user)
    cycle, page = _schedule(client, organization)
    assert cycle.status == Cycle.Status.DRAFT
    assert f"“2027 survey” is scheduled: it opens on {OPENS_ON}." in page
    assert f"Opens on</dt><dd>{OPENS_ON}" in page
    assert "Opened" not in page
    dashboard = client.get(organization.get_absolute_url()).content.decode()
    assert f"Opens on {OPENS_ON}" in dashboard

    login(client, staff.user)
    url = reverse("assessment:respond", args=[organization.slug, cycle.id])
    assert f"This survey opens on {OPENS_ON}. You can answer from that day." in client.get(url).content.decode()
    refused = client.post(reverse("assessment:respond_start", args=[organization.slug, cycle.id]), follow=True)
    assert refused.status_code == 200
    assert str(CYCLE_OPENS_ON_MESSAGE % {"date": OPENS_ON}) in refused.content.decode()
    assert not Participation.objects.exists()
    with pytest.raises(ValidationError, match="opens on"):
        member_response_start(cycle=cycle, user=staff.user)
    with pytest.raises(ValidationError) as error:
        invitations_send(cycle=cycle, by=lead.user, addresses=["a@example.org"], site_url="http://testserver")
    assert error.value.messages == [SCHEDULED_LINKS_MESSAGE % {"date": OPENS_ON}]
    with pytest.raises(ValidationError):
        shared_link_create(cycle=cycle, by=lead.user)
    assert not cycle.links.exists()


@freeze_time("2026-12-01")
def test_a_leadership_self_audit_opening_later_says_when(client, lead, organization, questionnaire):
    login(client, lead.user)
    cycle, _page = _schedule(client, organization, mode="team")
    response = client.get(reverse("assessment:respond", args=[organization.slug, cycle.id]), follow=True)
    assert f"This survey opens on {OPENS_ON}." in response.content.decode()
    posted = client.post(reverse("assessment:respond", args=[organization.slug, cycle.id]), {"page": 1})
    assert posted.status_code == 302
    assert not cycle.responses.get().answers.exists()


def test_the_schedule_opens_the_survey_on_its_day(client, lead, staff, organization, questionnaire):
    with freeze_time("2026-12-01"):
        login(client, lead.user)
        cycle, _page = _schedule(client, organization)
    with freeze_time("2027-01-03 23:00"):
        call_command("run_schedule")
        cycle.refresh_from_db()
        assert cycle.status == Cycle.Status.DRAFT
    with freeze_time("2027-01-04 06:00"):
        call_command("run_schedule")
        call_command("run_schedule")  # a second run changes nothing
        cycle.refresh_from_db()
        assert (cycle.status, cycle.opens_on) == (Cycle.Status.OPEN, date(2027, 1, 4))
        login(client, staff.user)
        url = reverse("assessment:respond", args=[organization.slug, cycle.id])
        assert "Start the survey" in client.get(url).content.decode()
        client.post(reverse("assessment:respond_start", args=[organization.slug, cycle.id]))
        assert Participation.objects.filter(cycle=cycle, user=staff.user).exists()


def test_a_scheduled_staff_survey_waits_while_another_is_open(admin, organization, questionnaire):
    kwargs = {"organization": organization, "by": admin.user, "questionnaire": questionnaire, "mode": "staff"}
    cycle_create(label="Now", opens_on=date(2026, 11, 1), today=date(2026, 11, 1), **kwargs)
    later = cycle_create(label="Later", opens_on=date(2027, 1, 4), today=date(2026, 12, 1), **kwargs)
    assert cycles_open_scheduled(today=date(2027, 1, 4)) == 0
    later.refresh_from_db()
    assert later.status == Cycle.Status.DRAFT


@freeze_time("2026-12-01")
def test_opening_a_scheduled_audit_early_makes_today_its_opening_date(client, lead, organization, questionnaire):
    login(client, lead.user)
    cycle, page = _schedule(client, organization)
    assert "Open it today instead" in page
    client.post(reverse("assessment:cycle_open", args=[organization.slug, cycle.id]))
    cycle.refresh_from_db()
    assert (cycle.status, cycle.opens_on) == (Cycle.Status.OPEN, date(2026, 12, 1))
    assert "Opened</dt>" in client.get(cycle.get_absolute_url()).content.decode()
