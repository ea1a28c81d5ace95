"""Version 2: a staff survey staff can answer honestly, and a leadership checklist, sharing practices."""

import json
import re
from pathlib import Path

import pytest
import textstat
from django.core.management import CommandError, call_command

from assessment.demo import CHECKLIST_2_PATH, STAFF_2_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Item, Questionnaire
from tests.seed import copied_runs

ROOT = Path(__file__).resolve().parents[2]
STAFF = read_instrument_file(STAFF_2_PATH)
CHECKLIST = read_instrument_file(CHECKLIST_2_PATH)
PRACTICES = [f"P{n}" for n in range(1, 27)]
CRITICAL_PRACTICES = {"P5", "P6", "P9", "P10", "P22"}
# Phrases that join words with "and" or "or" but name one thing; reviewed by hand.
ONE_THING = ["racialized, Black, trans, non-binary and undocumented"]


def test_every_practice_has_a_staff_item_and_exactly_one_checklist_entry():
    for practice in PRACTICES:
        assert any(practice in i["practices"] for i in STAFF["items"]), practice
        assert sum(practice in e["practices"] for e in CHECKLIST["items"]) == 1, practice


def test_critical_practices_stay_critical_in_both_forms():
    for practice in CRITICAL_PRACTICES:
        assert any(i["critical"] for i in STAFF["items"] if practice in i["practices"]), practice
        assert all(e["critical"] for e in CHECKLIST["items"] if practice in e["practices"]), practice
    assert {p for e in CHECKLIST["items"] if e["critical"] for p in e["practices"]} == CRITICAL_PRACTICES


def test_staff_items_are_plain_language():
    grades = {i["key"]: textstat.flesch_kincaid_grade(i["text"]) for i in STAFF["items"]}
    assert sum(grades.values()) / len(grades) <= 8, grades
    assert max(grades.values()) <= 10, {k: g for k, g in grades.items() if g > 10}


def test_each_staff_item_asks_one_thing():
    for item in STAFF["items"]:
        text = item["text"]
        for phrase in ONE_THING:
            text = text.replace(phrase, "")
        assert not re.search(r"\b(and|or)\b", text), item["key"]


def test_at_least_a_fifth_of_staff_items_are_reverse_keyed_without_double_negatives():
    reverse = [i for i in STAFF["items"] if i["reverse"]]
    assert len(reverse) / len(STAFF["items"]) >= 0.2
    for item in reverse:
        assert not re.search(r"\b(not|never|no|without)\b", item["text"], re.I), item["key"]


def test_no_help_text_cues_the_answer():
    for item in STAFF["items"]:
        assert not re.search(r"warning|should|good|bad|right answer", item["help"], re.I), item["key"]


def test_every_entry_has_a_short_title_and_checklist_levels():
    for item in [*STAFF["items"], *CHECKLIST["items"]]:
        assert 0 < len(item["short"]) <= 40, item["key"]
    for entry in CHECKLIST["items"]:
        assert entry["scale"] == "maturity" and len(entry["levels"]) == 4 and entry["evidence_prompt"]
    assert STAFF["form"] == "staff" and CHECKLIST["form"] == "checklist"


@pytest.mark.parametrize("data", [STAFF, CHECKLIST], ids=["staff", "checklist"])
def test_version_2_is_in_our_own_words(data):
    for item in data["items"]:
        for field in ("text", "help", "recommendation", "evidence_prompt"):
            assert not copied_runs(item.get(field, "")), f"{item['key']}.{field} copies the seed"


def test_both_files_load_reload_as_no_op_and_refuse_changes(db, tmp_path, capsys):
    for path in (STAFF_2_PATH, CHECKLIST_2_PATH):
        call_command("load_questionnaire", str(path))
        call_command("load_questionnaire", str(path))
        assert "already loaded; nothing changed" in capsys.readouterr().out
        changed = json.loads(path.read_text())
        changed["items"][0]["short"]["en"] = "Something else"
        other = tmp_path / path.name
        other.write_text(json.dumps(changed))
        with pytest.raises(CommandError, match="is published and cannot change"):
            call_command("load_questionnaire", str(other))
        # A corrected translation is not a change to what the version asks: it loads.
        corrected = json.loads(path.read_text())
        corrected["items"][0]["short"]["fr"] = "Titre corrigé"
        other.write_text(json.dumps(corrected))
        call_command("load_questionnaire", str(other))
        item = Item.objects.get(
            questionnaire__slug=corrected["slug"], questionnaire__version=2, key=corrected["items"][0]["key"]
        )
        assert (item.short, item.translations["fr"]["short"]) == (corrected["items"][0]["short"]["en"], "Titre corrigé")
    forms = dict(Questionnaire.objects.values_list("slug", "form"))
    assert forms == {"ally-readiness": "staff", "ally-readiness-checklist": "checklist"}


def test_checklist_answers_use_each_entrys_own_level_words(db):
    call_command("load_questionnaire", str(CHECKLIST_2_PATH))
    entry = Questionnaire.objects.get(form="checklist").items.get(key="checklist-police-consent")
    assert entry.max_value == 3
    assert entry.scale_labels[3].startswith("Written, trained and checked: ")


def test_the_coverage_table_for_version_2_matches_the_files():
    doc = (ROOT / "docs" / "INSTRUMENT.md").read_text()
    section = doc[doc.index("## Version 2 coverage") :]
    for practice in PRACTICES:
        row = re.search(rf"^\| {practice} \|.*\| (.+) \| (.+) \|$", section, re.M)
        assert row, f"{practice} has no version 2 row"
        staff_keys = [i["key"] for i in STAFF["items"] if practice in i["practices"]]
        checklist_keys = [e["key"] for e in CHECKLIST["items"] if practice in e["practices"]]
        assert re.findall(r"`([^`]+)`", row.group(1)) == staff_keys, practice
        assert re.findall(r"`([^`]+)`", row.group(2)) == checklist_keys, practice
