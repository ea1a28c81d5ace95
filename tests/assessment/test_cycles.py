import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from assessment.models import Cycle, RespondentLink, Response
from assessment.services.cycles import (
    CYCLE_ALREADY_CLOSED_MESSAGE,
    CYCLE_NOT_DRAFT_MESSAGE,
    cycle_close,
    cycle_create,
    cycle_open,
)
from assessment.services.links import LINKS_ONLY_FOR_STAFF_MESSAGE, invitations_send, shared_link_create
from assessment.services.responding import response_save_answers, response_submit
from tests.conftest import full_answers, login


def _create(client, organization, **overrides):
    data = {"label": "2026 staff survey", "mode": "staff", "opens_on": "2026-03-01", "min_responses": "5"}
    data.update(overrides)
    return client.post(reverse("assessment:cycle_create", args=[organization.slug]), data)


def test_lead_opens_a_staff_cycle(client, lead, organization, questionnaire):
    login(client, lead.user)
    response = _create(client, organization)
    cycle = Cycle.objects.get()
    assert response["Location"] == cycle.get_absolute_url()
    assert (cycle.status, cycle.mode, cycle.min_responses, cycle.questionnaire) == ("open", "staff", 5, questionnaire)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CYCLE_OPENED).exists()


def test_team_cycle_has_one_shared_response(client, lead, organization, questionnaire):
    login(client, lead.user)
    _create(client, organization, mode="team", label="Leadership 2026")
    assert Response.objects.filter(cycle__label="Leadership 2026").count() == 1


def test_min_responses_has_a_floor_of_three(client, lead, organization, questionnaire):
    login(client, lead.user)
    response = _create(client, organization, min_responses="2")
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 3." in response.content.decode()
    assert not Cycle.objects.exists()
    with pytest.raises(ValidationError):
        cycle_create(
            organization=organization,
            by=lead.user,
            questionnaire=questionnaire,
            label="x",
            mode="staff",
            opens_on="2026-01-01",
            min_responses=1,
        )
    assert not Cycle.objects.exists()


def test_staff_cannot_open_or_close_cycles(client, staff, organization, staff_cycle):
    login(client, staff.user)
    assert _create(client, organization).status_code == 404
    assert client.post(reverse("assessment:cycle_close", args=[organization.slug, staff_cycle.id])).status_code == 404
    staff_cycle.refresh_from_db()
    assert staff_cycle.is_open
    assert Cycle.objects.count() == 1


def test_open_staff_cycle_shows_only_a_count_in_steps_of_the_minimum(
    client, lead, organization, staff_cycle, submit_as_member
):
    login(client, lead.user)
    seen = []
    for value in ("4", "1", "2", "3", "4", "0", "1"):
        submit_as_member(staff_cycle, value)
        page = client.get(staff_cycle.get_absolute_url()).content.decode()
        start = page.index('id="response-count">') + len('id="response-count">')
        seen.append(page[start : page.index("</p>", start)])
        for forbidden in ("Overall", "established", "beginning", "leading", "developing"):
            assert forbidden not in page
    assert seen == ["Fewer than 3 responses"] * 2 + ["3 or more responses"] * 3 + ["6 or more responses"] * 2
    staff_cycle.refresh_from_db()
    assert staff_cycle.results is None


def test_closing_below_the_minimum_explains_why_there_is_no_report(
    client, lead, organization, cycle_factory, submit_as_member
):
    cycle = cycle_factory(min_responses=5)
    submit_as_member(cycle)
    login(client, lead.user)
    url = reverse("assessment:cycle_close", args=[organization.slug, cycle.id])
    page = client.get(url).content.decode()
    assert "Fewer than 5 people have answered" in page and "every answer is deleted" in page
    client.post(url)
    cycle.refresh_from_db()
    assert cycle.is_closed and not cycle.is_reportable
    assert cycle.results == {"reportable": False, "n": 1, "min_responses": 5}
    assert not Response.objects.filter(cycle=cycle).exists() and not cycle.pending.exists()
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "There is no report for this audit: only 1 person answered, fewer than the minimum of 5." in page


def test_closed_staff_cycle_never_reopens(lead, staff_cycle):
    cycle_close(cycle=staff_cycle, by=lead.user)
    with pytest.raises(ValidationError) as error:
        cycle_open(cycle=staff_cycle, by=lead.user)
    assert error.value.messages == [str(CYCLE_NOT_DRAFT_MESSAGE)]
    with pytest.raises(ValidationError) as error:
        cycle_close(cycle=staff_cycle, by=lead.user)
    assert error.value.messages == [str(CYCLE_ALREADY_CLOSED_MESSAGE)]


def test_closing_stores_aggregates_once(lead, organization, staff_cycle, submit_as_member):
    for value in ("4", "3", "2"):
        submit_as_member(staff_cycle, value)
    cycle_close(cycle=staff_cycle, by=lead.user)
    staff_cycle.refresh_from_db()
    results = staff_cycle.results
    assert results["reportable"] is True and results["n"] == 3
    assert set(results["dimensions"]) == {"consent", "confidentiality", "non_judgment"}
    assert results["overall"]["n"] == 3
    assert "alpha" not in results  # the instrument's reliability is pooled, never per organization
    assert results["item_stats"]["police-contact-consent"]["top_share"] == pytest.approx(1 / 3)
    assert results["item_means"]["police-contact-consent"] == pytest.approx(75.0)
    assert results["role_groups"] == {}  # one group only: no breakdown may be shown, none is stored


def test_closing_stores_only_role_groups_that_may_be_shown(lead, cycle_factory, submit_as_member):
    cycle = cycle_factory(min_responses=3)
    for group in ["frontline"] * 4 + ["leadership"] * 3 + ["volunteer"]:
        submit_as_member(cycle, "3", role_group=group)
    closed = cycle_close(cycle=cycle, by=lead.user)
    # The lone volunteer is hidden, and so is the smallest visible group, or the volunteer's scores
    # would follow from the total; then fewer than two groups remain, so none is stored at all.
    assert closed.results["role_groups"] == {}
    assert not any(field.name == "role_group" for field in Response._meta.get_fields())


def test_closing_asks_for_confirmation_and_says_what_happens(client, lead, organization, staff_cycle):
    login(client, lead.user)
    detail = client.get(staff_cycle.get_absolute_url()).content.decode()
    url = reverse("assessment:cycle_close", args=[organization.slug, staff_cycle.id])
    assert f'href="{url}"' in detail
    page = client.get(url).content.decode()
    assert "cannot be undone" in page and "answers people have started but not submitted are lost" in page
    staff_cycle.refresh_from_db()
    assert staff_cycle.is_open
    client.post(url)
    staff_cycle.refresh_from_db()
    assert staff_cycle.is_closed


def test_team_response_submission_closes_the_cycle_with_its_report(client, lead, organization, team_cycle):
    login(client, lead.user)
    response = team_cycle.responses.get()
    answers = full_answers(team_cycle.questionnaire, "4")
    response_save_answers(response=response, answers=answers, notes={"no-contact-policy": "Policy 3.1"}, by=lead.user)
    response_submit(response=response, user=lead.user)
    team_cycle.refresh_from_db()
    assert team_cycle.is_closed and team_cycle.is_reportable
    assert team_cycle.results["notes"] == {"no-contact-policy": "Policy 3.1"}
    # Every item answered at the top of its scale: reverse-scored items score 0, the rest 1.
    items = list(team_cycle.questionnaire.items.select_related("dimension"))
    expected = {}
    for key in ("consent", "confidentiality", "non_judgment"):
        own = [i for i in items if i.dimension.key == key]
        expected[key] = 100 * sum(not i.reverse for i in own) / len(own)
        assert team_cycle.results["dimensions"][key]["mean"] == pytest.approx(expected[key])
    assert team_cycle.results["overall"]["mean"] == pytest.approx(sum(expected.values()) / 3)


def test_shared_link_is_shown_once_and_only_its_hash_is_kept(client, lead, organization, staff_cycle):
    login(client, lead.user)
    url = reverse("assessment:links_create", args=[organization.slug, staff_cycle.id])
    first = client.post(url).content.decode()
    token = first.split("/r/", 1)[1].split("/", 1)[0]
    link = RespondentLink.objects.get()
    assert link.kind == RespondentLink.Kind.SHARED and link.token_hash != token and len(token) > 30
    assert token not in client.get(staff_cycle.get_absolute_url()).content.decode()
    # A new shared link ends the old one.
    client.post(url)
    assert client.get(reverse("assessment:link_landing", args=[token])).status_code == 404


def test_links_refused_for_team_cycles(lead, team_cycle):
    for make in (
        lambda: shared_link_create(cycle=team_cycle, by=lead.user),
        lambda: invitations_send(cycle=team_cycle, by=lead.user, addresses=["a@example.org"], site_url=""),
    ):
        with pytest.raises(ValidationError) as error:
            make()
        assert error.value.messages == [str(LINKS_ONLY_FOR_STAFF_MESSAGE)]
    assert not RespondentLink.objects.exists()


def test_admin_deletes_a_cycle_with_confirmation(client, admin, organization, staff_cycle):
    login(client, admin.user)
    url = reverse("assessment:cycle_delete", args=[organization.slug, staff_cycle.id])
    detail = client.get(staff_cycle.get_absolute_url()).content.decode()
    # The audit's page links to a confirmation page: no form there deletes it.
    assert f'href="{url}"' in detail and f'action="{url}"' not in detail
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    undone = page[page.index('id="cannot-be-undone"') : page.index("</ul>", page.index('id="cannot-be-undone"'))]
    assert "every answer in it, for good" in undone and 'name="confirm"' in page
    assert Cycle.objects.exists()  # a GET deletes nothing
    response = client.post(url, {"confirm": "wrong"})
    assert response.status_code == 400 and "Type the audit" in response.content.decode()
    assert Cycle.objects.exists()
    client.post(url, {"confirm": staff_cycle.label})
    assert not Cycle.objects.exists()


def test_cycle_of_another_organization_is_404(client, outsider, staff_cycle, organization):
    login(client, outsider.user)
    other_slug = outsider.organization.slug
    assert client.get(reverse("assessment:cycle_detail", args=[other_slug, staff_cycle.id])).status_code == 404
    assert client.post(reverse("assessment:cycle_close", args=[other_slug, staff_cycle.id])).status_code == 404
    staff_cycle.refresh_from_db()
    assert staff_cycle.is_open


def test_recompute_results_updates_old_scores_once(lead, staff_cycle, submit_as_member):
    from django.core.management import call_command

    from assessment.services.cycles import cycle_results_recompute

    for value in ("dk", "4", "2"):
        submit_as_member(staff_cycle, value)
    closed = cycle_close(cycle=staff_cycle, by=lead.user)
    current = closed.results
    # As version 1 stored it: "don't know" scored as 0.
    old = {**current, "item_means": {**current["item_means"], "police-contact-consent": 100 * 6 / 12}}
    old.pop("item_stats")
    Cycle.objects.filter(pk=closed.pk).update(results=old)
    assert cycle_results_recompute(cycle=closed) is True
    closed.refresh_from_db()
    assert closed.results["item_means"]["police-contact-consent"] == pytest.approx(75.0)
    assert closed.results["item_stats"]["police-contact-consent"]["dk"] == 1
    assert cycle_results_recompute(cycle=closed) is False
    call_command("recompute_results")
    closed.refresh_from_db()
    assert closed.results == Cycle.objects.get(pk=closed.pk).results


def test_recompute_results_rebuilds_stored_reports_and_leaves_published_figures(lead, staff_cycle, submit_as_member):
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    from reports.models import CycleReport
    from reports.report import REPORT_FORMAT

    for value in ("1", "4", "2"):
        submit_as_member(staff_cycle, value)
    closed = cycle_close(cycle=staff_cycle, by=lead.user)
    # As scoring version 2 stored it: no capped bands, no breaks; and a report of an older format.
    old = {**closed.results, "scoring_version": 2}
    for summary in [*old["dimensions"].values(), old["overall"]]:
        for key in ("uncapped_band", "capped"):
            summary.pop(key)
    Cycle.objects.filter(pk=closed.pk).update(results=old)
    CycleReport.objects.create(cycle=closed, language="en", basis=[str(closed.pk)], payload={"format": 6})
    out = StringIO()
    call_command("recompute_results", stdout=out)
    closed.refresh_from_db()
    assert closed.results["scoring_version"] == 3 and "capped" in closed.results["overall"]
    stored = CycleReport.objects.filter(cycle=closed)
    assert sorted(stored.values_list("language", flat=True)) == sorted(code for code, _ in settings.LANGUAGES)
    assert {report.payload["format"] for report in stored} == {REPORT_FORMAT}
    assert "1 of 1 closed audits rescored" in out.getvalue()
    # Safe to run again: nothing changes.
    payloads = {report.language: report.payload for report in stored}
    call_command("recompute_results", stdout=StringIO())
    assert {r.language: r.payload for r in CycleReport.objects.filter(cycle=closed)} == payloads
