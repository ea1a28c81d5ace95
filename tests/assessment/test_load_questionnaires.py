"""`manage.py load_questionnaires`: every shipped version, oldest first, safe to run again."""

import json
import re
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessment.instrument_file import CROSSWALK_FILE
from assessment.models import Item, Questionnaire
from assessment.services.questionnaires import SHIPPED_QUESTIONNAIRES

# Every instrument file that ships, whatever its form; the crosswalk beside them is not one.
SHIPPED = sorted(path for path in SHIPPED_QUESTIONNAIRES.glob("*.json") if path.name != CROSSWALK_FILE)


def _versions() -> set[tuple[str, int]]:
    return set(Questionnaire.objects.values_list("slug", "version"))


def test_every_shipped_file_is_loaded_in_version_order(db, capsys):
    call_command("load_questionnaires")
    assert _versions() == {(json.loads(p.read_text())["slug"], json.loads(p.read_text())["version"]) for p in SHIPPED}
    assert {("ally-readiness", 1), ("ally-readiness", 2), ("ally-readiness-checklist", 2)} <= _versions()
    assert set(Questionnaire.objects.values_list("status", flat=True)) == {Questionnaire.Status.PUBLISHED}
    out = capsys.readouterr().out
    loaded_versions = [int(v) for v in re.findall(r"^Loaded .* \(v(\d+), published\)", out, flags=re.MULTILINE)]
    assert len(loaded_versions) == len(SHIPPED) and loaded_versions == sorted(loaded_versions)
    assert "The crosswalk between versions (crosswalk.json) holds" in out


def test_running_it_again_changes_nothing(db, capsys):
    call_command("load_questionnaires")
    rows = (_versions(), set(Item.objects.values_list("pk", "questionnaire_id", "key")))
    capsys.readouterr()
    call_command("load_questionnaires")
    assert (_versions(), set(Item.objects.values_list("pk", "questionnaire_id", "key"))) == rows
    assert capsys.readouterr().out.count("is already loaded; nothing changed.") == len(SHIPPED)


def test_a_version_a_release_adds_is_loaded_by_running_it_again(db, tmp_path):
    for path in SHIPPED:
        shutil.copy(path, tmp_path)
    call_command("load_questionnaires", directory=tmp_path)
    newer = json.loads((tmp_path / "ally-readiness-2.json").read_text())
    newer["version"] = max(version for slug, version in _versions() if slug == "ally-readiness") + 1
    (tmp_path / f"ally-readiness-{newer['version']}.json").write_text(json.dumps(newer))
    call_command("load_questionnaires", directory=tmp_path)
    assert ("ally-readiness", newer["version"]) in _versions()
    assert Questionnaire.objects.count() == len(SHIPPED) + 1


def test_one_bad_file_loads_none_and_names_itself(db, tmp_path):
    for path in SHIPPED:
        shutil.copy(path, tmp_path)
    broken = json.loads((tmp_path / "ally-readiness-2.json").read_text())
    broken["items"][0]["scale"] = "stars"
    (tmp_path / "ally-readiness-9.json").write_text(json.dumps(broken))
    with pytest.raises(CommandError, match=r"ally-readiness-9.json is not a valid instrument:\n.*scale must be one of"):
        call_command("load_questionnaires", directory=tmp_path)
    assert not Questionnaire.objects.exists()


def test_a_changed_published_version_is_refused_and_loads_none(db, tmp_path):
    for path in SHIPPED:
        shutil.copy(path, tmp_path)
    call_command("load_questionnaires", directory=tmp_path)
    changed = json.loads((tmp_path / "ally-readiness-checklist-2.json").read_text())
    changed["items"][0]["weight"] = 3.0
    (tmp_path / "ally-readiness-checklist-2.json").write_text(json.dumps(changed))
    # A new instrument loaded before the refused one, in the same run, is rolled back with it.
    earlier = dict(json.loads((tmp_path / "ally-readiness-1.json").read_text()), slug="aaa-readiness")
    (tmp_path / "aaa-readiness-1.json").write_text(json.dumps(earlier))
    with pytest.raises(CommandError, match="is published and cannot change"):
        call_command("load_questionnaires", directory=tmp_path)
    assert not Questionnaire.objects.filter(slug="aaa-readiness").exists()


def test_a_folder_without_instruments_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="No instrument files"):
        call_command("load_questionnaires", directory=tmp_path)


def test_a_bad_crosswalk_stops_before_loading(db, tmp_path):
    for path in SHIPPED:
        shutil.copy(path, tmp_path)
    bad = [
        {"from": [1, "police-contact-consent"], "to": [3, "x"], "note": "skips a version"},
        {"from": [1, "no-such-item"], "to": [2, "police-contact-consent"], "note": "unknown key"},
        {"from": [1, "a"]},
    ]
    (tmp_path / "crosswalk.json").write_text(json.dumps(bad))
    with pytest.raises(CommandError) as error:
        call_command("load_questionnaires", directory=tmp_path)
    message = str(error.value)
    assert "pair 1: joins version 1 to 3" in message and "pair 2: version 1 has no item no-such-item" in message
    assert "pair 3: needs" in message
    assert not Questionnaire.objects.exists()


def test_the_shipped_crosswalk_is_checked_and_reported(db):
    out = StringIO()
    call_command("load_questionnaires", stdout=out)
    assert "The crosswalk between versions (crosswalk.json) holds" in out.getvalue()
