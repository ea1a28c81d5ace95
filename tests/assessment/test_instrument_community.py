"""Version 1 of the community feedback form, against docs/INSTRUMENT.md "Community feedback form": a
short, plain form for the people a service served, on what they experienced, in every language,
in our own words, with no stigmatizing word, and recorded as a draft until sex worker groups review it."""

import json
import re
from pathlib import Path

import textstat

from assessment.instrument_file import read_instrument_file, shipped_instrument_files
from tests.seed import copied_runs
from tests.test_termbase import _violations

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "fixtures" / "questionnaires"
COMMUNITY_PATH = QUESTIONNAIRES / "community-feedback-1.json"
RAW = json.loads(COMMUNITY_PATH.read_text())
COMMUNITY = read_instrument_file(COMMUNITY_PATH)
STAFF_3 = read_instrument_file(QUESTIONNAIRES / "ally-readiness-3.json")
LANGUAGES = ["en", "fr", "zh-hans"]
WORDED = ("text", "short", "help", "recommendation")
# Each experience the form asks about, with the item that asks it and the practice it shows.
EXPERIENCES = {
    "asked before the police were contacted": ("asked-before-police", "P5"),
    "asked before immigration was contacted": ("asked-before-immigration", "P5"),
    "asked before another service was contacted": ("asked-before-other-service", "P6"),
    "told what is written down about them": ("told-what-is-written", "P9"),
    "told who can see it": ("told-who-can-see", "P9"),
    "told the limits of confidentiality before sharing": ("told-limits-first", "P9"),
    "served without having to say their immigration status": ("served-without-status", "P10"),
    "served without having to say what work they do": ("served-without-work", "P10"),
    "treated with respect, not judged": ("treated-with-respect", "P12"),
    "staff used their own words for their work": ("own-words-used", "P16"),
    "offered choices, not pushed": ("offered-choices", "P18"),
    "told about their rights": ("told-about-rights", "P25"),
    "told about groups run by sex workers": ("told-about-sex-worker-groups", "P15"),
    "feels safe to come back": ("safe-to-come-back", "P11"),
}
# English words the termbase's approved terms replace ("sex work", "sex workers", "migrant").
ENGLISH_BANNED = re.compile(r"prostitut|\billegal|\bhooker|\bwhore|\bsex trade\b|\bsex industry\b", re.I)
# What would ask who the person is, which the form never does.
ABOUT_THE_PERSON = re.compile(
    r"\bare you\b|\bhow old\b|\bwhere are you from\b|\byour (age|gender|country|name|nationality)\b"
    r"|\bwhat is your\b|\bdo you (do|sell)\b",
    re.I,
)


def test_the_file_is_version_1_of_the_community_form():
    assert (COMMUNITY["slug"], COMMUNITY["version"], COMMUNITY["form"]) == ("community-feedback", 1, "community")
    assert [d["key"] for d in COMMUNITY["dimensions"]] == [d["key"] for d in STAFF_3["dimensions"]]


def test_it_loads_with_the_shipped_files():
    shipped = {(d["slug"], d["version"]): d for d in shipped_instrument_files(QUESTIONNAIRES)}
    assert shipped[("community-feedback", 1)]["form"] == "community"


def test_the_form_is_short_and_covers_every_dimension():
    assert 10 <= len(COMMUNITY["items"]) <= 14
    for dimension in COMMUNITY["dimensions"]:
        assert any(i["dimension"] == dimension["key"] for i in COMMUNITY["items"]), dimension["key"]


def test_every_question_is_at_grade_6_or_below():
    grades = {i["key"]: textstat.flesch_kincaid_grade(i["text"]) for i in COMMUNITY["items"]}
    assert max(grades.values()) <= 6, {k: g for k, g in grades.items() if g > 6}
    assert sum(len(i["text"].split()) for i in COMMUNITY["items"]) <= 250


def test_each_experience_has_a_question_showing_its_practice():
    by_key = {i["key"]: i for i in COMMUNITY["items"]}
    for experience, (key, practice) in EXPERIENCES.items():
        assert key in by_key, experience
        assert practice in by_key[key]["practices"], experience
    assert {p for i in COMMUNITY["items"] for p in i["practices"]} >= {p for _k, p in EXPERIENCES.values()}


def test_every_question_is_yes_partly_no_with_yes_the_good_answer_and_none_critical():
    for item in COMMUNITY["items"]:
        assert item["scale"] == "yes_partly_no", item["key"]
        assert not item["reverse"] and not item["critical"], item["key"]
        assert item["text"].endswith("?"), item["key"]
        assert item["sources"] and item["practices"], item["key"]


def test_not_applicable_is_offered_where_the_situation_may_not_have_arisen_and_said_when():
    offered = {i["key"] for i in COMMUNITY["items"] if i["allow_na"]}
    assert {"asked-before-police", "asked-before-immigration", "asked-before-other-service"} <= offered
    # Everyone can answer these: "Not applicable" on them would say who the person is, or nothing.
    assert not offered & {"served-without-status", "served-without-work", "told-about-sex-worker-groups"}
    for item in COMMUNITY["items"]:
        assert ("Not applicable" in item["help"]) == item["allow_na"], item["key"]


def test_no_question_asks_who_the_person_is():
    for item in COMMUNITY["items"]:
        assert not ABOUT_THE_PERSON.search(item["text"]), item["key"]


def test_every_worded_field_is_in_every_language():
    assert RAW["languages"] == LANGUAGES
    for part in (RAW, *RAW["dimensions"]):
        for field in ("title", "name", "description"):
            if field in part:
                assert sorted(part[field]) == LANGUAGES and all(v.strip() for v in part[field].values()), field
    for item in RAW["items"]:
        for field in WORDED:
            assert sorted(item[field]) == LANGUAGES, (item["key"], field)
            assert all(v.strip() for v in item[field].values()), (item["key"], field)
        assert all(0 < len(short) <= 40 for short in item["short"].values()), item["key"]


def test_the_form_is_in_our_own_words():
    for item in COMMUNITY["items"]:
        for field in WORDED:
            assert not copied_runs(item.get(field, "")), f"{item['key']}.{field} copies the seed"
    for part in (COMMUNITY, *COMMUNITY["dimensions"]):
        assert not copied_runs(part.get("description", ""))


def _strings(language: str) -> list[tuple[str, str, str]]:
    """Return (where, English, wording in the language) for every worded field of the file."""
    parts = [("the form", RAW), *((d["key"], d) for d in RAW["dimensions"]), *((i["key"], i) for i in RAW["items"])]
    return [
        (f"{where}.{field}", part[field]["en"], part[field][language])
        for where, part in parts
        for field in ("title", "description", "name", *WORDED)
        if isinstance(part.get(field), dict)
    ]


def test_no_word_the_termbase_bans_in_any_language():
    for language in ("fr", "zh-hans"):
        assert not _violations(language, _strings(language))
    assert not [where for where, english, _same in _strings("en") if ENGLISH_BANNED.search(english)]


def test_the_form_is_recorded_as_a_draft_until_reviewed_with_sex_worker_groups():
    records = json.loads((ROOT / "locale" / "reviews.json").read_text())["questionnaires"]["community-feedback/1"]
    assert sorted(records) == LANGUAGES
    assert all(record["status"] == "draft" and record["reviews"] == [] for record in records.values())
    assert "draft until it is reviewed with sex worker groups" in records["en"]["awaits"]


def test_the_items_table_of_the_guide_matches_the_file():
    doc = (ROOT / "docs" / "INSTRUMENT.md").read_text()
    section = doc[doc.index("### Community feedback items") : doc.index("## Reading level")]
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| [^|]+ \| ([^|]+) \| ([^|]+) \| [^|]* \| ([-\d.]+) \|$", section, re.M)
    assert [key for key, *_rest in rows] == [i["key"] for i in COMMUNITY["items"]]
    for (key, practices, sources, grade), item in zip(rows, COMMUNITY["items"], strict=True):
        assert practices.strip() == ", ".join(item["practices"]), key
        assert sources.strip() == ", ".join(item["sources"]), key
        assert float(grade) == round(textstat.flesch_kincaid_grade(item["text"]), 1), key
