import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from assessment.demo import CHECKLIST_2_PATH, INSTRUMENT_PATH, STAFF_2_PATH
from assessment.instrument_file import InstrumentFileError, check_instrument, read_instrument_file
from assessment.models import Item, Questionnaire
from tests.conftest import login
from tests.seed import copied_runs

ROOT = Path(__file__).resolve().parents[2]
DATA = read_instrument_file(INSTRUMENT_PATH)
ITEMS = DATA["items"]
PRACTICES = [f"P{n}" for n in range(1, 21)]
CRITICAL_KEYS = {
    "police-contact-consent",
    "provider-contact-consent",
    "limits-explained-first",
    "serve-without-status-disclosure",
}


def test_instrument_counts():
    assert len(ITEMS) >= 24
    for dimension in ("consent", "confidentiality", "non_judgment"):
        assert sum(1 for i in ITEMS if i["dimension"] == dimension) >= 7, dimension
    assert sum(1 for i in ITEMS if i["reverse"]) >= 2


def test_the_four_critical_practices_are_critical_items():
    assert {i["key"] for i in ITEMS if i["critical"]} == CRITICAL_KEYS
    by_key = {i["key"]: i for i in ITEMS}
    assert "P5" in by_key["police-contact-consent"]["practices"]
    assert "P6" in by_key["provider-contact-consent"]["practices"]
    assert "P9" in by_key["limits-explained-first"]["practices"]
    assert "P10" in by_key["serve-without-status-disclosure"]["practices"]


def test_every_item_has_a_recommendation_and_cites_seed_questions():
    for item in ITEMS:
        assert len(item["recommendation"]) > 40, item["key"]
        assert item["sources"] and all(re.fullmatch(r"Q([1-9]|10)", s) for s in item["sources"]), item["key"]


def test_every_practice_is_covered_and_documented():
    covered = {p for i in ITEMS for p in i["practices"]}
    assert covered >= set(PRACTICES)
    doc = (ROOT / "docs" / "INSTRUMENT.md").read_text()
    doc = doc[doc.index("## Version 1 coverage") :]
    for practice in PRACTICES:
        keys = [i["key"] for i in ITEMS if practice in i["practices"]]
        row = re.search(rf"^\| {practice} \|.*\| (.+) \|$", doc, re.M)
        assert row, f"{practice} has no row in docs/INSTRUMENT.md"
        assert re.findall(r"`([^`]+)`", row.group(1)) == keys, practice


def test_items_are_in_our_own_words():
    for item in ITEMS:
        for field in ("text", "help", "recommendation"):
            assert not copied_runs(item[field]), f"{item['key']}.{field} copies the seed"


def test_loaded_instrument_matches_the_file(questionnaire):
    assert questionnaire.is_published
    assert questionnaire.items.count() == len(ITEMS)
    item = questionnaire.items.get(key="police-contact-consent")
    assert (item.max_value, item.critical, item.sources) == (4, True, ["Q9", "Q10"])
    assert questionnaire.items.get(key="anonymous-option").max_value == 2


def test_load_questionnaire_is_idempotent(db, capsys):
    call_command("load_questionnaire", str(INSTRUMENT_PATH))
    call_command("load_questionnaire", str(INSTRUMENT_PATH))
    assert "already loaded; nothing changed" in capsys.readouterr().out
    assert Questionnaire.objects.count() == 1
    assert Item.objects.count() == len(ITEMS)


def test_changed_published_version_is_refused(db, tmp_path):
    call_command("load_questionnaire", str(INSTRUMENT_PATH))
    changed = json.loads(INSTRUMENT_PATH.read_text())
    changed["items"][0]["text"] = "Something else entirely."
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed))
    with pytest.raises(CommandError, match="is published and cannot change"):
        call_command("load_questionnaire", str(path))
    assert Item.objects.get(key=ITEMS[0]["key"]).text == ITEMS[0]["text"]


def test_invalid_file_is_refused_with_every_problem(db, tmp_path):
    broken = json.loads(INSTRUMENT_PATH.read_text())
    broken["items"][0]["scale"] = "stars"
    broken["items"][1]["sources"] = []
    broken["items"][2]["dimension"] = "kindness"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(CommandError) as error:
        call_command("load_questionnaire", str(path))
    message = str(error.value)
    assert "scale must be one of" in message
    assert "'sources' must list seed questions" in message
    assert "item " + broken["items"][2]["key"] + ": its dimension is not one defined in the file" in message
    assert not Questionnaire.objects.exists()


def _hostile(change):
    data = json.loads(INSTRUMENT_PATH.read_text())
    change(data)
    return data


HOSTILE_FILES = {
    "a dimension that is not an object": (lambda d: d["dimensions"].append("consent"), "must be a JSON object"),
    "an item that is not an object": (lambda d: d["items"].append(["x"]), "must be a JSON object"),
    "a list as an item's dimension": (
        lambda d: d["items"][0].update(dimension=["consent"]),
        "'dimension' must be text",
    ),
    "a huge version": (lambda d: d.update(version=2**70), "'version' must be between 1 and"),
    "an infinite weight": (lambda d: d["items"][0].update(weight=float("inf")), "Infinity is not a number"),
    "an enormous weight": (lambda d: d["items"][0].update(weight=1e300), "weight must be a positive number"),
    "a long slug with markup": (lambda d: d.update(slug="<b>" + "x" * 500), "'slug' must be at most 60"),
    "a 10,000-character title": (lambda d: d.update(title="t" * 10_000), "'title' must be at most 200"),
    "a NUL in item text": (
        lambda d: d["items"][0].update(text="No police\x00 contact"),
        "control characters are not allowed",
    ),
}


@pytest.mark.parametrize("case", HOSTILE_FILES, ids=list(HOSTILE_FILES))
def test_hostile_instrument_files_are_refused_with_a_message(db, tmp_path, case):
    change, message = HOSTILE_FILES[case]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(_hostile(change)))
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("load_questionnaire", str(path))
    assert not Questionnaire.objects.exists()


MALFORMED_FILES = {
    "a list for the questionnaire's translations": (
        lambda d: d.update(translations=["fr"]),
        "the questionnaire: 'translations' is not a field of an instrument file",
    ),
    "a list for an item's translations": (
        lambda d: d["items"][0].update(translations=["fr"]),
        "is not a field of an instrument file",
    ),
    "a string for max_value": (
        lambda d: d["items"][0].update(max_value="4"),
        "'max_value' is not a field of an instrument file",
    ),
    "a number for an item's text": (lambda d: d["items"][0].update(text=5), "'text' must be text"),
    "a number for the description": (
        lambda d: d.update(description=5),
        "the questionnaire: 'description' must be text",
    ),
    "a list for a dimension's description": (
        lambda d: d["dimensions"][0].update(description=["x"]),
        "'description' must be text",
    ),
    "a number for help": (lambda d: d["items"][1].update(help=7), "'help' must be text"),
    "a string for a weight": (lambda d: d["items"][0].update(weight="2"), "'weight' must be a number"),
    "a string for a flag": (lambda d: d["items"][0].update(critical="yes"), "'critical' must be true or false"),
    "numbers in sources": (lambda d: d["items"][0].update(sources=[10]), "'sources' must be a list of texts"),
    "a text for levels": (lambda d: d["items"][0].update(levels="0 to 3"), "'levels' must be a list of texts"),
    "a number for form": (lambda d: d.update(form=2), "the questionnaire: 'form' must be text"),
    "a language map for a key": (lambda d: d["items"][0].update(key={"en": "x"}), "'key' must be text"),
}


@pytest.mark.parametrize("case", MALFORMED_FILES, ids=list(MALFORMED_FILES))
def test_a_field_of_the_wrong_type_is_refused_by_name(db, tmp_path, case):
    change, message = MALFORMED_FILES[case]
    path = tmp_path / "malformed.json"
    path.write_text(json.dumps(_hostile(change)))
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("load_questionnaire", str(path))
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["items"][0]["text"].update(fr=5), "'text' in fr must be text"),
        (lambda d: d["items"][0]["short"].update(fr=["x"]), "'short' in fr must be text"),
        (lambda d: d["items"][0].update(text=["x", "y", "z"]), "'text' must be text"),
        (lambda d: d["items"][0]["text"].update(fr={"x": "y"}), "'text' in fr must be text"),
    ],
)
def test_a_translation_of_the_wrong_type_is_refused_by_name(db, tmp_path, change, message):
    data = json.loads(STAFF_2_PATH.read_text())
    change(data)
    path = tmp_path / "malformed.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("load_questionnaire", str(path))
    assert not Questionnaire.objects.exists()


def test_checklist_levels_in_another_language_must_be_texts(db, tmp_path):
    data = json.loads(CHECKLIST_2_PATH.read_text())
    entry = next(item for item in data["items"] if item.get("scale") == "maturity")
    entry["levels"]["fr"] = [0, 1, 2, 3]
    path = tmp_path / "malformed.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=re.escape(f"item {entry['key']}: 'levels' in fr must be a list of texts")):
        call_command("load_questionnaire", str(path))
    assert not Questionnaire.objects.exists()


def test_a_malformed_newer_file_never_becomes_the_survey_form(db, tmp_path, lead, staff, organization):
    """A file that loads but cannot be shown would break every new survey's pages."""
    from assessment.models import Cycle
    from assessment.services.cycles import cycle_create

    call_command("load_questionnaire", str(INSTRUMENT_PATH))
    newer = json.loads(INSTRUMENT_PATH.read_text())
    newer.update(version=3, translations=["fr"])
    for item in newer["items"]:
        item["short"] = item["key"][:40]
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(newer))
    with pytest.raises(CommandError):
        call_command("load_questionnaire", str(path))
    from assessment.selectors import questionnaire_for_mode

    cycle = cycle_create(
        organization=organization,
        by=lead.user,
        questionnaire=questionnaire_for_mode(Cycle.Mode.STAFF),
        label="Spring survey",
        mode=Cycle.Mode.STAFF,
        opens_on="2026-03-01",
        min_responses=3,
    )
    browser = login(Client(raise_request_exception=False), staff.user)
    assert browser.get(reverse("assessment:respond", args=[organization.slug, cycle.id])).status_code == 200


def test_check_instrument_rejects_duplicate_keys():
    data = json.loads(INSTRUMENT_PATH.read_text())
    data["items"].append(dict(data["items"][0]))
    with pytest.raises(InstrumentFileError, match="item keys must be unique"):
        check_instrument(data)


def test_published_questionnaire_is_read_only_in_admin(admin_client, questionnaire):
    url = f"/admin/assessment/questionnaire/{questionnaire.pk}/change/"
    response = admin_client.post(url, {"title": "Changed"})
    questionnaire.refresh_from_db()
    assert questionnaire.title == DATA["title"]
    assert response.status_code in (200, 403)


def test_clone_to_draft_in_admin(admin_client, questionnaire):
    admin_client.post(
        "/admin/assessment/questionnaire/",
        {"action": "clone_to_draft", "_selected_action": [questionnaire.pk]},
    )
    clone = Questionnaire.objects.get(version=2)
    assert clone.status == Questionnaire.Status.DRAFT
    assert sorted(clone.items.values_list("key", flat=True)) == sorted(i["key"] for i in ITEMS)
    assert questionnaire.items.count() == len(ITEMS)
