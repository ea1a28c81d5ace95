"""The termbase: its banned terms are absent from the catalogues and the questionnaire files, and
docs/TRANSLATING.md quotes every term it holds."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parents[1]
TERMBASE = json.loads((ROOT / "locale" / "termbase.json").read_text())
# The crosswalk beside the instruments pairs item keys and has no words to check.
INSTRUMENTS = sorted(p for p in (ROOT / "fixtures" / "questionnaires").glob("*.json") if p.name != "crosswalk.json")
STATUS = re.compile(r"\bstatus\b", re.I)
WORDED = ("text", "short", "help", "recommendation", "evidence_prompt", "levels", "name", "description")


def _catalogue_strings(language: str) -> Iterator[tuple[str, str, str]]:
    """Yield (where, English, translation) for each entry of the language's catalogue."""
    path = ROOT / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po"
    for entry in polib.pofile(str(path)):
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            yield f"catalogue {entry.msgid[:60]!r}", entry.msgid, translation


def _field_strings(where: str, field: dict, language: str) -> Iterator[tuple[str, str, str]]:
    if not isinstance(field, dict) or language not in field:
        return
    english, translated = field["en"], field[language]
    if isinstance(translated, list):
        yield from ((f"{where}[{i}]", e, t) for i, (e, t) in enumerate(zip(english, translated, strict=True)))
    else:
        yield where, english, translated


def _instrument_strings(language: str) -> Iterator[tuple[str, str, str]]:
    """Yield (where, English, translation) for each worded field of every instrument file in the language."""
    for path in INSTRUMENTS:
        data = json.loads(path.read_text())
        if language not in data.get("languages", ["en"]):
            continue  # version 1 is English only
        for key in ("title", "description"):
            yield from _field_strings(f"{path.name} {key}", data[key], language)
        for part in (*data["dimensions"], *data["items"]):
            for key in WORDED:
                yield from _field_strings(f"{path.name} {part['key']}.{key}", part.get(key), language)


def _violations(language: str, strings) -> list[str]:
    found = []
    for where, english, translation in strings:
        for term in TERMBASE["banned"]:
            if term["language"] != language:
                continue
            if term.get("context") == "status" and not STATUS.search(english):
                continue
            if re.search(term["pattern"], translation):
                found.append(f"{where}: {term['term']} in {translation!r} (use {term['use']})")
    return found


@pytest.mark.parametrize("language", ["fr", "zh-hans"])
def test_no_banned_term_in_the_catalogue(language):
    assert not _violations(language, _catalogue_strings(language))


@pytest.mark.parametrize("language", ["fr", "zh-hans"])
def test_no_banned_term_in_the_questionnaire_files(language):
    strings = list(_instrument_strings(language))
    assert len(strings) > 300
    assert not _violations(language, strings)


@pytest.mark.parametrize(
    ("language", "english", "translation"),
    [
        ("fr", "Listens to and pays sex workers", "Écoute et paie le milieu"),
        ("fr", "Sex workers get the same welcome as any other client.", "le même accueil que tout autre client."),
        ("fr", "Written, trained and checked", "Écrit, enseigné et vérifié"),
        ("zh-hans", "Status kept out of files", "档案不记录身份"),
        ("zh-hans", "Ally-readiness staff survey", "员工友善度调查"),
        ("zh-hans", "written for people who sell sex", "专为从事性交易的人撰写"),
        ("zh-hans", "Which case review shows this?", "哪份个案检讨可以证明？"),
        ("zh-hans", "Clearly better", "明显改善"),
    ],
)
def test_each_banned_term_is_caught(language, english, translation):
    assert _violations(language, [("example", english, translation)])


@pytest.mark.parametrize(
    ("language", "english", "translation"),
    [
        ("fr", "sex workers and their clients", "les travailleuses et travailleurs du sexe et leurs clients"),
        ("fr", "workplaces", "milieux de travail"),
        ("zh-hans", "Status kept out of files", "档案不记录移民身份"),
        ("zh-hans", "require two-factor authentication", "要求使用双重身份验证"),
        ("zh-hans", "You were invited as %(role)s", "您受邀以%(role)s身份加入"),
    ],
)
def test_approved_wording_is_not_caught(language, english, translation):
    assert not _violations(language, [("example", english, translation)])


def test_the_translating_guide_quotes_every_term():
    guide = (ROOT / "docs" / "TRANSLATING.md").read_text()
    for term in TERMBASE["terms"]:
        row = f"| {term['en']} | {term['fr']} | {term['zh-hans']} |"
        assert row in guide, term["en"]
    for term in TERMBASE["banned"]:
        assert f"| {term['term']} | {term['use']} |" in guide, term["term"]
