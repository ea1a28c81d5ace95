"""Cycle aggregates from submitted answers. Pure: plain data in, a JSON-ready dict out."""

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from assessment import scoring

Answers = Mapping[str, int | str | None]
ROLE_GROUPS = ("leadership", "frontline", "volunteer", "other", "not_stated")


def _summary(values: Sequence[float | None]) -> dict:
    summary = asdict(scoring.summarize(values))
    summary["band"] = scoring.band(summary["mean"])
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
    means = {key: found.mean for key, found in stats.items()}
    item_sd = {}
    for item in instrument.items:
        values = [scoring.item_score(item, a.get(item.key)) for a in answer_sets]
        present = [100.0 * v for v in values if v is not None]
        item_sd[item.key] = statistics.stdev(present) if len(present) >= 2 else None
    results = {
        "reportable": True,
        "n": n,
        "min_responses": min_responses,
        "dimensions": dimensions,
        "overall": _summary([s.overall for s in scores]),
        "item_means": means,
        "item_sd": item_sd,
        "item_n": {
            i.key: sum(1 for a in answer_sets if scoring.item_score(i, a.get(i.key)) is not None)
            for i in instrument.items
        },
        "dk_counts": {
            i.key: sum(1 for a in answer_sets if a.get(i.key) == scoring.DONT_KNOW) for i in instrument.items
        },
        "na_counts": {
            i.key: sum(1 for a in answer_sets if a.get(i.key) == scoring.NOT_APPLICABLE) for i in instrument.items
        },
        "alpha": {d.key: scoring.cronbach_alpha(instrument, d.key, answer_sets) for d in instrument.dimensions},
        "critical_gaps": scoring.critical_gaps(instrument, stats),
    }
    if role_groups is not None:
        results["role_groups"] = _role_group_results(instrument, scores, role_groups)
    return results


def _role_group_results(instrument, scores, role_groups) -> dict:
    counts = Counter(group or "not_stated" for group in role_groups)
    groups = {}
    for group in ROLE_GROUPS:
        members = [s for s, g in zip(scores, role_groups, strict=True) if (g or "not_stated") == group]
        groups[group] = {
            "n": counts.get(group, 0),
            "dimensions": {
                d.key: scoring.summarize([s.dimensions[d.key] for s in members]).mean for d in instrument.dimensions
            },
            "overall": scoring.summarize([s.overall for s in members]).mean,
        }
    return groups
