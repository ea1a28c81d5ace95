import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment.models import Answer, Participation, RespondentLink, Response
from assessment.selectors import questionnaire_pages
from assessment.services.cycles import cycle_close
from assessment.services.links import LINK_INVALID_MESSAGE, link_redeem, links_create
from assessment.services.responding import (
    ALREADY_ANSWERED_MESSAGE,
    ALREADY_SUBMITTED_MESSAGE,
    CYCLE_NOT_OPEN_MESSAGE,
    DRAFT_GONE_MESSAGE,
    INCOMPLETE_MESSAGE,
    INVALID_ROLE_GROUP_MESSAGE,
    INVALID_VALUE_MESSAGE,
    NOTES_NOT_ALLOWED_MESSAGE,
    UNKNOWN_ITEM_MESSAGE,
    member_response_start,
    response_save_answers,
    response_submit,
)
from assessment.views import RESUME_COOKIE
from tests.conftest import full_answers, login


def _page_answers(questionnaire, number, value="3"):
    page = questionnaire_pages(questionnaire)[number - 1]
    return {f"answer-{i.key}": str(min(int(value), i.max_value)) for i in page.items}


def _answer_all_pages(client, url, questionnaire, value="3"):
    pages = questionnaire_pages(questionnaire)
    for number in range(1, len(pages) + 1):
        response = client.post(url, {"page": number, "action": "next", **_page_answers(questionnaire, number, value)})
        assert response.status_code == 302, response.content.decode()[:500]
    return len(pages) + 1


def _link_token(cycle, by, kind="single"):
    return links_create(cycle=cycle, by=by, kind=kind, count=1)[0]


# Members


def test_member_answers_a_staff_survey(client, staff, organization, staff_cycle):
    login(client, staff.user)
    url = reverse("assessment:respond", args=[organization.slug, staff_cycle.id])
    assert "Your answers are anonymous" in client.get(url).content.decode()
    client.post(reverse("assessment:respond_start", args=[organization.slug, staff_cycle.id]))
    assert RESUME_COOKIE in client.cookies
    finish = _answer_all_pages(client, url, staff_cycle.questionnaire)
    page = client.get(url, {"page": finish}).content.decode()
    assert "Every question is answered" in page
    response = client.post(url, {"page": finish, "action": "submit", "role_group": "frontline"})
    assert response["Location"] == organization.get_absolute_url()
    assert client.cookies[RESUME_COOKIE].value == ""
    submitted = Response.objects.get(cycle=staff_cycle)
    assert submitted.is_submitted and submitted.role_group == "frontline"
    assert submitted.resume_hash is None and submitted.scores["overall"] is not None
    assert Participation.objects.filter(cycle=staff_cycle, user=staff.user).exists()
    assert "already answered" in client.get(url).content.decode()


def test_staff_member_cannot_answer_twice(client, staff, organization, staff_cycle, questionnaire):
    response, _ = member_response_start(cycle=staff_cycle, user=staff.user)
    response_save_answers(response=response, answers=full_answers(questionnaire))
    response_submit(response=response, user=staff.user)
    with pytest.raises(ValidationError) as error:
        member_response_start(cycle=staff_cycle, user=staff.user)
    assert error.value.messages == [str(ALREADY_ANSWERED_MESSAGE)]
    # A second draft started earlier in another browser cannot be submitted either.
    Participation.objects.all().delete()
    other, _ = member_response_start(cycle=staff_cycle, user=staff.user)
    response_save_answers(response=other, answers=full_answers(questionnaire))
    Participation.objects.create(cycle=staff_cycle, user=staff.user)
    with pytest.raises(ValidationError) as error:
        response_submit(response=other, user=staff.user)
    assert error.value.messages == [str(ALREADY_ANSWERED_MESSAGE)]
    other.refresh_from_db()
    assert not other.is_submitted and other.answers.count() == questionnaire.items.count()
    assert Response.objects.filter(status="submitted").count() == 1


def test_member_cannot_finish_a_link_draft_as_a_member(client, staff, lead, organization, staff_cycle):
    token = _link_token(staff_cycle, lead.user)
    client.post(reverse("assessment:link_landing", args=[token]))
    login(client, staff.user)
    page = client.get(reverse("assessment:respond", args=[organization.slug, staff_cycle.id]))
    assert "Start the survey" in page.content.decode()


def test_team_self_audit_is_answered_by_leads_with_evidence(client, lead, organization, team_cycle):
    login(client, lead.user)
    url = reverse("assessment:respond", args=[organization.slug, team_cycle.id])
    first = questionnaire_pages(team_cycle.questionnaire)[0].items[0]
    client.post(url, {"page": 1, "action": "save", f"answer-{first.key}": "4", f"note-{first.key}": "Policy 2.3"})
    answer = Answer.objects.get(item=first)
    assert (answer.value, answer.note) == (4, "Policy 2.3")
    finish = _answer_all_pages(client, url, team_cycle.questionnaire, "4")
    client.post(url, {"page": finish, "action": "submit"})
    team_cycle.refresh_from_db()
    assert team_cycle.is_reportable


def test_staff_cannot_edit_the_team_self_audit(client, staff, organization, team_cycle):
    login(client, staff.user)
    url = reverse("assessment:respond", args=[organization.slug, team_cycle.id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"page": 1, "action": "save"}).status_code == 404


# Respondent links


def test_two_respondents_answer_through_links_and_one_resumes(client, lead, staff_cycle):
    from django.test import Client

    first, second = Client(), Client()
    tokens = links_create(cycle=staff_cycle, by=lead.user, kind="single", count=2)
    continue_url = reverse("assessment:link_continue")
    for browser, token in [(first, tokens[0]), (second, tokens[1])]:
        landing = browser.get(reverse("assessment:link_landing", args=[token]))
        assert "Your answers are anonymous" in landing.content.decode()
        assert not Response.objects.filter(status="draft").count() > 1  # opening the link creates nothing
        response = browser.post(reverse("assessment:link_landing", args=[token]))
        assert response["Location"] == continue_url
        assert token not in response["Location"]

    # The first respondent answers one page and leaves; the second answers everything.
    first.post(continue_url, {"page": 1, "action": "save", **_page_answers(staff_cycle.questionnaire, 1)})
    finish = _answer_all_pages(second, continue_url, staff_cycle.questionnaire)
    assert second.post(continue_url, {"page": finish, "action": "submit"})["Location"] == reverse(
        "assessment:link_thanks"
    )

    # The first comes back later in the same browser and finds their answers.
    resumed = first.get(continue_url, {"page": 1}).content.decode()
    assert "checked" in resumed
    finish = _answer_all_pages(first, continue_url, staff_cycle.questionnaire, "1")
    first.post(continue_url, {"page": finish, "action": "submit"})
    assert Response.objects.filter(cycle=staff_cycle, status="submitted").count() == 2
    assert RespondentLink.objects.filter(is_used=True).count() == 2


def test_used_link_is_refused(client, lead, staff_cycle, questionnaire):
    token = _link_token(staff_cycle, lead.user)
    response, _ = link_redeem(token=token)
    response_save_answers(response=response, answers=full_answers(questionnaire))
    response_submit(response=response)
    page = client.get(reverse("assessment:link_landing", args=[token]))
    assert page.status_code == 404
    assert "This link cannot be used" in page.content.decode()
    before = Response.objects.count()
    client.post(reverse("assessment:link_landing", args=[token]))
    assert Response.objects.count() == before


def test_single_link_redeemed_twice_submits_once(lead, staff_cycle, questionnaire):
    token = _link_token(staff_cycle, lead.user)
    first, _ = link_redeem(token=token)
    second, _ = link_redeem(token=token)
    for draft in (first, second):
        response_save_answers(response=draft, answers=full_answers(questionnaire))
    response_submit(response=first)
    with pytest.raises(ValidationError) as error:
        response_submit(response=second)
    assert error.value.messages == [str(LINK_INVALID_MESSAGE)]
    second.refresh_from_db()
    assert not second.is_submitted


def test_shared_link_serves_many(lead, staff_cycle, questionnaire):
    token = _link_token(staff_cycle, lead.user, kind="shared")
    for _ in range(3):
        response, _ = link_redeem(token=token)
        response_save_answers(response=response, answers=full_answers(questionnaire))
        response_submit(response=response)
    assert Response.objects.filter(status="submitted").count() == 3


def test_unknown_link_is_404(client, db):
    page = client.get(reverse("assessment:link_landing", args=["made-up"]))
    assert page.status_code == 404
    assert client.post(reverse("assessment:link_landing", args=["made-up"])).status_code == 404
    assert not Response.objects.exists()


def test_continue_without_a_draft_is_404(client, db):
    response = client.get(reverse("assessment:link_continue"))
    assert response.status_code == 404
    assert "No survey in progress" in response.content.decode()


# Bad input: a clear message, nothing written.


@pytest.fixture
def draft(lead, staff_cycle):
    response, _ = link_redeem(token=_link_token(staff_cycle, lead.user))
    return response


def _assert_refused(call, message):
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.messages == [str(message)]


def test_out_of_range_answer_is_refused(draft):
    _assert_refused(
        lambda: response_save_answers(
            response=draft, answers={"police-contact-consent": "3", "anonymous-option": "3"}
        ),
        INVALID_VALUE_MESSAGE,
    )
    assert not Answer.objects.exists()


@pytest.mark.parametrize("value", ["-1", "five", "4.0", "na"])
def test_invalid_values_are_refused(draft, value):
    # "na" is only allowed on items that allow it; police-contact-consent does not.
    _assert_refused(
        lambda: response_save_answers(response=draft, answers={"police-contact-consent": value}),
        INVALID_VALUE_MESSAGE,
    )
    assert not Answer.objects.exists()


def test_item_not_in_the_questionnaire_is_refused(draft):
    _assert_refused(
        lambda: response_save_answers(
            response=draft, answers={"police-contact-consent": "4", "favourite-colour": "2"}
        ),
        UNKNOWN_ITEM_MESSAGE,
    )
    assert not Answer.objects.exists()


def test_tampered_form_keeps_earlier_answers_and_shows_the_message(client, lead, staff_cycle):
    token = _link_token(staff_cycle, lead.user)
    client.post(reverse("assessment:link_landing", args=[token]))
    url = reverse("assessment:link_continue")
    client.post(url, {"page": 1, "action": "save", "answer-police-contact-consent": "4"})
    response = client.post(url, {"page": 1, "action": "save", "answer-police-contact-consent": "9"})
    assert response.status_code == 400
    assert str(INVALID_VALUE_MESSAGE) in response.content.decode()
    assert Answer.objects.get().value == 4


def test_notes_are_refused_in_staff_surveys(draft):
    _assert_refused(
        lambda: response_save_answers(
            response=draft, answers={"police-contact-consent": "4"}, notes={"police-contact-consent": "My name is…"}
        ),
        NOTES_NOT_ALLOWED_MESSAGE,
    )
    assert not Answer.objects.exists()


def test_invalid_role_group_is_refused(draft):
    _assert_refused(
        lambda: response_save_answers(response=draft, answers={}, role_group="ceo"),
        INVALID_ROLE_GROUP_MESSAGE,
    )
    draft.refresh_from_db()
    assert draft.role_group == ""


def test_answers_to_a_closed_cycle_are_refused(lead, draft, staff_cycle, team_cycle):
    response_save_answers(response=draft, answers={"police-contact-consent": "4"})
    cycle_close(cycle=staff_cycle, by=lead.user)
    _assert_refused(
        lambda: response_save_answers(response=draft, answers={"police-contact-consent": "1"}),
        DRAFT_GONE_MESSAGE,
    )
    assert not Answer.objects.filter(response__cycle=staff_cycle).exists()
    team = team_cycle.responses.get()
    cycle_close(cycle=team_cycle, by=lead.user)
    _assert_refused(
        lambda: response_save_answers(response=team, answers={"police-contact-consent": "1"}),
        DRAFT_GONE_MESSAGE,
    )


def test_answers_to_a_draft_cycle_are_refused(cycle_factory, member_factory):
    cycle = cycle_factory(open_now=False)
    member = member_factory(cycle.organization)
    _assert_refused(
        lambda: member_response_start(cycle=cycle, user=member.user), CYCLE_NOT_OPEN_MESSAGE
    )
    assert not Response.objects.filter(cycle=cycle).exists()


def test_closed_cycle_link_is_refused(client, lead, staff_cycle):
    token = _link_token(staff_cycle, lead.user)
    cycle_close(cycle=staff_cycle, by=lead.user)
    assert client.post(reverse("assessment:link_landing", args=[token])).status_code == 404
    assert not Response.objects.exists()


def test_double_submission_is_refused(draft, questionnaire):
    response_save_answers(response=draft, answers=full_answers(questionnaire))
    response_submit(response=draft)
    _assert_refused(lambda: response_submit(response=draft), ALREADY_SUBMITTED_MESSAGE)
    _assert_refused(
        lambda: response_save_answers(response=draft, answers={"police-contact-consent": "0"}),
        ALREADY_SUBMITTED_MESSAGE,
    )
    assert Answer.objects.get(response=draft, item__key="police-contact-consent").value == 3


def test_incomplete_submission_is_refused(client, draft, questionnaire):
    response_save_answers(response=draft, answers={"police-contact-consent": "dk"})
    _assert_refused(lambda: response_submit(response=draft), INCOMPLETE_MESSAGE)
    draft.refresh_from_db()
    assert not draft.is_submitted and draft.resume_hash is not None
    assert draft.answers.count() == 1


def test_page_number_out_of_range_is_404(client, lead, staff_cycle):
    client.post(reverse("assessment:link_landing", args=[_link_token(staff_cycle, lead.user)]))
    url = reverse("assessment:link_continue")
    assert client.get(url, {"page": "99"}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404
