"""Version 3 of the staff survey, against DESIGN §4 "Version 3": critical rules asked as breaks seen
in the past 12 months, stems that fit their scale, complete coverage, and keys that keep their meaning."""

import json
import re
from pathlib import Path

import textstat

from assessment.instrument_file import read_crosswalk, read_instrument_file, shipped_instrument_files
from tests.seed import copied_runs

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "fixtures" / "questionnaires"
# The seed guidance sits in a "shared" folder beside the checkout, or beside the folder of checkouts.
STAFF_3_PATH = QUESTIONNAIRES / "ally-readiness-3.json"
RAW = json.loads(STAFF_3_PATH.read_text())
STAFF = read_instrument_file(STAFF_3_PATH)
STAFF_2 = read_instrument_file(QUESTIONNAIRES / "ally-readiness-2.json")
PRACTICES = [f"P{n}" for n in range(1, 27)]
CRITICAL_PRACTICES = {"P5", "P6", "P9", "P10"}
LANGUAGES = ["en", "fr", "zh-hans"]
WORDED = ("text", "short", "help", "recommendation")
# Items that are not about work with clients: what the respondent knows, was trained in, heard
# from coworkers, sees on the walls or was asked to do. Every other item offers "Not applicable".
NOT_CLIENT_WORK = {
    "training-diverse-lives",
    "know-immigration-law",
    "know-criminal-law",
    "know-municipal-law",
    "know-labour-law",
    "risks-known",
    "heard-jokes",
    "reflects-on-views",
    "visible-support",
    "training-by-sex-workers",
    "asked-to-join-raid",
    "asked-to-count-victims",
    "sex-workers-advised",
}
# The words of the legal exception a critical item names instead of denying it.
EXCEPTION = "except when a court order or the law requires it, and the person was told"
# Version 1 → 2 reused these keys for changed questions: they are never laid side by side.
CHANGED_IN_VERSION_2 = {
    "police-contact-consent",
    "limits-explained-first",
    "serve-without-status-disclosure",
    "status-asked-upfront",
    "consequences-discussed",
    "all-options-explored",
    "file-access-limited",
}
# Phrases that join words with "and" or "or" but name one thing; reviewed by hand.
ONE_THING = [
    "racialized, Black, trans, non-binary or undocumented",
    "a court order or the law",
    ", and the person was told",
]


def _items(scale: str | None = None) -> list[dict]:
    return [i for i in STAFF["items"] if scale is None or i["scale"] == scale]


def test_the_file_is_version_3_of_the_staff_survey():
    assert (STAFF["slug"], STAFF["version"], STAFF["form"]) == ("ally-readiness", 3, "staff")
    assert [d["key"] for d in STAFF["dimensions"]] == ["consent", "confidentiality", "non_judgment"]


def test_every_practice_has_an_item():
    for practice in PRACTICES:
        assert any(practice in i["practices"] for i in STAFF["items"]), practice


def test_critical_practices_are_asked_as_breaks_seen_in_the_past_12_months():
    for practice in CRITICAL_PRACTICES:
        assert any(i["critical"] for i in STAFF["items"] if practice in i["practices"]), practice
    for item in STAFF["items"]:
        if item["critical"]:
            assert item["scale"] == "breaks" and item["reverse"] and item["allow_na"], item["key"]
            assert "In the past 12 months" in item["text"], item["key"]
            assert item["text"].endswith("how often did you see this rule broken here?"), item["key"]
    for item in _items("breaks"):
        assert item["reverse"] and "In the past 12 months" in item["text"], item["key"]


def test_critical_contact_items_name_the_legal_exception():
    for item in STAFF["items"]:
        if item["critical"] and {"P5", "P6", "P8", "P22"} & set(item["practices"]):
            assert EXCEPTION in item["text"], item["key"]
    police = [i for i in STAFF["items"] if i["critical"] and "police" in i["text"]]
    assert police and all("court order" in i["text"] for i in police)


def test_every_item_about_work_with_clients_offers_not_applicable():
    keys = {i["key"] for i in STAFF["items"]}
    assert keys >= NOT_CLIENT_WORK, NOT_CLIENT_WORK - keys
    for item in STAFF["items"]:
        if item["key"] not in NOT_CLIENT_WORK:
            assert item["allow_na"], item["key"]
        if item["allow_na"]:
            assert "Not applicable" in item["help"], item["key"]


def test_stems_fit_their_scale():
    for item in STAFF["items"]:
        text = item["text"]
        assert not re.search(r"\bI (have )?(seen|heard)\b|\bI saw\b", text), item["key"]
        if item["scale"] == "frequency":
            # A "can" stem ("People can get help…") says what is possible, not how often it happens.
            clauses = re.split(r"[,.?:] ", text)
            assert not any(re.match(r"^(?:[\w']+ ){1,3}can\b", c, re.I) for c in clauses), item["key"]
            assert "how often" in text.lower() or item["key"] in REUSED_FREQUENCY_STATEMENTS, item["key"]
        if item["scale"] == "agreement":
            assert text.startswith("I "), item["key"]


# Frequency items kept word for word from version 2, written as statements of what we do.
REUSED_FREQUENCY_STATEMENTS = {
    "disclosure-needs-consent",
    "consequences-discussed",
    "person-explains-situation",
    "choice-respected",
    "steers-to-own-choice",
    "police-support-if-chosen",
    "status-asked-upfront",
    "asks-if-sex-worker",
    "open-questions",
    "focus-on-request",
    "interpreter-offered",
    "own-terms-respected",
    "trafficking-assumed",
    "sex-work-as-work",
}


def test_each_item_asks_one_thing():
    for item in STAFF["items"]:
        text = item["text"]
        for phrase in ONE_THING:
            text = text.replace(phrase, "")
        assert not re.search(r"\b(and|or)\b", text), item["key"]


def test_reverse_practice_items_exist_without_double_negatives():
    reverse = [i for i in STAFF["items"] if i["reverse"] and i["scale"] != "breaks"]
    assert len(reverse) >= 5
    for item in reverse:
        assert not re.search(r"\b(not|never|no|without)\b", item["text"], re.I), item["key"]


def test_no_help_text_cues_the_answer():
    for item in STAFF["items"]:
        assert not re.search(r"warning|should|good|bad|right answer|best", item["help"], re.I), item["key"]


def test_dimensions_are_balanced_and_breaks_are_at_most_a_third_of_each():
    for dimension in STAFF["dimensions"]:
        items = [i for i in STAFF["items"] if i["dimension"] == dimension["key"]]
        breaks = [i for i in items if i["scale"] == "breaks"]
        assert len(items) >= 12, dimension["key"]
        assert len(breaks) <= len(items) / 3, dimension["key"]
    assert 45 <= len(STAFF["items"]) <= 55


def test_items_are_plain_language():
    grades = {i["key"]: textstat.flesch_kincaid_grade(i["text"]) for i in STAFF["items"]}
    assert sum(grades.values()) / len(grades) <= 8, grades
    assert max(grades.values()) <= 10, {k: g for k, g in grades.items() if g > 10}


def test_every_worded_field_is_in_every_language():
    assert RAW["languages"] == LANGUAGES
    for part in (RAW, *RAW["dimensions"]):
        for field in ("title", "name", "description"):
            if field in part:
                assert sorted(part[field]) == sorted(LANGUAGES) and all(part[field].values()), field
    for item in RAW["items"]:
        for field in ("text", "short", "recommendation"):
            assert sorted(item[field]) == sorted(LANGUAGES), (item["key"], field)
            assert all(v.strip() for v in item[field].values()), (item["key"], field)
        assert item["help"] == "" or (sorted(item["help"]) == sorted(LANGUAGES) and all(item["help"].values()))
        assert all(0 < len(short) <= 40 for short in item["short"].values()), item["key"]
        assert item["sources"] and item["practices"], item["key"]


def test_version_3_is_in_our_own_words():
    for item in STAFF["items"]:
        for field in ("text", "help", "recommendation"):
            assert not copied_runs(item.get(field, "")), f"{item['key']}.{field} copies the seed"


def test_a_reused_key_keeps_its_english_text_scale_and_direction():
    before = {i["key"]: i for i in STAFF_2["items"]}
    reused = [i for i in STAFF["items"] if i["key"] in before]
    assert reused
    for item in reused:
        old = before[item["key"]]
        same = (item["text"], item["scale"], item["reverse"]) == (old["text"], old["scale"], old["reverse"])
        assert same, item["key"]


def test_version_2_items_the_review_dropped_are_gone():
    keys = {i["key"] for i in STAFF["items"]}
    dropped = {
        "story-passed-on",
        "jokes-about-sex-workers",
        "victim-label-imposed",
        "serve-without-status-disclosure",
        "serve-without-work-disclosure",
        "private-room",
        "status-kept-out-of-files",
        "minimal-intake",
        "vetted-referrals",
        "same-respect",
        "funding-requires-victims",
        "pays-sex-workers",
        "file-access-limited",
        "speaks-against-harmful-policy",
        "added-risks-known",
        "all-options-explored",
        "rights-information",
    }
    assert not keys & dropped, keys & dropped


CROSSWALK = read_crosswalk(QUESTIONNAIRES / "crosswalk.json", shipped_instrument_files(QUESTIONNAIRES))


def test_the_seven_keys_changed_in_version_2_are_not_in_the_crosswalk_from_1_to_2():
    ones = [p for p in CROSSWALK if p["from"][0] == 1]
    assert ones
    assert not {p["from"][1] for p in ones} & CHANGED_IN_VERSION_2
    assert not {p["to"][1] for p in ones} & CHANGED_IN_VERSION_2


def test_crosswalk_pairs_of_the_staff_survey_mean_the_same():
    staff = {v: read_instrument_file(QUESTIONNAIRES / f"ally-readiness-{v}.json") for v in (1, 2, 3)}
    by_key = {v: {i["key"]: i for i in data["items"]} for v, data in staff.items()}
    staff_pairs = [p for p in CROSSWALK if p["from"][1] in by_key[p["from"][0]] and p["to"][1] in by_key[p["to"][0]]]
    assert {p["to"][0] for p in staff_pairs} == {2, 3}
    for pair in staff_pairs:
        old, new = by_key[pair["from"][0]][pair["from"][1]], by_key[pair["to"][0]][pair["to"][1]]
        assert (old["scale"], old["reverse"]) == (new["scale"], new["reverse"]), pair
        assert pair["note"].strip().endswith("."), pair
    twos = {p["from"][1] for p in staff_pairs if p["from"][0] == 2}
    assert twos == set(by_key[2]) & set(by_key[3])


def test_the_coverage_table_for_version_3_matches_the_file():
    doc = (ROOT / "docs" / "INSTRUMENT.md").read_text()
    section = doc[doc.index("### Version 3 coverage") : doc.index("### Version 2 → 3, item by item")]
    for practice in PRACTICES:
        row = re.search(rf"^\| {practice} \|.*\| (.+) \|$", section, re.M)
        assert row, f"{practice} has no version 3 row"
        keys = [i["key"] for i in STAFF["items"] if practice in i["practices"]]
        assert re.findall(r"`([^`]+)`", row.group(1)) == keys, practice
    changes = doc[doc.index("### Version 2 → 3, item by item") :]
    for item in STAFF_2["items"]:
        assert f"| `{item['key']}` |" in changes, item["key"]
