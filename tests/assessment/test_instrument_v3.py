"""Version 3 loading rules: same key, same meaning; leadership's view of the staff items."""

import copy
import json

import pytest

from assessment.instrument_file import InstrumentFileError, check_instrument, shipped_instrument_files
from assessment.models import Item, Questionnaire
from assessment.services.questionnaires import questionnaire_load

DIMENSIONS = [{"key": key, "name": key.title()} for key in ("consent", "confidentiality", "non_judgment")]


def _item(key, dimension="consent", **fields):
    return {
        "key": key,
        "dimension": dimension,
        "text": f"In the past 12 months, how often did you see {key} here?",
        "short": key,
        "scale": "frequency",
        "sources": ["Q10"],
        "recommendation": "Talk about it.",
        **fields,
    }


def _staff(version, items=None, slug="survey"):
    items = items or [_item("ask-first"), _item("closed-door", "confidentiality"), _item("no-label", "non_judgment")]
    return {
        "slug": slug,
        "version": version,
        "title": "Survey",
        "dimensions": copy.deepcopy(DIMENSIONS),
        "items": items,
    }


def _write(folder, data, crosswalk=None):
    (folder / f"{data['slug']}-{data['version']}.json").write_text(json.dumps(data))
    if crosswalk is not None:
        (folder / "crosswalk.json").write_text(json.dumps(crosswalk))


def _pair(key, note="A typo fixed."):
    return {"from": [2, key], "to": [3, key], "note": note}


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [("text", "How often did you ask first?", "text changed"), ("scale", "agreement", "scale changed"),
     ("reverse", True, "direction changed")],
)  # fmt: skip
def test_a_reused_key_for_a_changed_item_is_refused(tmp_path, field, value, said):
    _write(tmp_path, _staff(2))
    newer = _staff(3)
    newer["items"][0][field] = value
    newer["items"][1]["text"] = "Another question."
    _write(tmp_path, newer)
    with pytest.raises(InstrumentFileError, match="same key, same meaning") as refused:
        shipped_instrument_files(tmp_path)
    assert f"ask-first: {said}" in str(refused.value)
    assert "closed-door: text changed" in str(refused.value)  # every offending key is listed


def test_a_crosswalk_pair_says_the_meaning_is_unchanged(tmp_path):
    _write(tmp_path, _staff(2), crosswalk=[_pair("ask-first")])
    newer = _staff(3)
    newer["items"][0]["text"] = "In the past 12 months, how often did you see ask-first here? (fixed)"
    _write(tmp_path, newer)
    assert [d["version"] for d in shipped_instrument_files(tmp_path)] == [2, 3]


def test_an_unchanged_reused_key_is_accepted(tmp_path):
    _write(tmp_path, _staff(2))
    _write(tmp_path, _staff(3))
    assert len(shipped_instrument_files(tmp_path)) == 2


def test_version_2_may_reuse_keys_of_version_1_for_changed_items(tmp_path):
    _write(tmp_path, _staff(1))
    newer = _staff(2)
    newer["items"][0].update(text="Changed.", scale="agreement", reverse=True)
    _write(tmp_path, newer)
    assert len(shipped_instrument_files(tmp_path)) == 2


def test_loading_into_a_database_checks_the_version_held_there(db):
    questionnaire_load(data=check_instrument(_staff(2)), crosswalk=[])
    newer = _staff(3)
    newer["items"][0]["scale"] = "agreement"
    newer = check_instrument(newer)
    with pytest.raises(InstrumentFileError, match="ask-first: scale changed"):
        questionnaire_load(data=newer, crosswalk=[])
    assert not Questionnaire.objects.filter(version=3).exists()
    questionnaire_load(data=newer, crosswalk=[_pair("ask-first")])
    assert Questionnaire.objects.filter(version=3).exists()


def _checklist(version=3, items=None):
    entry = _item("checklist-ask-first", scale="maturity", levels=["a", "b", "c", "d"])
    return {
        "slug": "checklist",
        "version": version,
        "title": "Checklist",
        "form": "checklist",
        "staff_view_of": "survey",
        "dimensions": copy.deepcopy(DIMENSIONS),
        "items": items or [entry, {**entry, "key": "checklist-door", "dimension": "confidentiality"},
                           {**entry, "key": "checklist-label", "dimension": "non_judgment"}],
    }  # fmt: skip


def test_a_checklist_gets_copies_of_the_staff_items_that_are_not_critical(tmp_path):
    staff = _staff(3)
    staff["languages"] = ["en", "fr"]
    staff["items"].append(_item("seen-broken", scale="breaks", reverse=True, critical=True))
    for part in [staff, *staff["dimensions"], *staff["items"]]:
        for field in ("title", "name", "text", "short", "recommendation"):
            if field in part:
                part[field] = {"en": part[field], "fr": part[field] + " (fr)"}
    _write(tmp_path, staff)
    _write(tmp_path, _checklist())
    checklist = next(d for d in shipped_instrument_files(tmp_path) if d["slug"] == "checklist")
    copies = [item for item in checklist["items"] if item.get("staff_view")]
    assert [item["key"] for item in checklist["items"]][:3] == [
        "checklist-ask-first",
        "checklist-door",
        "checklist-label",
    ]
    assert [item["key"] for item in copies] == ["ask-first", "closed-door", "no-label"]
    assert copies[1]["dimension"] == "confidentiality" and copies[1]["critical"] is False
    assert copies[0]["text"].startswith("In the past 12 months") and copies[0]["translations"]["fr"]["text"].endswith(
        "(fr)"
    )


def test_a_checklist_without_a_staff_dimension_or_with_a_colliding_key_is_refused(tmp_path):
    _write(tmp_path, _staff(3))
    checklist = _checklist()
    checklist["items"][2]["dimension"] = "consent"
    checklist["dimensions"].pop()
    checklist["items"][0]["key"] = "ask-first"
    _write(tmp_path, checklist)
    with pytest.raises(InstrumentFileError) as refused:
        shipped_instrument_files(tmp_path)
    assert "staff item no-label: the checklist has no dimension non_judgment." in str(refused.value)
    assert "staff item ask-first: the checklist already has an item with that key." in str(refused.value)


def test_the_copies_load_as_leadership_view(db, tmp_path):
    _write(tmp_path, _staff(3))
    _write(tmp_path, _checklist())
    for data in shipped_instrument_files(tmp_path):
        questionnaire_load(data=data, crosswalk=[])
    checklist = Questionnaire.objects.get(slug="checklist")
    assert set(Item.objects.filter(questionnaire=checklist, staff_view=True).values_list("key", flat=True)) == {
        "ask-first", "closed-door", "no-label"
    }  # fmt: skip


def test_leadership_view_comes_last_on_a_page_of_its_own(db, tmp_path):
    from assessment.selectors import questionnaire_pages

    _write(tmp_path, _staff(3))
    _write(tmp_path, _checklist())
    for data in shipped_instrument_files(tmp_path):
        questionnaire_load(data=data, crosswalk=[])
    pages = questionnaire_pages(Questionnaire.objects.get(slug="checklist"))
    assert [[item.key for item in page.items] for page in pages] == [
        ["checklist-ask-first"], ["checklist-door"], ["checklist-label"], ["ask-first", "closed-door", "no-label"]
    ]  # fmt: skip
    assert [page.is_staff_view for page in pages] == [False, False, False, True]
    assert pages[-1].number == 4 and pages[-1].title == "How your staff would answer"
    assert pages[-1].dimension.description.startswith("Answer as you believe most of your staff would.")
    assert pages[0].title == "Consent"


def test_loading_one_checklist_file_copies_the_staff_items_beside_it(db, tmp_path):
    from django.core.management import call_command

    _write(tmp_path, _staff(3))
    _write(tmp_path, _checklist())
    call_command("load_questionnaire", str(tmp_path / "checklist-3.json"))
    assert Item.objects.filter(questionnaire__slug="checklist", staff_view=True).count() == 3
