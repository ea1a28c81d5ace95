"""Version 3 of the leadership checklist: one practice per entry, levels that refine the generic
maturity scale, who checks and how often, evidence prompts, and records-based breaks for the
critical rules."""

import copy
import json
import re
from pathlib import Path

import pytest
import textstat

from assessment.demo import CHECKLIST_2_PATH
from assessment.instrument_file import SHORT_MAX, WORDED, check_instrument, read_instrument_file
from tests.seed import copied_runs

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "fixtures" / "questionnaires" / "ally-readiness-checklist-3.json"
# The file names the staff form whose items leadership answers as they believe staff would; the
# loader copies those items in. The check below is of the file's own entries, so that field is
# set aside before the loader's check.
RAW = json.loads(PATH.read_text(encoding="utf-8"))
CHECKLIST = check_instrument({k: v for k, v in copy.deepcopy(RAW).items() if k != "staff_view_of"})
VERSION_2 = read_instrument_file(CHECKLIST_2_PATH)
LANGUAGES = ["en", "fr", "zh-hans"]
PRACTICES = [f"P{n}" for n in range(1, 27)]
CRITICAL_PRACTICES = {"P5", "P6", "P9", "P10"}
MATURITY = [e for e in CHECKLIST["items"] if e["scale"] == "maturity"]
BREAKS = [e for e in CHECKLIST["items"] if e["scale"] == "breaks"]
# Phrases that hold "and" or "or" but name one thing; reviewed by hand (docs/INSTRUMENT.md):
# one group of workers at added risk, the legal exceptions to a rule, one fear of enforcement.
ONE_THING = [
    "racialized, Black, trans, non-binary and undocumented",
    "a court order or a law",
    "arrest or deportation",
]
WHO_CHECKS = re.compile(r"\b(manager|supervisor|board|records lead|training lead) checks\b")
HOW_OFTEN = re.compile(r"\bevery (\d+ months|month|year)\b")


def bundles(text: str) -> bool:
    """Whether a text joins two things with "and" or "or", once the reviewed phrases are set aside."""
    for phrase in ONE_THING:
        text = text.replace(phrase, "")
    return bool(re.search(r"\b(and|or)\b", text, re.I))


def says_who_checks_how_often(level: str) -> bool:
    return bool(WHO_CHECKS.search(level) and HOW_OFTEN.search(level))


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def test_the_file_names_the_staff_form_leadership_answers_for():
    assert RAW["staff_view_of"] == "ally-readiness"
    assert (RAW["slug"], RAW["version"], RAW["form"]) == ("ally-readiness-checklist", 3, "checklist")
    assert RAW["languages"] == LANGUAGES
    # Leadership's view of staff items is copied in by the loader, never written here.
    assert not any(e.get("staff_view") for e in CHECKLIST["items"])


def test_every_practice_is_covered_and_each_maturity_entry_measures_one():
    for entry in MATURITY:
        assert len(entry["practices"]) == 1, entry["key"]
    covered = {p for e in MATURITY for p in e["practices"]}
    assert covered == set(PRACTICES), set(PRACTICES) ^ covered


def test_each_entry_asks_one_thing():
    found = [e["key"] for e in CHECKLIST["items"] if bundles(e["text"])]
    assert not found, found


@pytest.mark.parametrize(
    ("text", "bundled"),
    [
        ("Staff explain what is collected and why.", True),
        ("People get rights information or a referral.", True),
        ("Staff learn the risks for racialized, Black, trans, non-binary and undocumented workers.", False),
        ("Staff use open-ended questions at intake.", False),
    ],
)
def test_the_bundle_check_catches_and_or(text, bundled):
    assert bundles(text) is bundled


def test_every_maturity_entry_has_four_levels_that_refine_the_generic_scale():
    for entry in MATURITY:
        levels = entry["levels"]
        assert len(levels) == 4, entry["key"]
        # 0 is absence, never a harmful practice: harm is asked as a break.
        assert levels[0].startswith("Not in place: no "), entry["key"]
        assert "Some staff" in levels[1] and "informally" in levels[1], entry["key"]
        assert levels[2].startswith("Written down and known to all staff: "), entry["key"]
        assert levels[3].startswith("Written and trained; "), entry["key"]
        for code in ("fr", "zh-hans"):
            assert len(entry["translations"][code]["levels"]) == 4, (entry["key"], code)


def test_level_3_names_who_checks_and_how_often():
    missing = [e["key"] for e in MATURITY if not says_who_checks_how_often(e["levels"][3])]
    assert not missing, missing


@pytest.mark.parametrize(
    ("level", "passes"),
    [
        ("Written and trained; a manager checks the log every 6 months.", True),
        ("Written and trained; the board checks our statements every year.", True),
        ("Written and trained; each case is checked.", False),
        ("Written and trained; a manager checks the log.", False),
        ("Written and trained; checked every year.", False),
    ],
)
def test_the_who_and_how_often_check_can_fail(level, passes):
    assert says_who_checks_how_often(level) is passes


def test_every_critical_practice_has_a_records_based_breaks_companion():
    for practice in CRITICAL_PRACTICES:
        companions = [e for e in BREAKS if practice in e["practices"]]
        assert companions, practice
        assert any(practice in e["practices"] for e in MATURITY), practice
        for entry in companions:
            assert "12 months" in entry["text"] and "records" in entry["text"], entry["key"]
            assert "how often was this rule broken?" in entry["text"], entry["key"]
            assert entry["reverse"] is True and entry["critical"] is True, entry["key"]
            assert entry["allow_na"] is False, entry["key"]
    assert {p for e in BREAKS for p in e["practices"]} == CRITICAL_PRACTICES
    assert {p for e in CHECKLIST["items"] if e["critical"] for p in e["practices"]} == CRITICAL_PRACTICES


def test_contact_breaks_name_the_legal_exceptions():
    for practice in ("P5", "P6"):
        (entry,) = [e for e in BREAKS if practice in e["practices"]]
        assert "court order" in entry["text"] and "if the person was told" in entry["text"], entry["key"]
    policy = [e for e in MATURITY if "P8" in e["practices"]]
    assert policy and all("legal cases" in e["text"] for e in policy)


def test_practices_that_may_not_apply_offer_not_applicable():
    na = {e["key"] for e in MATURITY if e["allow_na"]}
    # Files, funders, partners and premises: an organization may have none.
    for key in (
        "checklist-file-access-roles",
        "checklist-limits-who-sees-file",
        "checklist-status-out-of-files",
        "checklist-sex-work-out-of-files",
        "checklist-no-victim-quotas",
        "checklist-no-raid-duty",
    ):
        assert key in na, key


def test_plain_language():
    texts = {e["key"]: grade(e["text"]) for e in CHECKLIST["items"]}
    levels = {f"{e['key']}[{n}]": grade(level) for e in MATURITY for n, level in enumerate(e["levels"])}
    for grades in (texts, levels):
        assert max(grades.values()) <= 10, {k: g for k, g in grades.items() if g > 10}
        assert sum(grades.values()) / len(grades) <= 8


def test_every_worded_field_is_in_every_language():
    for entry in RAW["items"]:
        for field in WORDED["item"]:
            value = entry.get(field)
            if value in (None, "", []):
                continue
            assert isinstance(value, dict) and sorted(value) == sorted(LANGUAGES), (entry["key"], field)
            assert all(value[code] for code in LANGUAGES), (entry["key"], field)
        for field in ("text", "short", "recommendation", "evidence_prompt"):
            assert field in entry, (entry["key"], field)
        for code in LANGUAGES:
            assert 0 < len(entry["short"][code]) <= SHORT_MAX, (entry["key"], code)
    for part in (RAW, *RAW["dimensions"]):
        for field in ("title", "name", "description"):
            if field in part:
                assert sorted(part[field]) == sorted(LANGUAGES), field


def test_every_entry_has_sources_a_recommendation_and_an_evidence_prompt():
    for entry in CHECKLIST["items"]:
        assert entry["sources"] and entry["practices"] and entry["recommendation"], entry["key"]
        assert entry["evidence_prompt"].endswith("?"), entry["key"]
    for entry in MATURITY:
        assert re.match(r"^(Which|When) ", entry["evidence_prompt"]), entry["key"]


def test_keys_are_reused_only_for_unchanged_entries():
    keys = [e["key"] for e in CHECKLIST["items"]]
    assert len(keys) == len(set(keys))
    earlier = {e["key"]: e for e in VERSION_2["items"]}
    for entry in CHECKLIST["items"]:
        before = earlier.get(entry["key"])
        if before:
            same = (before["text"], before["scale"], before["reverse"], before.get("levels"))
            assert same == (entry["text"], entry["scale"], entry["reverse"], entry.get("levels")), entry["key"]


def test_version_3_checklist_is_in_our_own_words():
    for entry in CHECKLIST["items"]:
        fields = [entry.get(f, "") for f in ("text", "help", "recommendation", "evidence_prompt")]
        for text in [*fields, *entry.get("levels", [])]:
            assert not copied_runs(text, length=10), f"{entry['key']} copies the seed"


def test_the_version_3_checklist_table_matches_the_file():
    doc = (ROOT / "docs" / "INSTRUMENT.md").read_text()
    section = doc[doc.index("## Version 3: leadership checklist") :]
    for practice in PRACTICES:
        row = re.search(rf"^\| {practice} \| (.+) \| (.+) \|$", section, re.M)
        assert row, f"{practice} has no version 3 row"
        maturity = [e["key"] for e in MATURITY if practice in e["practices"]]
        breaks = [e["key"] for e in BREAKS if practice in e["practices"]]
        assert re.findall(r"`([^`]+)`", row.group(1)) == maturity, practice
        assert re.findall(r"`([^`]+)`", row.group(2)) == breaks, practice
