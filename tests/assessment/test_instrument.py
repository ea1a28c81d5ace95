import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessment.demo import INSTRUMENT_PATH
from assessment.instrument_file import InstrumentFileError, check_instrument, read_instrument_file
from assessment.models import Item, Questionnaire

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT.parent / "shared" / "seed"
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


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("’", "'"))


@pytest.mark.skipif(not SEED_DIR.exists(), reason="the seed guidance is not beside this checkout")
def test_items_are_in_our_own_words():
    seed = " ".join(_words(" ".join(p.read_text() for p in SEED_DIR.glob("*.txt"))))
    for item in ITEMS:
        for field in ("text", "help", "recommendation"):
            words = _words(item[field])
            for start in range(len(words) - 7):
                run = " ".join(words[start : start + 8])
                assert run not in seed, f"{item['key']}.{field} copies the seed: “{run}”"


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
        "its dimension is not one defined",
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
