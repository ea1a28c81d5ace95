"""Cycle aggregates from submitted answers. Pure: plain data in, a JSON-ready dict out.

The stored shape is typed here (``CycleResults``); every page, export and report reads it.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import NotRequired, TypedDict

from assessment import scoring

Answers = Mapping[str, int | str | None]
# The order of role groups everywhere; ties in suppression go to the group first in it.
NOT_STATED = "not_stated"  # the group of those who skipped the optional question
ROLE_GROUP_ORDER = ("leadership", "frontline", "volunteer", "other", NOT_STATED)
# How a staff answer reached the survey, counted apart for the response rate.
CHANNELS = ("invited", "shared", "member")
LOW_RESPONSE_RATE = 0.5  # below this share of invited addresses the answers may not speak for everyone


class SummaryResult(TypedDict):
    """A dimension's or the overall score over respondents, with its band."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    band: str | None  # capped while a critical gap of the dimension (any, for overall) stands
    band_range: list[str | None]  # the bands of the interval's ends, capped the same way
    uncapped_band: str | None  # the band the score alone would carry
    capped: bool  # a critical gap lowered the band or its range
    values: list[float]  # sorted, so the list says nothing about the order of answering


class ItemResult(TypedDict):
    n: int
    mean: float | None
    sd: float | None
    dk: int
    na: int
    dk_rate: float | None
    top_share: float | None
    breaks: int


class PracticeResult(TypedDict):
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None


class RoleGroupResult(TypedDict):
    n: int
    dimensions: dict[str, float | None]
    overall: float | None


class CycleResults(TypedDict):
    """What a closed cycle stores, computed once (``Cycle.results``).

    An unreportable cycle stores only ``reportable``, ``n`` and ``min_responses``.
    """

    reportable: bool
    n: int
    min_responses: int
    scoring_version: NotRequired[int]
    dimensions: NotRequired[dict[str, SummaryResult]]
    overall: NotRequired[SummaryResult]
    item_stats: NotRequired[dict[str, ItemResult]]
    item_means: NotRequired[dict[str, float | None]]
    item_sd: NotRequired[dict[str, float | None]]
    item_n: NotRequired[dict[str, int]]
    item_scales: NotRequired[dict[str, int]]  # each item's max_value: lists compare like with like
    dk_counts: NotRequired[dict[str, int]]
    na_counts: NotRequired[dict[str, int]]
    critical_gaps: NotRequired[list[str]]
    # Leadership's view of the staff items: kept for the perception gap, never scored or listed.
    staff_view: NotRequired[list[str]]
    # A self-audit's practices claimed above level 1 without an evidence note, with the level
    # claimed; each was scored as level 1 (version 3 checklists on).
    unevidenced: NotRequired[dict[str, int]]
    # Each good practice's score (0–100) over respondents, from the items that ask about it.
    practices: NotRequired[dict[str, PracticeResult]]
    role_groups: NotRequired[dict[str, RoleGroupResult]]
    channels: NotRequired[dict[str, int]]  # staff answers by how they came: CHANNELS
    notes: NotRequired[dict[str, str]]  # a self-audit's evidence notes by item key


def _summary(values: Sequence[float | None], *, critical_gap: bool) -> SummaryResult:
    found = scoring.summarize(values)
    low, high = scoring.band_range(found.ci_low, found.ci_high)
    # capped_band is None exactly where band is: an end with no interval has no band.
    capped_range = [scoring.capped_band(end, critical_gap=critical_gap) for end in (found.ci_low, found.ci_high)]
    band = scoring.capped_band(found.mean, critical_gap=critical_gap)
    uncapped = scoring.band(found.mean)
    return {
        "n": found.n,
        "mean": found.mean,
        "sd": found.sd,
        "ci_low": found.ci_low,
        "ci_high": found.ci_high,
        "band": band,
        "band_range": capped_range,
        "uncapped_band": uncapped,
        "capped": band != uncapped or capped_range != [low, high],
        "values": sorted(v for v in values if v is not None),
    }


def cycle_results(
    instrument: scoring.Instrument,
    answer_sets: Sequence[Answers],
    *,
    role_groups: Sequence[str] | None = None,
    channels: Sequence[str] | None = None,
    min_responses: int,
    reportable: bool,
) -> CycleResults:
    """Return everything a cycle report needs, computed once.

    ``role_groups`` holds each response's optional group ("" when not stated), and ``channels``
    how each came (``CHANNELS``, "" when not known), in the same order as ``answer_sets``; only
    their counts and the groups' means are kept. An unreportable cycle stores only its count.
    """
    n = len(answer_sets)
    if not reportable:
        return {"reportable": False, "n": n, "min_responses": min_responses}
    scores = [scoring.score_response(instrument, answers) for answers in answer_sets]
    stats = scoring.item_stats(instrument, answer_sets)
    gaps = scoring.critical_gaps(instrument, stats)
    gap_dimensions = {item.dimension for item in instrument.items if item.key in gaps}
    dimensions = {
        d.key: _summary([s.dimensions[d.key] for s in scores], critical_gap=d.key in gap_dimensions)
        for d in instrument.dimensions
    }
    results: CycleResults = {
        "reportable": True,
        "scoring_version": scoring.SCORING_VERSION,
        "n": n,
        "min_responses": min_responses,
        "dimensions": dimensions,
        "overall": _summary([s.overall for s in scores], critical_gap=bool(gaps)),
        "item_stats": {key: asdict(found) for key, found in stats.items()},  # type: ignore[misc]
        # Kept beside item_stats for what reads one figure per item (trends, heat maps).
        "item_means": {key: found.mean for key, found in stats.items()},
        "item_sd": {key: found.sd for key, found in stats.items()},
        "item_n": {key: found.n for key, found in stats.items()},
        "item_scales": {item.key: item.max_value for item in instrument.items},
        "dk_counts": {key: found.dk for key, found in stats.items()},
        "na_counts": {key: found.na for key, found in stats.items()},
        "critical_gaps": gaps,
        # The selectors give these weight 0: the only items that weigh nothing.
        "staff_view": [item.key for item in instrument.items if item.weight == 0],
        "practices": practice_results(instrument, answer_sets),
    }
    if role_groups is not None:
        results["role_groups"] = _role_group_results(instrument, scores, role_groups, min_responses)
    if channels is not None:
        counted = Counter(channel if channel in CHANNELS else "" for channel in channels)
        results["channels"] = {name: counted.get(name, 0) for name in (*CHANNELS, "")}
    return results


def practice_results(instrument: scoring.Instrument, answer_sets: Sequence[Answers]) -> dict[str, PracticeResult]:
    """Return each practice's score over respondents: per respondent, the weighted mean of the
    scored items that ask about it (as a dimension's score is made), then summarized.

    >>> items = (scoring.ItemSpec("a", "d", practices=("P1",)), scoring.ItemSpec("b", "d", practices=("P1", "P2")))
    >>> instrument = scoring.Instrument((scoring.DimensionSpec("d"),), items)
    >>> found = practice_results(instrument, [{"a": 4, "b": 2}, {"a": "dk", "b": 0}])
    >>> found["P1"]["n"], found["P1"]["mean"], found["P2"]["mean"]
    (2, 37.5, 25.0)
    """
    practices = sorted({p for item in instrument.items for p in item.practices}, key=_practice_order)
    found: dict[str, PracticeResult] = {}
    for practice in practices:
        items = [item for item in instrument.items if practice in item.practices and item.weight > 0]
        values = []
        for answers in answer_sets:
            scored = [(item.weight, scoring.item_score(item, answers.get(item.key))) for item in items]
            weighed = [(weight, score) for weight, score in scored if score is not None]
            total = sum(weight for weight, _ in weighed)
            values.append(100.0 * sum(weight * score for weight, score in weighed) / total if weighed else None)
        summary = scoring.summarize(values)
        found[practice] = {"n": summary.n, "mean": summary.mean, "ci_low": summary.ci_low, "ci_high": summary.ci_high}
    return found


def _practice_order(practice: str) -> tuple[int, str]:
    digits = practice.lstrip("P")
    return (int(digits), practice) if digits.isdigit() else (999, practice)


# From this version of the leadership checklist on, levels 2 and 3 need an evidence note.
EVIDENCE_FROM_VERSION = 3
MATURITY_SCALE = "maturity"
UNEVIDENCED_LEVEL = 1


def needs_evidence(form: str, version: int) -> bool:
    """Return whether a questionnaire's maturity levels above 1 count only with an evidence note.

    >>> needs_evidence("checklist", 3), needs_evidence("checklist", 2), needs_evidence("staff", 3)
    (True, False, False)
    """
    return form == "checklist" and version >= EVIDENCE_FROM_VERSION


def evidenced_answers(
    instrument: scoring.Instrument, answers: Answers, notes: Mapping[str, str]
) -> tuple[dict[str, int | str | None], dict[str, int]]:
    """Return the answers with every maturity level above 1 that names no evidence counted as
    level 1, and the levels so claimed by item key.

    >>> entry = scoring.ItemSpec("a", "c", 3, scale="maturity")
    >>> instrument = scoring.Instrument((scoring.DimensionSpec("c"),), (entry,))
    >>> evidenced_answers(instrument, {"a": 3}, {}), evidenced_answers(instrument, {"a": 3}, {"a": "Policy 4"})
    (({'a': 1}, {'a': 3}), ({'a': 3}, {}))
    """
    counted, claimed = dict(answers), {}
    for item in instrument.items:
        value = answers.get(item.key)
        if item.scale != MATURITY_SCALE or not isinstance(value, int) or value <= UNEVIDENCED_LEVEL:
            continue
        if not (notes.get(item.key) or "").strip():
            counted[item.key] = UNEVIDENCED_LEVEL
            claimed[item.key] = value
    return counted, claimed


def practice_keys(results: Mapping) -> list[str]:
    """Return the keys of the stored items that are practices of this form, leaving out
    leadership's view of the staff items.

    >>> practice_keys({"item_means": {"a": 50.0, "b": 75.0}, "staff_view": ["b"]})
    ['a']
    """
    left_out = set(results.get("staff_view") or ())
    return [key for key in results.get("item_means", {}) if key not in left_out]


def _role_group_results(
    instrument: scoring.Instrument,
    scores: Sequence[scoring.ResponseScore],
    role_groups: Sequence[str],
    min_responses: int,
) -> dict[str, RoleGroupResult]:
    """Return the means of each role group that may be shown; smaller groups are not stored at all."""
    counts = Counter(group or NOT_STATED for group in role_groups)
    shown = visible_groups(counts, min_responses)
    groups: dict[str, RoleGroupResult] = {}
    for group in ROLE_GROUP_ORDER:
        if group not in shown:
            continue
        members = [s for s, g in zip(scores, role_groups, strict=True) if (g or NOT_STATED) == group]
        groups[group] = {
            "n": counts.get(group, 0),
            "dimensions": {
                d.key: scoring.summarize([s.dimensions[d.key] for s in members]).mean for d in instrument.dimensions
            },
            scoring.OVERALL: scoring.summarize([s.overall for s in members]).mean,
        }
    return groups


def visible_groups(counts: Mapping[str, int], min_n: int) -> set[str]:
    """Return the role groups that may be shown without exposing a hidden one.

    Hide every group with fewer than ``min_n`` responses. While the hidden groups together hold
    fewer than ``min_n`` (and at least one is hidden), also hide the smallest visible group
    (ties: the first in ROLE_GROUP_ORDER), since a hidden group's mean would otherwise follow from
    the total minus the rest. With fewer than two groups left, show none.

    >>> sorted(visible_groups({"leadership": 6, "frontline": 12, "volunteer": 7}, 5))
    ['frontline', 'leadership', 'volunteer']
    >>> visible_groups({"leadership": 3, "frontline": 12}, 5)
    set()
    """
    order = {name: index for index, name in enumerate(ROLE_GROUP_ORDER)}
    groups = {name: n for name, n in counts.items() if n > 0}
    visible = {name for name, n in groups.items() if n >= min_n}
    hidden = set(groups) - visible
    while hidden and sum(groups[name] for name in hidden) < min_n and visible:
        smallest = min(visible, key=lambda name: (groups[name], order.get(name, len(order))))
        visible.remove(smallest)
        hidden.add(smallest)
    return visible if len(visible) >= 2 else set()


class ResponseRate(TypedDict):
    answers: int
    invited: int
    by_invitation: int | None  # None when the survey closed before answers were counted apart
    shared: int | None
    members: int | None
    uncounted: int  # answers whose way in was not kept (started before it was)
    share: float | None  # by_invitation / invited, never above 1
    low: bool
    below_minimum: bool  # too few answers for a report: only the count is kept


def response_rate(results: Mapping, invited: int) -> ResponseRate | None:
    """Return a closed staff survey's response rate where the invited count is known.

    Only answers through the emailed single-use links are set against the invited addresses, so
    the rate is never above 100%; answers through the shared link and from signed-in members are
    counted apart.

    >>> rate = response_rate({"n": 7, "channels": {"invited": 5, "shared": 2, "member": 0, "": 0}}, 5)
    >>> rate["share"], rate["shared"], rate["low"]
    (1.0, 2, False)
    """
    if not invited:
        return None
    channels = results.get("channels")
    n = results.get("n", 0)
    if channels is None or not results.get("reportable", True):
        return {
            "answers": n,
            "invited": invited,
            "by_invitation": None,
            "shared": None,
            "members": None,
            "uncounted": n,
            "share": None,
            "low": False,
            "below_minimum": not results.get("reportable", True),
        }
    share = channels.get("invited", 0) / invited
    return {
        "answers": n,
        "invited": invited,
        "by_invitation": channels.get("invited", 0),
        "shared": channels.get("shared", 0),
        "members": channels.get("member", 0),
        "uncounted": channels.get("", 0),
        "share": share,
        "low": share < LOW_RESPONSE_RATE and not channels.get(""),
        "below_minimum": False,
    }
