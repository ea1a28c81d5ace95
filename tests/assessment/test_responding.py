import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from assessment import drafts
from assessment.models import Answer, Participation, PendingResponse, RespondentLink, Response, SpentCredential
from assessment.selectors import questionnaire_pages
from assessment.services.cycles import cycle_close
from assessment.services.links import LINK_INVALID_MESSAGE, link_redeem, shared_link_create
from assessment.services.responding import (
    ALREADY_ANSWERED_MESSAGE,
    CYCLE_NOT_OPEN_MESSAGE,
    DRAFT_GONE_MESSAGE,
    INCOMPLETE_MESSAGE,
    INVALID_ROLE_GROUP_MESSAGE,
    INVALID_VALUE_MESSAGE,
    NOTE_CHARACTERS_MESSAGE,
    NOTES_NOT_ALLOWED_MESSAGE,
    UNKNOWN_ITEM_MESSAGE,
    member_response_start,
    response_save_answers,
    staff_draft_save,
    staff_draft_submit,
)
from tests.conftest import full_answers, invite, login


def _page_answers(questionnaire, number, value="3"):
    page = questionnaire_pages(questionnaire)[number - 1]
    return {f"answer-{i.key}": str(min(int(value), i.max_value)) for i in page.items}


def _answer_all_pages(client, url, questionnaire, value="3"):
    pages = questionnaire_pages(questionnaire)
    for number in range(1, len(pages) + 1):
        response = client.post(url, {"page": number, "action": "next", **_page_answers(questionnaire, number, value)})
        assert response.status_code == 302, response.content.decode()[:500]
    return len(pages) + 1


def _invite(cycle, by, count=1) -> list[str]:
    return invite(cycle, by, [f"person{len(mail.outbox) + n}@example.org" for n in range(count)])


def _draft_cookie(client, cycle, member=None):
    return client.cookies.get(drafts.cookie_name(cycle.pk, member and member.user.pk))


# Members


def test_member_answers_a_staff_survey(client, staff, organization, staff_cycle):
    login(client, staff.user)
    url = reverse("assessment:respond", args=[organization.slug, staff_cycle.id])
    assert "Your answers are anonymous" in client.get(url).content.decode()
    client.post(reverse("assessment:respond_start", args=[organization.slug, staff_cycle.id]))
    assert _draft_cookie(client, staff_cycle, staff).value
    assert Participation.objects.filter(cycle=staff_cycle, user=staff.user).exists()
    finish = _answer_all_pages(client, url, staff_cycle.questionnaire)
    assert not Response.objects.filter(cycle=staff_cycle).exists(), "unfinished answers are kept on the server"
    page = client.get(url, {"page": finish}).content.decode()
    assert "Every question is answered" in page
    response = client.post(url, {"page": finish, "action": "submit", "role_group": "frontline"})
    assert response["Location"] == organization.get_absolute_url()
    assert _draft_cookie(client, staff_cycle, staff).value == ""
    assert PendingResponse.objects.filter(cycle=staff_cycle).count() == 1
    assert SpentCredential.objects.filter(cycle=staff_cycle).count() == 1
    assert "already started or answered" in client.get(url).content.decode()


def test_staff_member_cannot_answer_twice(staff, staff_cycle, questionnaire):
    draft = member_response_start(cycle=staff_cycle, user=staff.user)
    staff_draft_submit(
        cycle=staff_cycle, draft=staff_draft_save(cycle=staff_cycle, draft=draft, answers=full_answers(questionnaire))
    )
    with pytest.raises(ValidationError) as error:
        member_response_start(cycle=staff_cycle, user=staff.user)
    assert error.value.messages == [str(ALREADY_ANSWERED_MESSAGE)]
    # The same draft replayed (a copied cookie) cannot be submitted again: its credential is spent.
    with pytest.raises(ValidationError) as error:
        staff_draft_submit(cycle=staff_cycle, draft=staff_draft_save(cycle=staff_cycle, draft=draft, answers={}))
    assert error.value.messages == [str(DRAFT_GONE_MESSAGE)]
    assert PendingResponse.objects.count() == 1


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


@pytest.mark.parametrize("note", ["evidence\x00here", "bell\x07"])
def test_control_characters_in_a_note_are_refused(lead, team_cycle, note):
    team = team_cycle.responses.get()
    with pytest.raises(ValidationError) as error:
        response_save_answers(
            response=team, answers={"police-contact-consent": "4"}, notes={"police-contact-consent": note}
        )
    assert error.value.messages == [str(NOTE_CHARACTERS_MESSAGE)]
    assert not Answer.objects.exists()


# Respondent links


def test_two_respondents_answer_through_links_and_one_resumes(lead, staff_cycle):
    first, second = Client(), Client()
    tokens = _invite(staff_cycle, lead.user, 2)
    continue_url = reverse("assessment:link_continue")
    for browser, token in [(first, tokens[0]), (second, tokens[1])]:
        links = RespondentLink.objects.filter(cycle=staff_cycle).count()
        landing = browser.get(reverse("assessment:link_landing", args=[token]))
        assert "Your answers are anonymous" in landing.content.decode()
        assert RespondentLink.objects.filter(cycle=staff_cycle).count() == links  # opening the link spends nothing
        assert _draft_cookie(browser, staff_cycle) is None
        response = browser.post(reverse("assessment:link_landing", args=[token]))
        assert response["Location"] == continue_url
        assert token not in response["Location"]

    # The first respondent answers one page and leaves; the second answers everything.
    first.post(continue_url, {"page": 1, "action": "save", **_page_answers(staff_cycle.questionnaire, 1)})
    finish = _answer_all_pages(second, continue_url, staff_cycle.questionnaire)
    assert second.post(continue_url, {"page": finish, "action": "submit"})["Location"] == reverse(
        "assessment:link_thanks"
    )

    # The first comes back later by opening the emailed link again, as told: their answers win.
    reopened = first.get(reverse("assessment:link_landing", args=[tokens[0]]))
    assert reopened["Location"] == continue_url
    resumed = first.get(continue_url, {"page": 1}).content.decode()
    assert resumed.count("checked") == len(questionnaire_pages(staff_cycle.questionnaire)[0].items)
    finish = _answer_all_pages(first, continue_url, staff_cycle.questionnaire, "1")
    first.post(continue_url, {"page": finish, "action": "submit"})
    assert PendingResponse.objects.filter(cycle=staff_cycle).count() == 2
    assert not RespondentLink.objects.filter(cycle=staff_cycle).exists()


def test_a_started_link_cannot_be_started_again(client, lead, staff_cycle):
    token = _invite(staff_cycle, lead.user)[0]
    link_redeem(token=token)
    page = client.get(reverse("assessment:link_landing", args=[token]))
    assert page.status_code == 404
    assert "This link cannot be used" in page.content.decode()
    client.post(reverse("assessment:link_landing", args=[token]))
    assert _draft_cookie(client, staff_cycle) is None
    with pytest.raises(ValidationError) as error:
        link_redeem(token=token)
    assert error.value.messages == [str(LINK_INVALID_MESSAGE)]


def test_shared_link_serves_many_and_says_so(client, lead, staff_cycle, questionnaire):
    token = shared_link_create(cycle=staff_cycle, by=lead.user)
    landing = client.get(reverse("assessment:link_landing", args=[token])).content.decode()
    assert "anyone who has it can add answers" in landing
    for _ in range(3):
        cycle, draft = link_redeem(token=token)
        draft = staff_draft_save(cycle=cycle, draft=draft, answers=full_answers(questionnaire))
        staff_draft_submit(cycle=cycle, draft=draft)
    # The minimum (3) is reached, but nothing is written out before the survey closes.
    assert PendingResponse.objects.filter(cycle=staff_cycle).count() == 3
    assert not Response.objects.filter(cycle=staff_cycle).exists()


def test_invitations_list_bad_addresses_and_send_nothing(client, lead, staff_cycle):
    login(client, lead.user)
    url = reverse("assessment:invitations_create", args=[staff_cycle.organization.slug, staff_cycle.id])
    _invite(staff_cycle, lead.user)
    invited = mail.outbox[0].to[0]
    page = client.post(url, {"addresses": f"ok@example.org\nnot-an-address\nok@example.org\n{invited}"})
    assert page.status_code == 400
    text = page.content.decode()
    for reason in ("not an email address", "listed more than once", "already invited to this survey"):
        assert reason in text
    assert len(mail.outbox) == 1 and RespondentLink.objects.count() == 1
    staff_cycle.refresh_from_db()
    assert staff_cycle.invited_count == 1


def test_link_starts_are_rate_limited(settings, lead, staff_cycle):
    cache.clear()
    settings.ALLY_RATE_LIMITS = {**settings.ALLY_RATE_LIMITS, "link-start": (3, 100, 600)}
    token = shared_link_create(cycle=staff_cycle, by=lead.user)
    url = reverse("assessment:link_landing", args=[token])
    browsers = [Client() for _ in range(5)]
    statuses = [browser.post(url).status_code for browser in browsers]
    assert statuses == [302, 302, 302, 429, 429]
    assert sum(_draft_cookie(browser, staff_cycle) is not None for browser in browsers) == 3


def test_link_submissions_are_rate_limited(settings, lead, staff_cycle, questionnaire):
    cache.clear()
    settings.ALLY_RATE_LIMITS = {**settings.ALLY_RATE_LIMITS, "link-submit": (2, 100, 600)}
    token = shared_link_create(cycle=staff_cycle, by=lead.user)
    statuses = []
    for _ in range(3):
        browser = Client()
        browser.post(reverse("assessment:link_landing", args=[token]))
        url = reverse("assessment:link_continue")
        finish = _answer_all_pages(browser, url, questionnaire)
        statuses.append(browser.post(url, {"page": finish, "action": "submit"}).status_code)
    assert statuses == [302, 302, 429]
    assert "Nothing you entered is lost" in browser.post(url, {"page": finish, "action": "submit"}).content.decode()
    assert PendingResponse.objects.count() + Response.objects.filter(cycle=staff_cycle).count() == 2


def test_unknown_link_is_404(client, db):
    page = client.get(reverse("assessment:link_landing", args=["made-up"]))
    assert page.status_code == 404
    response = client.post(reverse("assessment:link_landing", args=["made-up"]))
    assert response.status_code == 404
    assert not any(name.startswith(drafts.PREFIX) for name in response.cookies)


def test_continue_without_a_draft_is_404(client, db):
    response = client.get(reverse("assessment:link_continue"))
    assert response.status_code == 404
    assert "No survey in progress" in response.content.decode()


def test_a_forged_draft_cookie_is_ignored(client, lead, staff_cycle):
    client.cookies[drafts.cookie_name(staff_cycle.pk)] = "forged:value"
    assert client.get(reverse("assessment:link_continue")).status_code == 404


# Bad input: a clear message, nothing changed.


@pytest.fixture
def draft(lead, staff_cycle):
    return link_redeem(token=_invite(staff_cycle, lead.user)[0])[1]


def _assert_refused(call, message):
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.messages == [str(message)]


def test_out_of_range_answer_is_refused(draft, staff_cycle):
    _assert_refused(
        lambda: staff_draft_save(
            cycle=staff_cycle, draft=draft, answers={"police-contact-consent": "3", "anonymous-option": "3"}
        ),
        INVALID_VALUE_MESSAGE,
    )


@pytest.mark.parametrize("value", ["-1", "five", "4.0", "na", "²", "٣", "00003"])
def test_invalid_values_are_refused(draft, staff_cycle, value):
    # "na" is only allowed on items that allow it; police-contact-consent does not.
    _assert_refused(
        lambda: staff_draft_save(cycle=staff_cycle, draft=draft, answers={"police-contact-consent": value}),
        INVALID_VALUE_MESSAGE,
    )


def test_item_not_in_the_questionnaire_is_refused(draft, staff_cycle):
    _assert_refused(
        lambda: staff_draft_save(
            cycle=staff_cycle, draft=draft, answers={"police-contact-consent": "4", "favourite-colour": "2"}
        ),
        UNKNOWN_ITEM_MESSAGE,
    )


def test_tampered_form_keeps_earlier_answers_and_shows_the_message(client, lead, staff_cycle):
    token = _invite(staff_cycle, lead.user)[0]
    client.post(reverse("assessment:link_landing", args=[token]))
    url = reverse("assessment:link_continue")
    client.post(url, {"page": 1, "action": "save", "answer-police-contact-consent": "4"})
    response = client.post(url, {"page": 1, "action": "save", "answer-police-contact-consent": "9"})
    assert response.status_code == 400
    assert str(INVALID_VALUE_MESSAGE) in response.content.decode()
    page = client.get(url, {"page": 1}).content.decode()
    assert 'value="4" checked' in page


def test_notes_are_refused_in_staff_surveys(draft, staff_cycle):
    _assert_refused(
        lambda: staff_draft_save(
            cycle=staff_cycle,
            draft=draft,
            answers={"police-contact-consent": "4"},
            notes={"police-contact-consent": "My name is…"},
        ),
        NOTES_NOT_ALLOWED_MESSAGE,
    )


def test_invalid_role_group_is_refused(draft, staff_cycle):
    _assert_refused(
        lambda: staff_draft_save(cycle=staff_cycle, draft=draft, answers={}, role_group="ceo"),
        INVALID_ROLE_GROUP_MESSAGE,
    )


def test_answers_to_a_closed_cycle_are_refused(lead, draft, staff_cycle, team_cycle):
    draft = staff_draft_save(cycle=staff_cycle, draft=draft, answers={"police-contact-consent": "4"})
    cycle_close(cycle=staff_cycle, by=lead.user)
    staff_cycle.refresh_from_db()
    _assert_refused(
        lambda: staff_draft_save(cycle=staff_cycle, draft=draft, answers={"police-contact-consent": "1"}),
        DRAFT_GONE_MESSAGE,
    )
    team = team_cycle.responses.get()
    cycle_close(cycle=team_cycle, by=lead.user)
    _assert_refused(
        lambda: response_save_answers(response=team, answers={"police-contact-consent": "1"}),
        DRAFT_GONE_MESSAGE,
    )


def test_answers_to_a_draft_cycle_are_refused(cycle_factory, member_factory):
    cycle = cycle_factory(open_now=False)
    member = member_factory(cycle.organization)
    _assert_refused(lambda: member_response_start(cycle=cycle, user=member.user), CYCLE_NOT_OPEN_MESSAGE)
    assert not Participation.objects.filter(cycle=cycle).exists()


def test_closed_cycle_link_is_refused(client, lead, staff_cycle):
    token = _invite(staff_cycle, lead.user)[0]
    cycle_close(cycle=staff_cycle, by=lead.user)
    assert client.post(reverse("assessment:link_landing", args=[token])).status_code == 404
    assert _draft_cookie(client, staff_cycle) is None


def test_incomplete_submission_is_refused(draft, staff_cycle):
    draft = staff_draft_save(cycle=staff_cycle, draft=draft, answers={"police-contact-consent": "dk"})
    _assert_refused(lambda: staff_draft_submit(cycle=staff_cycle, draft=draft), INCOMPLETE_MESSAGE)
    assert not SpentCredential.objects.exists() and not PendingResponse.objects.exists()


@pytest.mark.parametrize("page", ["99", "x", "²", "0"])
def test_page_number_out_of_range_is_404(client, lead, staff_cycle, page):
    client.post(reverse("assessment:link_landing", args=[_invite(staff_cycle, lead.user)[0]]))
    assert client.get(reverse("assessment:link_continue"), {"page": page}).status_code == 404


def test_the_planned_closing_date_is_shown_to_respondents(client, lead, cycle_factory):
    import datetime

    cycle = cycle_factory()
    Cycle = type(cycle)
    Cycle.objects.filter(pk=cycle.pk).update(closes_on=datetime.date(2026, 12, 15))
    token = _invite(cycle, lead.user)[0]
    page = client.get(reverse("assessment:link_landing", args=[token])).content.decode()
    assert 'id="closes-on"' in page and "Dec. 15, 2026" in page
