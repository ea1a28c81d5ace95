"""Report figures from stored cycle results. Pure pandas: plain data in, frames and dicts out.

Cycles come in as dicts (see ``reports.selectors.cycle_records``)::

    {"id": "…", "label": "2025 staff survey", "closed_on": "2025-04-01", "mode": "staff",
     "version": 1, "results": {…stored cycle aggregates…}}
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict

import pandas as pd
from scipy import stats

from assessment import scoring
from assessment.aggregation import ROLE_GROUP_ORDER, practice_keys, visible_groups

OVERALL = scoring.OVERALL
AWARENESS_THRESHOLD = 0.2  # an awareness gap: more than this share did not know


def display_name(names: Mapping[str, str], key: str) -> str:
    """Return the name to show for a dimension key or the overall score; the caller names both.

    >>> display_name({"consent": "Consent", "overall": "Overall"}, "overall"), display_name({}, "consent")
    ('Overall', 'consent')
    """
    return names.get(key, key)


def ordered_keys(keys: Iterable[str], preferred: Sequence[str]) -> list[str]:
    """Return ``keys`` in the order of ``preferred``, others after them alphabetically.

    Stored results are JSON objects, whose key order PostgreSQL does not keep, so display order
    always comes from the questionnaire, never from a stored object.

    >>> ordered_keys({"non_judgment", "consent", "extra"}, ["consent", "confidentiality", "non_judgment"])
    ['consent', 'non_judgment', 'extra']
    """
    position = {key: index for index, key in enumerate(preferred)}
    return sorted(keys, key=lambda key: (position.get(key, len(position)), key))


def dimension_trend_frame(cycles: Sequence[Mapping], dimension_names: Mapping[str, str]) -> pd.DataFrame:
    """Return one row per (cycle, dimension or overall): mean, interval, n, band and version.

    Dimensions are matched by key across cycles; a dimension a version lacks is simply absent.
    """
    rows = []
    for position, cycle in enumerate(cycles):
        results = cycle["results"]
        summaries = {**results["dimensions"], OVERALL: results[OVERALL]}
        for key in ordered_keys(summaries, [*dimension_names, OVERALL]):
            summary = summaries[key]
            rows.append(
                {
                    "position": position,
                    "cycle": cycle["label"],
                    "closed_on": cycle["closed_on"],
                    "version": cycle["version"],
                    "dimension": key,
                    "name": display_name(dimension_names, key),
                    "mean": summary["mean"],
                    "ci_low": summary["ci_low"],
                    "ci_high": summary["ci_high"],
                    "n": summary["n"],
                    "band": summary["band"],
                }
            )
    columns = [
        "position",
        "cycle",
        "closed_on",
        "version",
        "dimension",
        "name",
        "mean",
        "ci_low",
        "ci_high",
        "n",
        "band",
    ]
    return pd.DataFrame(rows, columns=columns)


def item_trend_frame(cycles: Sequence[Mapping], crosswalk: Sequence[Mapping] = ()) -> pd.DataFrame:
    """Return item means with one row per item key of the last cycle's version and one column per cycle label.

    A cycle on the same version contributes every item; a cycle on an earlier version only the
    items the ``crosswalk`` says mean the same (under their key in the last version); the rest is
    NaN. Columns left with no value at all are dropped.
    """
    version = cycles[-1]["version"]
    series = {}
    for cycle in cycles:
        means = {key: cycle["results"]["item_means"][key] for key in practice_keys(cycle["results"])}
        if cycle["version"] != version:
            same = crosswalk_keys(crosswalk, cycle["version"], version)
            means = {new: means.get(old) for old, new in same.items()}
        series[cycle["label"]] = pd.Series(means, dtype="float64")
    frame = pd.DataFrame(series).reindex(columns=[cycle["label"] for cycle in cycles])
    return frame.dropna(axis="columns", how="all")


def version_changes(cycles: Sequence[Mapping]) -> list[str]:
    """Return the labels of cycles whose questionnaire version differs from the cycle before."""
    return [
        current["label"]
        for previous, current in zip(cycles, cycles[1:], strict=False)
        if current["version"] != previous["version"]
    ]


class ChangeRow(TypedDict):
    """One key's change since the previous cycle: the ``Comparison`` of ``scoring.compare`` as stored
    in a report. The summary, the table, the chart and the exports all read these rows."""

    dimension: str
    name: str
    previous: float | None
    current: float | None
    delta: float | None
    ci_low: float | None  # at the row's own alpha, so the interval agrees with the verdict
    ci_high: float | None
    mdc: float | None  # a real change this large is called clear 8 times in 10 at that alpha
    p_value: float | None
    alpha: float
    verdict: str | None  # "better", "worse", "unclear", or None when not tested
    untested: str | None  # why not: "one_set", "few" or "alike"; None when tested


ONE_SET, FEW, ALIKE = "one_set", "few", "alike"


def _untested(before: Mapping, after: Mapping, *, one_set: bool) -> str | None:
    if one_set:
        return ONE_SET
    if before["n"] < 2 or after["n"] < 2:
        return FEW
    if not before["sd"] or not after["sd"]:
        return ALIKE
    return None


def change_rows(
    previous: Mapping, current: Mapping, dimension_names: Mapping[str, str], *, one_set: bool = False
) -> list[ChangeRow]:
    """Return, per dimension and overall, the change between two cycles of one questionnaire version.

    Verdicts come from ``scoring.compare`` only: overall at 5%, the dimensions one Bonferroni
    family. A self-audit (``one_set``) is one set of answers: its changes are shown, never tested.
    """
    shared = [key for key in current["dimensions"] if key in previous["dimensions"]]
    keys = [*ordered_keys(shared, list(dimension_names)), OVERALL]
    summaries = {
        key: (
            previous[OVERALL] if key == OVERALL else previous["dimensions"][key],
            current[OVERALL] if key == OVERALL else current["dimensions"][key],
        )
        for key in keys
    }
    if one_set:
        comparisons = {}
    else:
        comparisons = scoring.compare(
            {key: before["values"] for key, (before, _after) in summaries.items()},
            {key: after["values"] for key, (_before, after) in summaries.items()},
        )
    rows: list[ChangeRow] = []
    for key in keys:
        before, after = summaries[key]
        found = comparisons.get(key)
        delta = None if before["mean"] is None or after["mean"] is None else after["mean"] - before["mean"]
        rows.append(
            {
                "dimension": key,
                "name": display_name(dimension_names, key),
                "previous": before["mean"],
                "current": after["mean"],
                "delta": found.change.delta if found else delta,
                "ci_low": found.change.ci_low if found else None,
                "ci_high": found.change.ci_high if found else None,
                "mdc": found.change.mdc if found else None,
                "p_value": found.change.p_value if found else None,
                "alpha": found.alpha if found else scoring.DEFAULT_ALPHA,
                "verdict": found.verdict if found else None,
                "untested": _untested(before, after, one_set=one_set) if not found or found.verdict is None else None,
            }
        )
    return rows


def crosswalk_keys(pairs: Sequence[Mapping], from_version: int, to_version: int) -> dict[str, str]:
    """Return, for items of ``from_version`` that mean the same in ``to_version``, the key each has there.

    ``pairs`` are the reviewed crosswalk entries (``{"from": [version, key], "to": [version, key]}``);
    entries chain through the versions between, and a key left out means the item is not comparable.

    >>> pairs = [{"from": [1, "a"], "to": [2, "a2"]}, {"from": [2, "a2"], "to": [3, "a3"]}]
    >>> pairs.append({"from": [2, "b"], "to": [3, "b"]})
    >>> crosswalk_keys(pairs, 1, 3), crosswalk_keys(pairs, 3, 3) == {}, crosswalk_keys([], 1, 2)
    ({'a': 'a3'}, True, {})
    """
    if from_version >= to_version:
        return {}
    steps: dict[int, dict[str, str]] = {}
    for pair in pairs:
        (v1, k1), (v2, k2) = pair["from"], pair["to"]
        if v2 == v1 + 1:
            steps.setdefault(v1, {})[k1] = k2
    mapping = dict(steps.get(from_version, {}))
    for version in range(from_version + 1, to_version):
        step = steps.get(version, {})
        mapping = {old: step[new] for old, new in mapping.items() if new in step}
    return mapping


def shared_item_changes(previous: Mapping, current: Mapping, same: Mapping[str, str]) -> list[dict]:
    """Return, for the items the crosswalk says mean the same in two versions (``same``: the earlier
    version's key -> the later one's), both means.

    Across versions nothing is tested: wording and neighbours changed, so a difference is shown,
    never called clear.
    """
    before, after = previous["item_means"], current["item_means"]
    return [
        {"key": new, "previous": before[old], "current": after[new], "delta": after[new] - before[old]}
        for old, new in same.items()
        if before.get(old) is not None and after.get(new) is not None
    ]


def _listable(results: Mapping, min_n: int) -> set[str]:
    """Return the items with at least ``min_n`` scored answers: a single item's figure from fewer
    people is too close to one person's answer to list."""
    return {key for key, n in (results.get("item_n") or {}).items() if n is not None and n >= min_n}


def least_consensus(results: Mapping, *, min_n: int = 1, top: int = 5) -> list[list[str]]:
    """Return the items whose scores vary most between respondents, as ranks of tied items.

    Only items with at least ``min_n`` scored answers, and only those of one scale length (the
    one most items use): a three-point item's spread is not comparable with a five-point item's.
    Standard deviations are compared to one decimal, as shown; every item tied with the last of
    the ``top`` is kept, so ties are shown as ties. "Don't know" is not a score, so it never makes
    an item look disputed.

    >>> least_consensus({"item_sd": {"a": 30.0, "b": 25.04, "c": 25.0, "d": 10.0, "e": None}}, top=2)
    [['a'], ['b', 'c']]
    >>> least_consensus({"item_sd": {"a": 40.0, "b": 20.0, "c": 10.0}, "item_scales": {"a": 2, "b": 4, "c": 4}})
    [['b'], ['c']]
    """
    sd = pd.Series(results["item_sd"], dtype="float64").dropna().round(1)
    sd = sd.drop(labels=list(results.get("staff_view") or ()), errors="ignore")
    if "item_n" in results:
        sd = sd[sd.index.isin(_listable(results, min_n))]
    scales = results.get("item_scales") or {}
    if scales and not sd.empty:
        lengths = pd.Series({key: scales.get(key) for key in sd.index})
        counts = lengths.value_counts()
        common = max(counts[counts == counts.max()].index)
        sd = sd[lengths == common]
    if sd.empty:
        return []
    ranks, taken = [], 0
    for value in sorted(set(sd), reverse=True):
        if taken >= top:
            break
        keys = sorted(sd[sd == value].index)
        ranks.append(keys)
        taken += len(keys)
    return ranks


def awareness_gaps(results: Mapping, *, min_n: int = 1, threshold: float = AWARENESS_THRESHOLD) -> list[str]:
    """Return the items more than ``threshold`` of respondents did not know about, most unknown first.

    Only items at least ``min_n`` people answered, counting "don't know" (it is the answer that
    matters here).

    >>> stats = {"a": {"dk_rate": 0.5, "n": 2, "dk": 2}, "b": {"dk_rate": 0.2, "n": 8, "dk": 2}}
    >>> stats["c"] = {"dk_rate": 0.25, "n": 3, "dk": 1}
    >>> awareness_gaps({"item_stats": stats}), awareness_gaps({"item_stats": stats}, min_n=5)
    (['a', 'c'], [])
    """
    left_out = set(results.get("staff_view") or ())
    stats = {key: found for key, found in (results.get("item_stats") or {}).items() if key not in left_out}
    over = [
        (found.get("dk_rate"), key)
        for key, found in stats.items()
        if found.get("dk_rate") is not None
        and found["dk_rate"] > threshold
        and found.get("n", 0) + found.get("dk", 0) >= min_n
    ]
    return [key for rate, key in sorted(over, key=lambda pair: (-pair[0], pair[1]))]


def _t_interval(mean: float | None, sd: float | None, n: int | None) -> tuple[float | None, float | None]:
    """Return the 95% t-interval of a mean from its sd and n, clipped to [0, 100], as ``summarize`` does."""
    if mean is None or sd is None or not n or n < 2:
        return None, None
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return max(0.0, mean - half), min(100.0, mean + half)


def perception_gap(
    self_audit: Mapping, staff: Mapping, items: Mapping[str, dict], dimension_names: Mapping[str, str]
) -> dict:
    """Return leadership's answers to the staff items beside the staff's, per dimension and per practice.

    The version 3 self-audit ends with the staff survey's observable items, answered once by
    leadership as they believe staff would; those items carry the same keys on both forms. A
    gap is clear only when leadership's score lies outside the staff's 95% interval. Nothing is
    ranked by raw difference: practices keep the questionnaire's order. Empty when the forms
    share no item (version 2 and earlier set maturity against frequency, which is no comparison).
    """
    lead_means, staff_stats = self_audit["item_means"], staff.get("item_stats") or {}
    if "staff_view" in self_audit:
        lead_means = {key: lead_means.get(key) for key in self_audit["staff_view"]}
    paired = [key for key, mean in lead_means.items() if mean is not None and (staff_stats.get(key) or {}).get("n")]
    order = {key: info.get("order", (99, 99)) for key, info in items.items()}
    paired.sort(key=lambda key: (order.get(key, (99, 99)), key))

    def row(lead: float, team: float, low: float | None, high: float | None) -> dict:
        clear = low is not None and high is not None and not low <= lead <= high
        return {"self": lead, "staff": team, "ci_low": low, "ci_high": high, "gap": lead - team, "clear": clear}

    dimensions = []
    for key in ordered_keys([k for k in staff["dimensions"]], list(dimension_names)):
        own = [lead_means[item] for item in paired if items.get(item, {}).get("dimension") == key]
        summary = staff["dimensions"][key]
        if own and summary["mean"] is not None:
            found = row(sum(own) / len(own), summary["mean"], summary["ci_low"], summary["ci_high"])
            dimensions.append({"key": key, "name": dimension_names.get(key, key), **found})
    practices = []
    for key in paired:
        found = staff_stats[key]
        low, high = _t_interval(found["mean"], found["sd"], found["n"])
        info = items.get(key, {})
        practices.append(
            {"key": key, "text": info.get("text", key), "short": info.get("short", key), "n": found["n"]}
            | row(lead_means[key], found["mean"], low, high)
        )
    return {"dimensions": dimensions, "practices": practices}


class ActionResult(TypedDict):
    before: float | None
    after: float | None
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: str | None  # "better", "worse", "unclear"; None when not compared or not tested
    why: str | None  # when there is no verdict: "version", "one_set", "few", "alike" or "missing"


def action_result(before: Mapping | None, after: Mapping | None, *, comparable: bool, one_set: bool) -> ActionResult:
    """Return how an action's practice changed between the audit it came from and this one.

    ``before`` and ``after`` are the item's stored stats in each audit. The item change is tested
    at 95% (Welch, from each side's mean, sd and n); a self-audit's change is shown, not tested;
    across questionnaire versions (``comparable`` False) nothing is compared.
    """
    empty: ActionResult = {
        "before": None, "after": None, "delta": None, "ci_low": None, "ci_high": None, "verdict": None, "why": None
    }  # fmt: skip
    if not comparable:
        return {**empty, "why": "version"}
    if not before or not after or before.get("mean") is None or after.get("mean") is None:
        return {**empty, "why": "missing"}
    result: ActionResult = {**empty, "before": before["mean"], "after": after["mean"]}
    result["delta"] = after["mean"] - before["mean"]
    if one_set:
        return {**result, "why": ONE_SET}
    found = scoring.change_from_summaries(
        (before["mean"], before["sd"], before["n"]), (after["mean"], after["sd"], after["n"]), alpha=0.05
    )
    if found.p_value is None or found.delta is None:
        why = FEW if min(before["n"], after["n"]) < 2 else ALIKE
        return {**result, "why": why}
    verdict = scoring.UNCLEAR
    if found.p_value < 0.05:
        verdict = scoring.BETTER if found.delta > 0 else scoring.WORSE
    return {**result, "ci_low": found.ci_low, "ci_high": found.ci_high, "verdict": verdict}


def weakest_items(results: Mapping, *, exclude: Sequence[str] = (), min_n: int = 1, top: int = 5) -> list[str]:
    """Return the keys of the lowest-scoring items with at least ``min_n`` scored answers, leaving
    out ``exclude`` (the critical gaps) and leadership's view of the staff items."""
    means = pd.Series(results["item_means"], dtype="float64").dropna()
    means = means.drop(labels=[*exclude, *(results.get("staff_view") or ())], errors="ignore")
    if "item_n" in results:
        means = means[means.index.isin(_listable(results, min_n))]
    frame = pd.DataFrame({"mean": means, "key": means.index})
    return list(frame.sort_values(["mean", "key"]).head(top)["key"].tolist())


def role_group_frame(results: Mapping, dimension_names: Mapping[str, str], min_n: int) -> pd.DataFrame:
    """Return the visible role groups' means per dimension and overall, in group order.

    Empty when no breakdown may be shown (see ``visible_groups``).
    """
    groups = results.get("role_groups") or {}
    shown = visible_groups({name: group["n"] for name, group in groups.items()}, min_n)
    rows = []
    for name in ROLE_GROUP_ORDER:
        if name not in shown:
            continue
        group = groups[name]
        rows.append({"group": name, "n": group["n"], **group["dimensions"], OVERALL: group[OVERALL]})
    dimension_keys = [key for key in dimension_names if key != OVERALL]
    return pd.DataFrame(rows, columns=["group", "n", *dimension_keys, OVERALL])


def records(frame: pd.DataFrame) -> list[dict]:
    """Return the frame's rows as JSON-ready dicts (NaN becomes None)."""
    cleaned = frame.astype(object).where(frame.notna(), None)
    return list(cleaned.to_dict(orient="records"))
