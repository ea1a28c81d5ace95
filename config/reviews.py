"""Review records of each translation: who checked a language of the interface or of a
questionnaire, with which organization, when and what; and which languages are still drafts.

The records live in ``locale/reviews.json`` (docs/TRANSLATING.md says how a review is done and
recorded). A language counts as reviewed only with a complete record; ``review_problems`` says
what a file lacks, and a system check refuses to start with a "reviewed" mark that has none.
"""

import datetime
import functools
import json
from pathlib import Path
from typing import TypedDict

from django.conf import settings
from django.core import checks
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

REVIEWS_PATH = Path(settings.BASE_DIR) / "locale" / "reviews.json"
STATUSES = ("draft", "reviewed")
# What a review must have covered, in the order a reviewer takes it (docs/TRANSLATING.md).
REQUIRED_SCOPE = {
    "questionnaire": ["items", "scale labels", "reverse items", "back-translation of critical items"],
    "interface": ["anonymity and consent texts", "report wording", "emails"],
}
RECORD_FIELDS = ("reviewer", "organization", "date", "scope")

DRAFT_NOTE = _("Draft translation, not yet reviewed by native speakers who work with sex workers.")
DRAFT_OPTION = _("%(language)s (draft translation)")


class Review(TypedDict):
    reviewer: str
    organization: str
    works_with_sex_workers: bool
    date: str
    scope: list[str]
    notes: str


class LanguageStatus(TypedDict):
    status: str
    drafted_by: str
    reviews: list[Review]


def questionnaire_key(slug: str, version: int) -> str:
    return f"{slug}/{version}"


def _record_problems(where: str, entry: dict, kind: str, today: datetime.date) -> list[str]:
    status = entry.get("status")
    if status not in STATUSES:
        return [f"{where}: status must be one of {', '.join(STATUSES)}, not {status!r}"]
    problems = []
    complete = []
    for number, review in enumerate(entry.get("reviews", []), start=1):
        missing = [field for field in RECORD_FIELDS if not review.get(field)]
        if missing:
            problems.append(f"{where}: review {number} lacks {', '.join(missing)}")
            continue
        try:
            when = datetime.date.fromisoformat(review["date"])
        except (TypeError, ValueError):
            problems.append(f"{where}: review {number} has no date of the form YYYY-MM-DD")
            continue
        if when > today:
            problems.append(f"{where}: review {number} is dated in the future")
            continue
        uncovered = [part for part in REQUIRED_SCOPE[kind] if part not in review["scope"]]
        if review.get("works_with_sex_workers") is True and not uncovered:
            complete.append(review)
    if status == "reviewed" and not complete:
        problems.append(
            f"{where}: marked reviewed without a complete review record (reviewer, organization, date, "
            f"works_with_sex_workers true, and a scope covering {', '.join(REQUIRED_SCOPE[kind])})"
        )
    return problems


def review_problems(data: dict, *, languages: list[str], questionnaires: dict[str, list[str]]) -> list[str]:
    """Return what the review file lacks: a record per language of the interface and of each
    questionnaire, and a complete review behind every "reviewed" mark.

    ``questionnaires`` maps each questionnaire key to the languages it is worded in besides English.
    """
    today = datetime.date.today()
    problems = []
    interface = data.get("interface", {})
    for language in languages:
        if language not in interface:
            problems.append(f"interface: no record for {language}")
        else:
            problems += _record_problems(f"interface {language}", interface[language], "interface", today)
    recorded = data.get("questionnaires", {})
    for key, worded in questionnaires.items():
        for language in worded:
            entry = recorded.get(key, {}).get(language)
            if entry is None:
                problems.append(f"questionnaire {key}: no record for {language}")
            else:
                problems += _record_problems(f"questionnaire {key} {language}", entry, "questionnaire", today)
    return problems


@functools.cache
def review_records() -> dict:
    return json.loads(REVIEWS_PATH.read_text())


def is_reviewed(language: str, questionnaire: tuple[str, int] | None = None) -> bool:
    """Return whether a language of the interface, or of one questionnaire version (its slug and version), is reviewed.

    English is the source, reviewed unless a questionnaire's record says its English itself awaits
    review (``awaits_review``). A language or questionnaire without a record is a draft; so is a
    "reviewed" mark without a complete record, which the system check refuses anyway.
    """
    if language == "en":
        return questionnaire is None or not awaits_review(*questionnaire)
    data = review_records()
    if questionnaire is None:
        entry = data.get("interface", {}).get(language)
        kind = "interface"
    else:
        entry = data.get("questionnaires", {}).get(questionnaire_key(*questionnaire), {}).get(language)
        kind = "questionnaire"
    if not entry:
        return False
    return entry.get("status") == "reviewed" and not _record_problems("", entry, kind, datetime.date.today())


def awaits_review(slug: str, version: int) -> bool:
    """Return whether a questionnaire version's own English wording is a draft awaiting review.

    Only a form written for people the project has not yet heard from has such a record (its
    "en" entry in ``locale/reviews.json``, with what review it awaits); its results are a trial
    until the record is marked reviewed.
    """
    entry = review_records().get("questionnaires", {}).get(questionnaire_key(slug, version), {}).get("en")
    if not entry:
        return False
    problems = _record_problems("", entry, "questionnaire", datetime.date.today())
    return not (entry.get("status") == "reviewed" and not problems)


def draft_interface_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if not is_reviewed(code)]


def draft_questionnaire_languages(questionnaire) -> list[str]:
    """Return the languages a questionnaire is worded in that no review record backs yet."""
    return [
        language
        for language in ["en", *sorted(questionnaire.translations)]
        if not is_reviewed(language, (questionnaire.slug, questionnaire.version))
    ]


def _instrument_languages() -> dict[str, list[str]]:
    found = {}
    for path in sorted((Path(settings.BASE_DIR) / "fixtures" / "questionnaires").glob("*.json")):
        if path.name == "crosswalk.json":  # pairs of item keys beside the instruments, no words
            continue
        data = json.loads(path.read_text())
        found[questionnaire_key(data["slug"], data["version"])] = [
            code for code in data.get("languages", ["en"]) if code != "en"
        ]
    return found


@checks.register()
def reviews_check(app_configs=None, **kwargs) -> list[checks.Error]:
    """Refuse a "reviewed" mark without a complete record, and a language without any record."""
    languages = [code for code, _name in settings.LANGUAGES if code != "en"]
    try:
        data = json.loads(REVIEWS_PATH.read_text())
    except (OSError, ValueError) as error:
        return [checks.Error(f"{REVIEWS_PATH} cannot be read: {error}", id="home.E001")]
    problems = review_problems(data, languages=languages, questionnaires=_instrument_languages())
    return [checks.Error(problem, obj=str(REVIEWS_PATH), id="home.E002") for problem in problems]


class ShownLanguage(TypedDict):
    code: str
    name: str
    is_draft: bool


def shown_languages(codes: list[str], drafts: list[str]) -> list[ShownLanguage]:
    """Return each language's own name and whether its translation is still a draft, English first."""
    ordered = sorted(dict.fromkeys(codes), key=lambda code: (code != "en", code))
    return [
        {"code": code, "name": capfirst(get_language_info(code)["name_local"]), "is_draft": code in drafts}
        for code in ordered
    ]


def interface_languages() -> list[ShownLanguage]:
    return shown_languages([code for code, _name in settings.LANGUAGES], draft_interface_languages())


def questionnaire_languages(questionnaire) -> list[ShownLanguage]:
    codes = ["en", *questionnaire.translations]
    return shown_languages(codes, draft_questionnaire_languages(questionnaire))
