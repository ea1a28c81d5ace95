"""The form a survey page posts: what it accepts, what it refuses, and how version 3 labels its answers."""

import pytest
from django.http import QueryDict

from assessment.forms import PageAnswersForm
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import (
    INVALID_ROLE_GROUP_MESSAGE,
    INVALID_VALUE_MESSAGE,
    NOTES_NOT_ALLOWED_MESSAGE,
    UNKNOWN_ITEM_MESSAGE,
)


def _item(key, scale, max_value, **fields):
    return {
        "key": key,
        "dimension": "consent",
        "text": f"{key} text",
        "scale": scale,
        "max_value": max_value,
        "sources": ["Q9"],
        "recommendation": "Write it down.",
        **fields,
    }


def _load(form, version, *items):
    data = {
        "slug": f"form-{form}",
        "version": version,
        "title": "Test",
        "form": form,
        "dimensions": [{"key": "consent", "name": "Consent"}],
        "items": list(items),
    }
    questionnaire = questionnaire_load(data=data)[0]
    return questionnaire, list(questionnaire.items.order_by("order"))


@pytest.fixture
def staff_3(db):
    return _load(
        "staff",
        3,
        _item("seen-broken", "breaks", 2, reverse=True, critical=True, allow_na=True),
        _item("asks-first", "frequency", 4),
    )


@pytest.fixture
def checklist_3(db):
    return _load(
        "checklist",
        3,
        _item("rule", "maturity", 3, levels=["a", "b", "c", "d"], evidence_prompt="Which policy?", allow_na=True),
        _item("rule-breaks", "breaks", 2, reverse=True, critical=True),
    )


def _form(questionnaire, items, posted, **options):
    return PageAnswersForm(questionnaire, items[:1], other_items=items[1:], data=QueryDict(posted), **options)


def _labels(row):
    return [label for _value, label in row.points], [str(label) for _value, label in row.others]


def test_a_page_keeps_only_what_it_posted(staff_3):
    form = _form(*staff_3, "answer-seen-broken=na")
    assert form.is_valid(), form.errors
    assert form.answers == {"seen-broken": "na"}
    assert form.notes == {} and form.role_group is None


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("answer-seen-broken=3", INVALID_VALUE_MESSAGE),
        ("answer-asks-first=na", INVALID_VALUE_MESSAGE),
        ("answer-favourite-colour=2", UNKNOWN_ITEM_MESSAGE),
        ("note-seen-broken=My+name", NOTES_NOT_ALLOWED_MESSAGE),
        ("role_group=ceo", INVALID_ROLE_GROUP_MESSAGE),
    ],
)
def test_bad_input_is_refused_with_its_message_and_shown_again(staff_3, posted, message):
    form = _form(*staff_3, f"answer-seen-broken=1&{posted}", role_groups=True)
    assert not form.is_valid()
    assert form.first_error == str(message)
    assert form.rows[0].chosen == QueryDict(posted).get("answer-seen-broken", "1")


def test_a_staff_survey_breaks_item_offers_not_applicable_for_work_with_clients(staff_3):
    row = PageAnswersForm(*staff_3).rows[0]
    assert _labels(row) == (
        ["Never", "Once", "More than once"],
        ["Don't know", "Not applicable (I don't work with clients)"],
    )
    assert row.is_breaks and not row.note_name


def test_a_checklist_entry_needs_evidence_at_levels_2_and_3(checklist_3):
    entry, records = PageAnswersForm(*checklist_3, with_notes=True).rows
    assert entry.needs_evidence and entry.note_label == "Evidence: Which policy?"
    assert _labels(entry)[1] == ["Don't know", "Not applicable"]
    assert not records.needs_evidence
    assert _labels(records)[1] == ["We do not record this"]


def test_version_2_checklists_keep_their_optional_evidence(db):
    questionnaire, items = _load(
        "checklist", 2, _item("rule", "maturity", 3, levels=["a", "b", "c", "d"], evidence_prompt="Which policy?")
    )
    (row,) = PageAnswersForm(questionnaire, items, with_notes=True).rows
    assert not row.needs_evidence and row.note_label == "Evidence (optional): Which policy?"
