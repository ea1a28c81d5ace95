"""Read and check an instrument file (``fixtures/questionnaires/*.json``). Pure: no Django."""

import hashlib
import json
import re
from pathlib import Path

SCALES = {"frequency": 4, "agreement": 4, "yes_partly_no": 2}
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SOURCE_PATTERN = re.compile(r"^Q([1-9]|10)$")
PRACTICE_PATTERN = re.compile(r"^P([1-9]|1[0-9]|20)$")


class InstrumentFileError(ValueError):
    """The file is not a valid instrument; the message lists every problem."""


def read_instrument_file(path: str | Path) -> dict:
    """Return the checked instrument data of a file, with ``max_value`` filled in per item."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InstrumentFileError(f"Cannot read {path}: {error}") from None
    return check_instrument(data)


def check_instrument(data: dict) -> dict:
    """Return the data with ``max_value`` set per item, or raise InstrumentFileError."""
    problems = []
    if not isinstance(data, dict):
        raise InstrumentFileError("The file must hold one JSON object.")
    for field, kind in [("slug", str), ("version", int), ("title", str), ("dimensions", list), ("items", list)]:
        if not isinstance(data.get(field), kind) or isinstance(data.get(field), bool):
            problems.append(f"'{field}' is missing or not a {kind.__name__}.")
    if problems:
        raise InstrumentFileError(" ".join(problems))
    if data["version"] < 1:
        problems.append("'version' must be 1 or more.")
    dimension_keys = []
    for index, dimension in enumerate(data["dimensions"]):
        key = dimension.get("key", "")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append(f"dimension {index + 1}: key {key!r} must be lower-case letters, digits, - or _.")
        if not dimension.get("name"):
            problems.append(f"dimension {key}: a name is required.")
        if not _positive(dimension.get("weight", 1.0)):
            problems.append(f"dimension {key}: weight must be a positive number.")
        dimension_keys.append(key)
    if not dimension_keys:
        problems.append("at least one dimension is required.")
    if len(set(dimension_keys)) != len(dimension_keys):
        problems.append("dimension keys must be unique.")
    item_keys = []
    for index, item in enumerate(data["items"]):
        key = item.get("key", "")
        label = f"item {key or index + 1}"
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append(f"{label}: key must be lower-case letters, digits, - or _.")
        if item.get("dimension") not in dimension_keys:
            problems.append(f"{label}: dimension {item.get('dimension')!r} is not defined.")
        if item.get("scale") not in SCALES:
            problems.append(f"{label}: scale must be one of {', '.join(SCALES)}.")
        else:
            item["max_value"] = SCALES[item["scale"]]
        for field in ("text", "recommendation"):
            if not isinstance(item.get(field), str) or not item[field].strip():
                problems.append(f"{label}: '{field}' is required.")
        sources = item.get("sources")
        if (
            not isinstance(sources, list)
            or not sources
            or not all(isinstance(s, str) and SOURCE_PATTERN.match(s) for s in sources)
        ):
            problems.append(f"{label}: 'sources' must list seed questions such as \"Q10\".")
        practices = item.get("practices", [])
        if not isinstance(practices, list) or not all(
            isinstance(p, str) and PRACTICE_PATTERN.match(p) for p in practices
        ):
            problems.append(f"{label}: 'practices' must list practice ids such as \"P5\".")
        if not _positive(item.get("weight", 1.0)):
            problems.append(f"{label}: weight must be a positive number.")
        for flag in ("reverse", "critical", "allow_na"):
            if not isinstance(item.get(flag, False), bool):
                problems.append(f"{label}: '{flag}' must be true or false.")
        item_keys.append(key)
    if len(set(item_keys)) != len(item_keys):
        problems.append("item keys must be unique.")
    for key in dimension_keys:
        if key not in {item.get("dimension") for item in data["items"]}:
            problems.append(f"dimension {key} has no items.")
    if problems:
        raise InstrumentFileError("\n".join(problems))
    return data


def content_hash(data: dict) -> str:
    """Return a stable fingerprint of the instrument's content."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _positive(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
