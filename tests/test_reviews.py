"""Review records of the translations: a "reviewed" mark needs a complete record, and while a
language is a draft, leads see so wherever they choose it."""

import copy
import json
import re

import pytest
from django.conf import settings
from django.core import checks
from django.urls import reverse

from assessment.demo import CHECKLIST_2_PATH, STAFF_2_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle
from assessment.services.cycles import cycle_close, cycle_create
from assessment.services.questionnaires import questionnaire_load
from coalitions import services as coalition_services
from config import reviews
from tests.coalitions.test_coalitions import YEAR, network  # noqa: F401 (the shared fixture)
from tests.conftest import login

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
QUESTIONNAIRES = {"ally-readiness/2": LANGUAGES, "ally-readiness-checklist/2": LANGUAGES}
COMPLETE_QUESTIONNAIRE_REVIEW = {
    "reviewer": "A reviewer",
    "organization": "A sex worker-led organization",
    "works_with_sex_workers": True,
    "date": "2026-06-01",
    "scope": ["items", "scale labels", "reverse items", "back-translation of critical items"],
    "notes": "",
}
DRAFT_NOTE = {
    "fr": "Traduction provisoire, pas encore révisée par des personnes de langue maternelle",
    "zh-hans": "译文初稿，尚未经与性工作者共事的母语人士审校。",
}


@pytest.fixture
def records(monkeypatch):
    """Let a test change the review records the pages read."""
    data = copy.deepcopy(json.loads(reviews.REVIEWS_PATH.read_text()))
    monkeypatch.setattr(reviews, "review_records", lambda: data)
    return data


def test_the_repositorys_records_are_complete_and_pass_the_system_check():
    data = json.loads(reviews.REVIEWS_PATH.read_text())
    assert reviews.review_problems(data, languages=LANGUAGES, questionnaires=QUESTIONNAIRES) == []
    assert not [error for error in checks.run_checks() if error.id.startswith("home.")]


def test_every_language_of_the_interface_and_of_each_form_needs_a_record():
    data = json.loads(reviews.REVIEWS_PATH.read_text())
    del data["interface"]["fr"]
    del data["questionnaires"]["ally-readiness-checklist/2"]["zh-hans"]
    assert reviews.review_problems(data, languages=LANGUAGES, questionnaires=QUESTIONNAIRES) == [
        "interface: no record for fr",
        "questionnaire ally-readiness-checklist/2: no record for zh-hans",
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({}, None),
        ({"reviewer": ""}, "review 1 lacks reviewer"),
        ({"organization": ""}, "review 1 lacks organization"),
        ({"date": "last spring"}, "review 1 has no date of the form YYYY-MM-DD"),
        ({"date": "2999-01-01"}, "review 1 is dated in the future"),
        ({"works_with_sex_workers": False}, "marked reviewed without a complete review record"),
        ({"scope": ["items", "scale labels"]}, "marked reviewed without a complete review record"),
    ],
)
def test_a_reviewed_mark_is_refused_without_a_complete_record(change, problem):
    data = json.loads(reviews.REVIEWS_PATH.read_text())
    data["questionnaires"]["ally-readiness/2"]["fr"] = {
        "status": "reviewed",
        "drafted_by": "the project's developers",
        "reviews": [{**COMPLETE_QUESTIONNAIRE_REVIEW, **change}],
    }
    found = reviews.review_problems(data, languages=LANGUAGES, questionnaires=QUESTIONNAIRES)
    if problem is None:
        assert found == []
    else:
        assert len(found) >= 1 and all(line.startswith("questionnaire ally-readiness/2 fr: ") for line in found)
        assert any(problem in line for line in found)


def test_a_reviewed_mark_with_no_review_at_all_is_refused():
    data = json.loads(reviews.REVIEWS_PATH.read_text())
    data["interface"]["zh-hans"]["status"] = "reviewed"
    (problem,) = reviews.review_problems(data, languages=LANGUAGES, questionnaires=QUESTIONNAIRES)
    assert problem.startswith("interface zh-hans: marked reviewed without a complete review record")


def test_the_language_switcher_says_which_translations_are_drafts(client, records):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("account_login")).content.decode()
    assert DRAFT_NOTE["fr"] in page
    assert ">Français (traduction provisoire)</option>" in page and ">简体中文（译文初稿）</option>" in page
    assert '<option value="en" lang="en">English</option>' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert DRAFT_NOTE["fr"] not in client.get(reverse("account_login")).content.decode()
    # Once a complete review is recorded, French is no longer called a draft.
    records["interface"]["fr"] = {
        "status": "reviewed",
        "drafted_by": "the project's developers",
        "reviews": [{**COMPLETE_QUESTIONNAIRE_REVIEW, "scope": reviews.REQUIRED_SCOPE["interface"]}],
    }
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("account_login")).content.decode()
    assert DRAFT_NOTE["fr"] not in page and ">Français</option>" in page and "简体中文（译文初稿）" in page


@pytest.mark.parametrize("language", ["en", "fr", "zh-hans"])
def test_leads_see_the_draft_languages_of_each_form_when_they_start_an_audit(client, lead, records, language):
    for path in (STAFF_2_PATH, CHECKLIST_2_PATH):
        questionnaire_load(data=read_instrument_file(path))
    login(client, lead.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("assessment:cycle_create", args=[lead.organization.slug])).content.decode()
    section = page[page.index('id="questionnaire-languages"') :]
    drafts = {
        "en": ["Français: draft translation, not yet reviewed by native speakers who work with sex workers"],
        "fr": ["Français\u00a0: traduction provisoire", "简体中文\u00a0: traduction provisoire"],
        "zh-hans": ["Français：译文初稿", "简体中文：译文初稿"],
    }[language]
    for draft in drafts:
        assert section.count(draft) == 2, draft  # the staff survey and the leadership checklist
    # A complete review of the French staff survey: only the checklist's French is still a draft.
    records["questionnaires"]["ally-readiness/2"]["fr"] = {
        "status": "reviewed",
        "drafted_by": "the project's developers",
        "reviews": [COMPLETE_QUESTIONNAIRE_REVIEW],
    }
    page = client.get(reverse("assessment:cycle_create", args=[lead.organization.slug])).content.decode()
    section = page[page.index('id="questionnaire-languages"') :]
    assert section.count(drafts[0]) == 1


def test_the_benchmark_page_says_which_languages_the_members_questionnaires_offered(client, network):  # noqa: F811
    snapshot = coalition_services.snapshot_publish(coalition=network["coalition"], period=YEAR, by=network["steward"])
    login(client, network["admins"][0].user)
    url = reverse("coalitions:benchmark", args=[network["coalition"].slug, snapshot.period])
    page = client.get(url).content.decode()
    section = page[page.index('id="benchmark-languages"') :]
    # The members answered version 1, which is English only.
    assert re.findall(r'<li data-language="([\w-]+)">', section) == ["en"]
    assert "questionnaires of members' audits that year offered these languages" in section.replace("&#x27;", "'")
    # One member's survey that year used version 2, worded in French and Chinese too.
    organization, admin = network["organizations"][1], network["admins"][1]
    questionnaire, _ = questionnaire_load(data=read_instrument_file(STAFF_2_PATH))
    cycle = cycle_create(
        organization=organization,
        by=admin.user,
        questionnaire=questionnaire,
        label="Later survey",
        mode=Cycle.Mode.STAFF,
        opens_on=f"{YEAR}-09-01",
    )
    cycle_close(cycle=cycle, by=admin.user, on=f"{YEAR}-10-01")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(url).content.decode()
    section = page[page.index('id="benchmark-languages"') :]
    assert re.findall(r'<li data-language="([\w-]+)">', section) == ["en", "fr", "zh-hans"]
    assert "Français：译文初稿" in section and "简体中文：译文初稿" in section
    assert organization.name not in section
