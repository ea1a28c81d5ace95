"""Leaving a survey page by any way (a step of the page list, the language choice, the previous
button) saves what is on it first; coming back opens the first page with a question unanswered."""

import pytest
from django.conf import settings
from django.urls import reverse

from assessment.forms import PAGE_CHOICE_MESSAGE
from assessment.models import Answer
from assessment.selectors import questionnaire_pages
from tests.conftest import login


def _page_answers(questionnaire, number, value="1"):
    page = questionnaire_pages(questionnaire)[number - 1]
    return {f"answer-{item.key}": str(min(int(value), item.max_value)) for item in page.items}


def _checked(page_html, answers) -> bool:
    return all(f'name="{name}" value="{value}" checked' in page_html for name, value in answers.items())


@pytest.fixture
def member_url(client, staff, organization, staff_cycle):
    login(client, staff.user)
    client.post(reverse("assessment:respond_start", args=[organization.slug, staff_cycle.id]))
    return reverse("assessment:respond", args=[organization.slug, staff_cycle.id])


@pytest.fixture
def link_url(client, lead, staff_cycle):
    from tests.conftest import invite

    token = invite(staff_cycle, lead.user, ["someone@example.org"])[0]
    client.post(reverse("assessment:link_landing", args=[token]))
    return reverse("assessment:link_continue")


@pytest.mark.parametrize("url_fixture", ["member_url", "link_url"])
def test_a_step_of_the_page_list_saves_the_answers_first(client, staff_cycle, url_fixture, request):
    url = request.getfixturevalue(url_fixture)
    typed = _page_answers(staff_cycle.questionnaire, 1)
    response = client.post(url, {"page": 1, "goto": "3", **typed})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?page=3"
    assert _checked(client.get(url, {"page": 1}).content.decode(), typed)


def test_the_steps_are_buttons_of_the_answers_form(client, member_url):
    page = client.get(member_url, {"page": 2}).content.decode()
    assert 'form="answers" name="goto" value="1"' in page
    assert 'name="goto" value="2" class="step" aria-current="step"' in page
    assert '<form method="post" action="' + member_url + '" id="answers"' in page
    assert f'href="{member_url}?page=' not in page, "a plain link would leave the page without saving"


def test_the_language_choice_saves_the_answers_and_changes_language(client, staff_cycle, member_url):
    typed = _page_answers(staff_cycle.questionnaire, 2, "2")
    response = client.post(member_url, {"page": 2, "action": "language", "language": "fr", **typed})
    assert response["Location"] == f"{member_url}?page=2"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    shown = client.get(member_url, {"page": 2}).content.decode()
    assert '<html lang="fr"' in shown
    assert _checked(shown, typed)


def test_the_previous_button_saves_the_answers(client, staff_cycle, member_url):
    typed = _page_answers(staff_cycle.questionnaire, 2, "2")
    response = client.post(member_url, {"page": 2, "action": "back", **typed})
    assert response["Location"] == f"{member_url}?page=1"
    assert _checked(client.get(member_url, {"page": 2}).content.decode(), typed)


def test_the_leadership_checklist_keeps_answers_and_notes_on_a_step(client, lead, organization, team_cycle):
    login(client, lead.user)
    url = reverse("assessment:respond", args=[organization.slug, team_cycle.id])
    item = questionnaire_pages(team_cycle.questionnaire)[0].items[0]
    response = client.post(url, {"page": 1, "goto": "2", f"answer-{item.key}": "1", f"note-{item.key}": "Rota 4"})
    assert response["Location"] == f"{url}?page=2"
    answer = Answer.objects.get(item=item)
    assert (answer.value, answer.note) == (1, "Rota 4")


@pytest.mark.parametrize("goto", ["0", "99", "two", "", "1.5", "²"])
def test_a_tampered_page_choice_is_refused_and_the_answers_are_kept(client, staff_cycle, member_url, goto):
    typed = _page_answers(staff_cycle.questionnaire, 1)
    response = client.post(member_url, {"page": 1, "goto": goto, **typed})
    assert response.status_code == 400
    shown = response.content.decode()
    assert str(PAGE_CHOICE_MESSAGE) in shown
    assert 'id="progress-label">Page 1 of' in shown
    assert _checked(shown, typed)
    assert _checked(client.get(member_url, {"page": 1}).content.decode(), typed)


def test_a_refused_answer_on_a_step_keeps_the_typed_answers_shown(client, staff_cycle, member_url):
    typed = _page_answers(staff_cycle.questionnaire, 1)
    first = next(iter(typed))
    response = client.post(member_url, {"page": 1, "goto": "2", **typed, first: "9"})
    assert response.status_code == 400
    shown = response.content.decode()
    assert _checked(shown, {name: value for name, value in typed.items() if name != first})


@pytest.mark.parametrize("url_fixture", ["member_url", "link_url"])
def test_coming_back_opens_the_first_page_with_an_unanswered_question(client, staff_cycle, url_fixture, request):
    url = request.getfixturevalue(url_fixture)
    pages = questionnaire_pages(staff_cycle.questionnaire)
    assert 'id="progress-label">Page 1 of' in client.get(url).content.decode()
    client.post(url, {"page": 1, "action": "next", **_page_answers(staff_cycle.questionnaire, 1)})
    client.post(url, {"page": 3, "action": "save", **_page_answers(staff_cycle.questionnaire, 3)})
    assert 'id="progress-label">Page 2 of' in client.get(url).content.decode()
    # One question left unanswered on page 2 is where the person stopped.
    second = _page_answers(staff_cycle.questionnaire, 2)
    client.post(url, {"page": 2, "action": "save", **dict(list(second.items())[1:])})
    assert 'id="progress-label">Page 2 of' in client.get(url).content.decode()
    for number in range(1, len(pages) + 1):
        client.post(url, {"page": number, "action": "save", **_page_answers(staff_cycle.questionnaire, number)})
    finish = client.get(url).content.decode()
    assert f'id="progress-label">Page {len(pages) + 1} of' in finish
    assert "Every question is answered" in finish


def test_the_leadership_checklist_resumes_where_it_was_left(client, lead, organization, team_cycle):
    login(client, lead.user)
    url = reverse("assessment:respond", args=[organization.slug, team_cycle.id])
    client.post(url, {"page": 1, "action": "save", **_page_answers(team_cycle.questionnaire, 1)})
    assert 'id="progress-label">Page 2 of' in client.get(url).content.decode()
