"""Read and check an instrument file (``fixtures/questionnaires/*.json``). Pure: no Django."""

import copy
import hashlib
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from types import UnionType
from typing import Any, NoReturn

SCALES = {"frequency": 4, "agreement": 4, "yes_partly_no": 2, "maturity": 3, "breaks": 2}
FORMS = ("staff", "checklist", "community")
SHORT_MAX = 40
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SOURCE_PATTERN = re.compile(r"^Q([1-9]|10)$")
PRACTICE_PATTERN = re.compile(r"^P([1-9]|1[0-9]|2[0-6])$")


MAX_VERSION = 10_000
MAX_WEIGHT = 100.0
# Longest text allowed per field, matching the database columns where there is one.
MAX_LENGTHS = {"slug": 60, "title": 200, "dimension key": 40, "name": 100, "item key": 60, "text": 1000}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[a-z]{2,8})?$")
# The wording of each part, given either as English text or as {"en": …, "fr": …} for every
# language the file lists under "languages". Everything else (keys, scales, weights) has no language.
WORDED = {
    "questionnaire": ("title", "description"),
    "dimension": ("name", "description"),
    "item": ("text", "short", "help", "recommendation", "levels", "evidence_prompt"),
}


# What a field holds: its description, and the test a value must pass.
Check = tuple[str, Callable[[Any], bool]]
TEXT: Check = ("text", lambda value: isinstance(value, str))
TEXTS: Check = ("a list of texts", lambda value: isinstance(value, list) and all(isinstance(v, str) for v in value))
WHOLE: Check = ("a whole number", lambda value: isinstance(value, int) and not isinstance(value, bool))
NUMBER: Check = ("a number", lambda value: isinstance(value, int | float) and not isinstance(value, bool))
FLAG: Check = ("true or false", lambda value: isinstance(value, bool))
PARTS: Check = ("a list", lambda value: isinstance(value, list))
# Every field a file may hold, and what it holds; a worded field (WORDED) may instead hold
# {"en": …, "fr": …}, each language's wording of that kind. Anything else is refused: the loader
# writes its own fields (``max_value``, ``translations``) from these.
FIELDS = {
    "questionnaire": {
        "slug": TEXT,
        "version": WHOLE,
        "title": TEXT,
        "description": TEXT,
        "form": TEXT,
        "languages": TEXTS,
        "staff_view_of": TEXT,
        "dimensions": PARTS,
        "items": PARTS,
    },
    "dimension": {"key": TEXT, "name": TEXT, "description": TEXT, "weight": NUMBER},
    "item": {
        "key": TEXT,
        "dimension": TEXT,
        "text": TEXT,
        "short": TEXT,
        "help": TEXT,
        "recommendation": TEXT,
        "levels": TEXTS,
        "evidence_prompt": TEXT,
        "scale": TEXT,
        "weight": NUMBER,
        "reverse": FLAG,
        "critical": FLAG,
        "allow_na": FLAG,
        "staff_view": FLAG,
        "sources": TEXTS,
        "practices": TEXTS,
    },
}


class InstrumentFileError(ValueError):
    """The file is not a valid instrument; the message lists every problem."""


def _refuse_constant(name: str) -> NoReturn:
    raise InstrumentFileError(f"{name} is not a number an instrument can use.")


CROSSWALK_FILE = "crosswalk.json"


def read_crosswalk(path: str | Path, instruments: list[dict] | None = None) -> list[dict]:
    """Return the checked pairs of the crosswalk between questionnaire versions, or [] when absent.

    An entry says one item of a version means the same as one of the next:
    ``{"from": [version, key], "to": [version + 1, key], "note": "why"}``. With ``instruments``
    (checked instrument files), every key named must be an item of its version. Every problem is
    listed at once.
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        pairs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InstrumentFileError(f"{path.name} is not readable JSON: {error}") from None
    if not isinstance(pairs, list):
        raise InstrumentFileError(f"{path.name} must be a list of pairs.")
    keys = {(data["version"], item["key"]) for data in instruments or [] for item in data["items"]}
    problems, seen = [], set()
    for number, pair in enumerate(pairs, start=1):
        ends: list[Any] = [pair.get(end) if isinstance(pair, dict) else None for end in ("from", "to")]
        shaped = all(
            isinstance(end, list)
            and len(end) == 2
            and isinstance(end[0], int)
            and not isinstance(end[0], bool)
            and isinstance(end[1], str)
            for end in ends
        )
        if not shaped or not isinstance(pair.get("note"), str) or not pair["note"].strip():
            problems.append(f'pair {number}: needs "from": [version, key], "to": [version, key] and a "note".')
            continue
        (v1, k1), (v2, k2) = ends
        if v2 != v1 + 1:
            problems.append(f"pair {number}: joins version {v1} to {v2}; a pair joins one version to the next.")
        if (v1, k1) in seen:
            problems.append(f"pair {number}: version {v1}'s item {k1} is paired twice.")
        seen.add((v1, k1))
        if instruments is not None:
            problems += [f"pair {number}: version {v} has no item {k}." for v, k in ends if (v, k) not in keys]
    if problems:
        raise InstrumentFileError(f"{path.name} is not a valid crosswalk:\n" + "\n".join(problems))
    return pairs


# Versions 1 and 2 reused keys for changed questions (DESIGN §4); from this version on a key
# reused from the previous version keeps its meaning unless the crosswalk says otherwise.
SAME_KEY_FROM_VERSION = 3
MEANING_FIELDS = ("text", "scale", "reverse")


def changed_meanings(previous: dict, data: dict, pairs: list[dict]) -> str | None:
    """Return why ``data`` may not reuse keys of ``previous`` (the slug's version before it), or None.

    A key reused for an item whose English text, scale or direction changed is refused, unless a
    crosswalk pair joins that key of the two versions: the pair says the meaning is unchanged
    (a typo fixed, say). Every offending key is named with what changed.
    """
    if data["version"] < SAME_KEY_FROM_VERSION:
        return None
    paired = {(tuple(p["from"]), tuple(p["to"])) for p in pairs}
    before = {item["key"]: item for item in previous["items"]}
    problems = []
    for item in data["items"]:
        old = before.get(item["key"])
        if old is None or ((previous["version"], item["key"]), (data["version"], item["key"])) in paired:
            continue
        changed = [
            {"text": "text", "scale": "scale", "reverse": "direction"}[field]
            for field in MEANING_FIELDS
            if old.get(field, False) != item.get(field, False)
        ]
        if changed:
            problems.append(f"{item['key']}: {', '.join(changed)} changed")
    if not problems:
        return None
    return (
        f"Version {data['version']} of {data['slug']} reuses keys of version {previous['version']} for items "
        "whose meaning changed (same key, same meaning). Give each a new key, or pair it in "
        f"{CROSSWALK_FILE} if its meaning is unchanged:\n" + "\n".join(problems)
    )


def with_staff_view(checklist: dict, instruments: list[dict]) -> dict:
    """Return a checklist with leadership's view of the staff items appended, when it asks for it.

    ``"staff_view_of": "<staff slug>"`` names the staff survey of the same version; its
    non-critical items are copied at the end with their keys, dimensions and wording, marked
    ``staff_view`` (kept, never scored) and never critical.
    """
    slug = checklist.get("staff_view_of")
    if slug is None:
        return checklist
    staff = next((d for d in instruments if d["slug"] == slug and d["version"] == checklist["version"]), None)
    if staff is None:
        raise InstrumentFileError(f"'staff_view_of': no staff survey {slug}, version {checklist['version']}, here.")
    dimensions = {d["key"] for d in checklist["dimensions"]}
    keys = {item["key"] for item in checklist["items"]}
    copies, problems = [], []
    for item in staff["items"]:
        if item.get("critical"):
            continue
        if item["dimension"] not in dimensions:
            problems.append(f"staff item {item['key']}: the checklist has no dimension {item['dimension']}.")
        if item["key"] in keys:
            problems.append(f"staff item {item['key']}: the checklist already has an item with that key.")
        copies.append({**copy.deepcopy(item), "staff_view": True, "critical": False})
    if problems:
        raise InstrumentFileError("\n".join(problems))
    return {**checklist, "items": [*checklist["items"], *copies]}


def shipped_instrument_files(directory: str | Path) -> list[dict]:
    """Return the checked data of every instrument file in a folder, in version order.

    Every file is read and checked before any is returned, so one bad file loads none; the
    crosswalk between versions (``crosswalk.json``) is not an instrument and is left out. A
    checklist gets leadership's view of its staff survey's items (``with_staff_view``), and a
    version may not reuse a key of the version before it for a changed item (``changed_meanings``).
    """
    paths = [path for path in Path(directory).glob("*.json") if path.name != CROSSWALK_FILE]
    if not paths:
        raise InstrumentFileError(f"No instrument files (*.json) in {directory}.")
    instruments = []
    for path in paths:
        try:
            instruments.append(read_instrument_file(path))
        except InstrumentFileError as error:
            raise InstrumentFileError(f"{path.name} is not a valid instrument:\n{error}") from None
        instruments[-1]["file"] = path.name
    for index, data in enumerate(instruments):
        try:
            instruments[index] = with_staff_view(data, instruments)
        except InstrumentFileError as error:
            raise InstrumentFileError(f"{data['file']} is not a valid instrument:\n{error}") from None
    pairs = read_crosswalk(Path(directory) / CROSSWALK_FILE, instruments)
    for data in instruments:
        earlier = [d for d in instruments if d["slug"] == data["slug"] and d["version"] < data["version"]]
        if earlier:
            refused = changed_meanings(max(earlier, key=lambda d: d["version"]), data, pairs)
            if refused:
                raise InstrumentFileError(f"{data['file']}: {refused}")
    for data in instruments:
        del data["file"]
    return sorted(instruments, key=lambda data: (data["version"], data["slug"]))


def read_instrument_file(path: str | Path) -> dict:
    """Return the checked instrument data of a file, with ``max_value`` filled in per item."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InstrumentFileError(f"Cannot read {path}: {error}") from None
    return check_instrument(data)


def check_instrument(data: dict) -> dict:
    """Return the data with ``max_value`` set per item, or raise InstrumentFileError.

    In three passes, each only once the one before found nothing: the top-level fields' kinds,
    every field's kind and name (``_field_problems``), then the values, all problems at once.
    """
    if not isinstance(data, dict):
        raise InstrumentFileError("The file must hold one JSON object.")
    problems = _kind_problems(data)
    if problems:
        raise InstrumentFileError(" ".join(problems))
    problems = _field_problems(data)
    if problems:
        raise InstrumentFileError("\n".join(problems))
    problems = [*_split_languages(data), *_head_problems(data)]
    dimension_problems, dimension_keys = _dimension_problems(data["dimensions"])
    problems += dimension_problems
    item_keys = []
    for index, item in enumerate(data["items"]):
        item_problems, key = _item_problems(item, index, dimension_keys, data["version"])
        problems += item_problems
        item_keys.append(key)
    if len(set(item_keys)) != len(item_keys):
        problems.append("item keys must be unique.")
    used = {item.get("dimension") for item in data["items"] if isinstance(item.get("dimension"), str)}
    problems += [f"dimension {key} has no items." for key in dimension_keys if key not in used]
    if problems:
        raise InstrumentFileError("\n".join(problems))
    return data


def _kind_problems(data: dict) -> list[str]:
    kinds: list[tuple[str, type | UnionType]] = [
        ("slug", str),
        ("version", int),
        ("title", str | dict),
        ("dimensions", list),
        ("items", list),
    ]
    return [
        f"'{field}' is missing or not {'text' if isinstance(kind, UnionType) else 'a ' + kind.__name__}."
        for field, kind in kinds
        if not isinstance(data.get(field), kind) or isinstance(data.get(field), bool)
    ]


def _head_problems(data: dict) -> list[str]:
    problems = []
    if not 1 <= data["version"] <= MAX_VERSION:
        problems.append(f"'version' must be between 1 and {MAX_VERSION}.")
    if not KEY_PATTERN.match(data["slug"]) or len(data["slug"]) > MAX_LENGTHS["slug"]:
        problems.append(f"'slug' must be at most {MAX_LENGTHS['slug']} lower-case letters, digits, - or _.")
    if len(data["title"]) > MAX_LENGTHS["title"]:
        problems.append(f"'title' must be at most {MAX_LENGTHS['title']} characters.")
    problems += [f"{where}: control characters are not allowed." for where in _control_characters(data)]
    if data.get("form", "staff") not in FORMS:
        problems.append(f"'form' must be one of {', '.join(FORMS)}.")
    return problems


def _dimension_problems(dimensions: list[dict]) -> tuple[list[str], list[str]]:
    """Return the dimensions' problems and their keys (``#n`` where a key is unusable)."""
    problems, keys = [], []
    for index, dimension in enumerate(dimensions):
        key = dimension.get("key", "")
        if not isinstance(key, str) or not KEY_PATTERN.match(key) or len(key) > MAX_LENGTHS["dimension key"]:
            problems.append(f"dimension {index + 1}: key must be at most 40 lower-case letters, digits, - or _.")
            key = f"#{index + 1}"
        name = dimension.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_LENGTHS["name"]:
            problems.append(f"dimension {key}: a name of at most {MAX_LENGTHS['name']} characters is required.")
        if not _positive(dimension.get("weight", 1.0)):
            problems.append(f"dimension {key}: weight must be a positive number.")
        keys.append(key)
    if not keys:
        problems.append("at least one dimension is required.")
    if len(set(keys)) != len(keys):
        problems.append("dimension keys must be unique.")
    return problems, keys


def _item_problems(item: dict, index: int, dimension_keys: list[str], version: int) -> tuple[list[str], str]:
    """Return one item's problems and its key (``#n`` where it is unusable); set its ``max_value``."""
    problems = []
    key = item.get("key", "")
    if not isinstance(key, str) or not KEY_PATTERN.match(key) or len(key) > MAX_LENGTHS["item key"]:
        problems.append(f"item {index + 1}: key must be at most 60 lower-case letters, digits, - or _.")
        key = f"#{index + 1}"
    label = f"item {key}"
    if not isinstance(item.get("dimension"), str) or item["dimension"] not in dimension_keys:
        problems.append(f"{label}: its dimension is not one defined in the file.")
    if item.get("scale") not in SCALES:
        problems.append(f"{label}: scale must be one of {', '.join(SCALES)}.")
    else:
        item["max_value"] = SCALES[item["scale"]]
    problems += _wording_problems(item, label, version)
    problems += _scale_problems(item, label)
    problems += _reference_problems(item, label)
    for flag in ("reverse", "critical", "allow_na", "staff_view"):
        if not isinstance(item.get(flag, False), bool):
            problems.append(f"{label}: '{flag}' must be true or false.")
    if item.get("staff_view") is True and item.get("critical") is True:
        problems.append(f"{label}: leadership's view of a staff item is not scored, so it cannot be critical.")
    return problems, key


def _wording_problems(item: dict, label: str, version: int) -> list[str]:
    problems = []
    for field in ("text", "recommendation"):
        if not isinstance(item.get(field), str) or not item[field].strip():
            problems.append(f"{label}: '{field}' is required.")
    if isinstance(item.get("text"), str) and len(item["text"]) > MAX_LENGTHS["text"]:
        problems.append(f"{label}: 'text' must be at most {MAX_LENGTHS['text']} characters.")
    short = item.get("short", "")
    if not isinstance(short, str) or len(short) > SHORT_MAX or (version >= 2 and not short.strip()):
        problems.append(f"{label}: 'short' must be a title of at most {SHORT_MAX} characters.")
    if not isinstance(item.get("evidence_prompt", ""), str):
        problems.append(f"{label}: 'evidence_prompt' must be text.")
    return problems


def _scale_problems(item: dict, label: str) -> list[str]:
    problems = []
    if item.get("scale") == "breaks" and item.get("reverse") is not True:
        problems.append(f"{label}: a 'breaks' item counts seen breaks of a rule, so it must be reverse-scored.")
    if item.get("scale") == "maturity":
        levels = item.get("levels")
        if not isinstance(levels, list) or len(levels) != 4 or not all(isinstance(v, str) and v for v in levels):
            problems.append(f"{label}: a maturity entry needs 'levels', four descriptions from 0 to 3.")
    if not _positive(item.get("weight", 1.0)):
        problems.append(f"{label}: weight must be a positive number.")
    return problems


def _reference_problems(item: dict, label: str) -> list[str]:
    problems = []
    sources = item.get("sources")
    if (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and SOURCE_PATTERN.match(s) for s in sources)
    ):
        problems.append(f"{label}: 'sources' must list seed questions such as \"Q10\".")
    practices = item.get("practices", [])
    if not isinstance(practices, list) or not all(isinstance(p, str) and PRACTICE_PATTERN.match(p) for p in practices):
        problems.append(f"{label}: 'practices' must list practice ids such as \"P5\".")
    return problems


def content_hash(data: dict) -> str:
    """Return a stable fingerprint of the instrument's content: everything but its translations.

    English is the canonical wording; translations can be corrected in a published version
    without changing what it asks or how it scores.
    """
    canonical = {key: value for key, value in data.items() if key not in ("languages", "translations")}
    for part in ("dimensions", "items"):
        canonical[part] = [{k: v for k, v in spec.items() if k != "translations"} for spec in data[part]]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _field_problems(data: dict) -> list[str]:
    """Return every field of the wrong kind, and every field an instrument file does not have."""
    if not all(isinstance(d, dict) for d in data["dimensions"]) or not all(isinstance(i, dict) for i in data["items"]):
        return ["every dimension and every item must be a JSON object."]
    parts = [("the questionnaire", "questionnaire", data)]
    for kind, specs in [("dimension", data["dimensions"]), ("item", data["items"])]:
        parts += [(f"{kind} {_name(spec, number)}", kind, spec) for number, spec in enumerate(specs, start=1)]
    problems = []
    for label, kind, spec in parts:
        for field, value in spec.items():
            if field not in FIELDS[kind]:
                problems.append(f"{label}: '{field}' is not a field of an instrument file.")
                continue
            description, holds = FIELDS[kind][field]
            if isinstance(value, dict) and field in WORDED[kind]:
                problems += [
                    f"{label}: '{field}' in {code} must be {description}."
                    for code, wording in value.items()
                    if not holds(wording)
                ]
            elif not holds(value):
                problems.append(f"{label}: '{field}' must be {description}.")
    return problems


def _name(spec: dict, number: int) -> str:
    key = spec.get("key")
    return key if isinstance(key, str) and KEY_PATTERN.match(key) else str(number)


def _split_languages(data: dict) -> list[str]:
    """Put each part's English wording in its fields and the other languages in its
    ``translations``; return the problems (a language missing or empty for a part, a malformed list)."""
    languages = data.get("languages", ["en"])
    if (
        not isinstance(languages, list)
        or "en" not in languages
        or len(set(languages)) != len(languages)
        or not all(isinstance(code, str) and LANGUAGE_PATTERN.match(code) for code in languages)
    ):
        return ['\'languages\' must list language codes such as "en", "fr", English among them.']
    problems = []
    parts = [("the questionnaire", "questionnaire", data)]
    parts += [(f"dimension {d.get('key')}", "dimension", d) for d in data["dimensions"] if isinstance(d, dict)]
    parts += [(f"item {i.get('key')}", "item", i) for i in data["items"] if isinstance(i, dict)]
    for label, kind, spec in parts:
        translations: dict[str, dict[str, Any]] = {code: {} for code in languages if code != "en"}
        for field in WORDED[kind]:
            value = spec.get(field)
            if not isinstance(value, dict):
                if len(languages) > 1 and value not in (None, "", []):
                    problems.append(f"{label}: '{field}' must be given in every language ({', '.join(languages)}).")
                continue
            missing = [code for code in languages if not value.get(code)]
            if sorted(value) != sorted(languages) or (missing and value.get("en")):
                problems.append(f"{label}: '{field}' is missing in {', '.join(missing) or 'no language it lists'}.")
                continue
            if not all(type(wording) is type(value["en"]) for wording in value.values()):
                problems.append(f"{label}: '{field}' must be the same kind of value in every language.")
                continue
            spec[field] = value["en"]
            for code in translations:
                translations[code][field] = value[code]
        for code, wording in translations.items():
            if len(wording.get("short", "")) > SHORT_MAX:
                problems.append(f"{label}: 'short' in {code} must be at most {SHORT_MAX} characters.")
            if len(wording.get("text", "")) > MAX_LENGTHS["text"]:
                problems.append(f"{label}: 'text' in {code} must be at most {MAX_LENGTHS['text']} characters.")
            if "levels" in wording and len(wording["levels"]) != len(spec.get("levels", [])):
                problems.append(f"{label}: 'levels' in {code} must have as many entries as in English.")
        if any(translations.values()):
            spec["translations"] = {code: wording for code, wording in translations.items() if wording}
    return problems


def _positive(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 < value <= MAX_WEIGHT
    )


def _control_characters(value: object, where: str = "the file") -> list[str]:
    """Return where in the data a text holds a control character (line breaks and tabs are fine)."""
    if isinstance(value, str):
        return [where] if CONTROL_CHARACTERS.search(value) else []
    if isinstance(value, dict):
        return [found for key, inner in value.items() for found in _control_characters(inner, f"{where} › {key}")]
    if isinstance(value, list):
        return [found for n, inner in enumerate(value) for found in _control_characters(inner, f"{where} › {n + 1}")]
    return []
