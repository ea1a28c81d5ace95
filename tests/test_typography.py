"""French typography and Chinese punctuation in the compiled catalogues and the questionnaire files:
French puts a no-break space (U+00A0) before : ; ! ? and inside « », Chinese uses full-width
punctuation and no ASCII , . : ; between its words."""

import json
import re
from pathlib import Path

import polib
import pytest
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parents[1]
NBSP = "\u00a0"

# What is not prose: placeholders, template variables, tags, addresses, file names, code, numbers.
NOT_PROSE = re.compile(
    r"%\(\w+\)[sd]|%[sd%]|\{\{.*?\}\}|\{\w*\}|<[^>]+>|https?://\S+|/[\w/.-]*/|\b[\w.-]+\.(?:org|com|json|py|txt|csv|xlsx|html|md)\b"
    r"|`[^`]*`|\b[A-Z][A-Z0-9_]{3,}\b|[\d₀-₉]+(?:[.,:][\d₀-₉]+)+|\.\.\.|…"
)
CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
ASCII_PUNCTUATION = re.compile(r"[,.:;!?]")
ASCII_PARENTHESIS_BY_CJK = re.compile(rf"{CJK}[()]|[()]{CJK}")


def french_problems(text: str) -> list[str]:
    prose = NOT_PROSE.sub(" X ", text)
    problems = [f"no U+00A0 before {m[1]!r}" for m in re.finditer(rf"(?<!{NBSP})([:;!?])", prose)]
    problems += ["no U+00A0 after «" for _ in re.finditer(rf"«(?!{NBSP})", prose)]
    problems += ["no U+00A0 before »" for _ in re.finditer(rf"(?<!{NBSP})»", prose)]
    problems += ["U+202F used instead of U+00A0" for _ in re.finditer("\u202f", prose)]
    return problems


def chinese_problems(text: str) -> list[str]:
    prose = NOT_PROSE.sub(" X ", text)
    problems = [f"ASCII {m[0]!r}" for m in ASCII_PUNCTUATION.finditer(prose)]
    problems += [f"ASCII parenthesis in {m[0]!r}" for m in ASCII_PARENTHESIS_BY_CJK.finditer(prose)]
    return problems


CHECKS = {"fr": french_problems, "zh-hans": chinese_problems}


def _compiled(language: str) -> list[tuple[str, str]]:
    catalogue = polib.mofile(str(ROOT / "locale" / to_locale(language) / "LC_MESSAGES" / "django.mo"))
    strings = []
    for entry in catalogue:
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        strings += [(entry.msgid, translation) for translation in translations if entry.msgid]
    return strings


def _instrument(language: str) -> list[tuple[str, str]]:
    strings = []

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == language:
                    values = value if isinstance(value, list) else [value]
                    strings.extend((where, text) for text in values)
                else:
                    walk(value, f"{where}.{node.get('key', key)}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for path in sorted((ROOT / "fixtures" / "questionnaires").glob("*.json")):
        if path.name == "crosswalk.json":  # item keys only, no words
            continue
        walk(json.loads(path.read_text()), path.name)
    return strings


@pytest.mark.parametrize("language", CHECKS)
def test_compiled_catalogue_follows_the_languages_typography(language):
    strings = _compiled(language)
    assert len(strings) > 700
    found = [(msgid[:50], problem) for msgid, text in strings for problem in CHECKS[language](text)]
    assert not found, found[:10]


@pytest.mark.parametrize("language", CHECKS)
def test_questionnaire_files_follow_the_languages_typography(language):
    strings = _instrument(language)
    assert len(strings) > 300
    found = [(where, text[:50], problem) for where, text in strings for problem in CHECKS[language](text)]
    assert not found, found[:10]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("Rapport: %(label)s", ["no U+00A0 before ':'"]),
        ("Rapport : %(label)s", ["no U+00A0 before ':'"]),
        (f"Fermer «{NBSP}%(label)s{NBSP}»{NBSP}?", []),
        (f"Fermer « %(label)s »{NBSP}?", ["no U+00A0 after «", "no U+00A0 before »"]),
        (f"Voir https://example.org/a?b=1 ou 10:30 et {{{{ url }}}}{NBSP}!", []),
        ("Quoi\u202f?", ["no U+00A0 before '?'", "U+202F used instead of U+00A0"]),
    ],
)
def test_french_check(text, problems):
    assert french_problems(text) == problems


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("1 项未完成的行动, 1 项已逾期.", ["ASCII ','", "ASCII '.'"]),
        ("机构:", ["ASCII ':'"]),
        ("审核日志(最近)", ["ASCII parenthesis in '志('", "ASCII parenthesis in '近)'"]),
        ("分数 95.5，见 %(url)s。公式 (t₀.₉₇₅ + t₀.₈₀) × 标准误", []),
        ("请把 DJANGO_SECRET_KEY_FALLBACKS 设好。", []),
    ],
)
def test_chinese_check(text, problems):
    assert chinese_problems(text) == problems
