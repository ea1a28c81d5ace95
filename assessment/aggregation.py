"""Cycle aggregates from submitted answers. Pure: plain data in, a JSON-ready dict out."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from assessment import scoring

Answers = Mapping[str, int | str | None]
# The order of role groups everywhere; ties in suppression go to the group first in it.
NOT_STATED = "not_stated"  # the group of those who skipped the optional question
ROLE_GROUP_ORDER = ("leadership", "frontline", "volunteer", "other", NOT_STATED)


def _summary(values: Sequence[float | None]) -> dict:
    summary = asdict(scoring.summarize(values))
    summary["band"] = scoring.band(summary["mean"])
    summary["band_range"] = list(scoring.band_range(summary["ci_low"], summary["ci_high"]))
    # Sorted, so the stored list says nothing about the order of answering.
    summary["values"] = sorted(v for v in values if v is not None)
    return summary


def cycle_results(
    instrument: scoring.Instrument,
    answer_sets: Sequence[Answers],
    *,
    role_groups: Sequence[str] | None = None,
    min_responses: int,
    reportable: bool,
) -> dict:
    """Return everything a cycle report needs, computed once.

    ``role_groups`` holds each response's optional group ("" when not stated), in the same
    order as ``answer_sets``. An unreportable cycle stores only its count.
    """
    n = len(answer_sets)
    if not reportable:
        return {"reportable": False, "n": n, "min_responses": min_responses}
    scores = [scoring.score_response(instrument, answers) for answers in answer_sets]
    dimensions = {d.key: _summary([s.dimensions[d.key] for s in scores]) for d in instrument.dimensions}
    stats = scoring.item_stats(instrument, answer_sets)
    results = {
        "reportable": True,
        "scoring_version": scoring.SCORING_VERSION,
        "n": n,
        "min_responses": min_responses,
        "dimensions": dimensions,
        scoring.OVERALL: _summary([s.overall for s in scores]),
        "item_stats": {key: asdict(found) for key, found in stats.items()},
        # Kept beside item_stats for what reads one figure per item (trends, heat maps).
        "item_means": {key: found.mean for key, found in stats.items()},
        "item_sd": {key: found.sd for key, found in stats.items()},
        "item_n": {key: found.n for key, found in stats.items()},
        "dk_counts": {key: found.dk for key, found in stats.items()},
        "na_counts": {key: found.na for key, found in stats.items()},
        "critical_gaps": scoring.critical_gaps(instrument, stats),
    }
    if role_groups is not None:
        results["role_groups"] = _role_group_results(instrument, scores, role_groups, min_responses)
    return results


def _role_group_results(instrument, scores, role_groups, min_responses: int) -> dict:
    """Return the means of each role group that may be shown; smaller groups are not stored at all."""
    counts = Counter(group or NOT_STATED for group in role_groups)
    shown = visible_groups(counts, min_responses)
    groups = {}
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
