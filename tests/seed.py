"""The seed guidance the questionnaires are written from, as fingerprints.

Items are written in our own words: no run of 8 (or, for the version 3 checklist, 10) words may
be the seed's. The project does not republish the guide, so the tests carry a hash of every run
of its words instead (`tests/data/seed-runs.json`), which answers "is this run the seed's?" and
nothing else. Made from the guide with ``python -m tests.seed <seed .txt files>``.
"""

import hashlib
import json
import re
import sys
from pathlib import Path

RUNS_FILE = Path(__file__).resolve().parent / "data" / "seed-runs.json"
LENGTHS = (8, 10)
DIGITS = 10  # of the SHA-256, in hex: 40 bits, so a chance run of ours matches none by accident


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("’", "'"))


def _digest(run: list[str]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:DIGITS]


def _runs(found: list[str], length: int):
    for start in range(len(found) - length + 1):
        yield found[start : start + length]


def copied_runs(text: str, length: int = 8) -> list[str]:
    """Return the runs of ``length`` words of ``text`` that are the seed's."""
    seed = set(json.loads(RUNS_FILE.read_text())["runs"][str(length)])
    return [" ".join(run) for run in _runs(words(text), length) if _digest(run) in seed]


def fingerprint(paths: list[Path]) -> dict:
    found = words(" ".join(path.read_text() for path in sorted(paths)))
    return {
        "source": "the guidance written with migrant sex workers that the questionnaires cite (Q1, Q2, …)",
        "made_by": "python -m tests.seed <its .txt files>",
        "words": len(found),
        "runs": {str(n): sorted({_digest(run) for run in _runs(found, n)}) for n in LENGTHS},
    }


if __name__ == "__main__":
    RUNS_FILE.write_text(json.dumps(fingerprint([Path(p) for p in sys.argv[1:]]), indent=0) + "\n")
